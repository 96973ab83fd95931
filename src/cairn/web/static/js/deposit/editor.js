// The description editor: a contenteditable region with a small toolbar (bold, italic,
// link, lists, paragraph, clear). Pasted text arrives as plain text; the server sanitises
// the HTML it receives anyway.

export function editor(area, toolbar, onChange) {
  let range = null;
  document.execCommand("defaultParagraphSeparator", false, "p");
  document.addEventListener("selectionchange", () => {
    const sel = document.getSelection();
    if (sel.rangeCount && area.contains(sel.anchorNode)) range = sel.getRangeAt(0);
  });
  area.addEventListener("paste", (e) => {
    e.preventDefault();
    document.execCommand("insertText", false, e.clipboardData.getData("text/plain"));
  });
  area.addEventListener("input", onChange);
  toolbar.addEventListener("mousedown", (e) => { if (e.target.closest("button")) e.preventDefault(); });
  toolbar.addEventListener("click", (e) => {
    const button = e.target.closest("[data-cmd]");
    if (!button) return;
    const cmd = button.dataset.cmd;
    let url = "";
    if (cmd === "link") {
      url = (window.prompt("Link address (for example https://example.org)") || "").trim();
      if (!url) return;
      if (!/^(https?:|mailto:)/i.test(url)) url = `https://${url}`;
    }
    area.focus();
    if (range) { const sel = document.getSelection(); sel.removeAllRanges(); sel.addRange(range); }
    if (cmd === "link") document.execCommand("createLink", false, url);
    else if (cmd === "paragraph") document.execCommand("formatBlock", false, "p");
    else document.execCommand(cmd);
    onChange();
  });
  return {
    area,
    value: () => (area.textContent.trim() ? area.innerHTML.trim() : ""),
  };
}
