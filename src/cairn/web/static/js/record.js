// Landing page: buttons that copy a text (the citation) to the clipboard.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  if (!source || !navigator.clipboard) continue;
  const label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", async () => {
    let message = "Copied to the clipboard.";
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = "Copied";
    } catch {
      message = "Copying failed: select the text and copy it instead.";
    }
    if (status) status.textContent = message;
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
