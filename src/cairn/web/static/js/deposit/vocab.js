// Lists of chosen values shown as removable chips (keywords, languages, licences), and a
// combobox that searches a vocabulary through the REST API as the user types.
import { api, el } from "../api.js";

export const titleOf = (item) => (item.title && (item.title.en || Object.values(item.title)[0])) || item.subject || item.id || "";

export class Chips {
  // list: the <ul>; label(item) -> text; after a change onChange() runs
  constructor(list, label, onChange) {
    Object.assign(this, { list, label, onChange, items: [] });
  }

  set(items) { this.items = [...items]; this.render(); }

  key(item) { return (item.id || this.label(item)).toLowerCase(); }

  add(item) {
    if (this.items.some((i) => this.key(i) === this.key(item))) return false;
    this.items.push(item);
    this.render();
    this.onChange();
    return true;
  }

  remove(index, focusAfter) {
    this.items.splice(index, 1);
    this.render();
    const buttons = this.list.querySelectorAll("button");
    (buttons[Math.min(index, buttons.length - 1)] || focusAfter).focus();
    this.onChange();
  }

  render() {
    this.list.replaceChildren(...this.items.map((item, i) => {
      const text = this.label(item);
      return el("li", { class: "chip" }, el("span", {}, text),
        el("button", { type: "button", class: "chip-remove", "aria-label": `Remove ${text}`, title: `Remove ${text}`,
          onclick: () => this.remove(i, this.focusAfter) }, "×"));
    }));
  }
}

// input: <input role=combobox data-vocab=type aria-controls=listbox>; onPick(item)
export function combobox(input, onPick) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  const type = input.dataset.vocab;
  const status = el("p", { class: "combo-status help", role: "status" });
  input.closest(".combo").after(status);
  let items = [];
  let active = -1;
  let timer = 0;
  let seq = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const mark = () => {
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
    const current = list.children[active];
    if (current) { input.setAttribute("aria-activedescendant", current.id); current.scrollIntoView({ block: "nearest" }); }
  };
  const pick = (i) => {
    const item = items[i];
    if (!item) return;
    onPick(item);
    input.value = "";
    status.textContent = `Added ${titleOf(item)}.`;
    close();
  };
  const search = async () => {
    const text = input.value.trim();
    const mine = ++seq;
    if (!text) { close(); status.textContent = ""; return; }
    let data;
    try {
      data = await api("GET", `/api/vocabularies/${type}?q=${encodeURIComponent(text)}&size=12&sort=bestmatch`);
    } catch (e) {
      if (mine === seq) status.textContent = `Search failed: ${e.message}`;
      return;
    }
    if (mine !== seq) return;
    items = data.hits.hits;
    active = -1;
    list.replaceChildren(...items.map((item, i) => el("li", {
      role: "option", id: `${list.id}-${i}`, "aria-selected": "false", onclick: () => pick(i),
    }, titleOf(item), el("span", { class: "option-id" }, ` ${item.id}`))));
    status.textContent = items.length ? `${data.hits.total} found; use the arrow keys to choose.` : `Nothing matches “${text}”.`;
    if (items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); } else close();
  };

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 200); });
  input.addEventListener("keydown", (e) => {
    const open = !list.hidden;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) { search(); return; }
      const step = e.key === "ArrowDown" ? 1 : -1;
      active = (active + step + items.length) % items.length;
      mark();
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (open) pick(active < 0 ? 0 : active);
      else if (input.value.trim()) { clearTimeout(timer); search(); }
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      close();
    }
  });
  list.addEventListener("mousedown", (e) => e.preventDefault());
  input.addEventListener("blur", close);
}
