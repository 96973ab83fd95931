// The API's validation errors ({field: "metadata.creators.0.person_or_org.family_name",
// messages}) shown beside the fields they name (aria-invalid, aria-describedby) and listed,
// with links, in a summary above the form.
import { el } from "../api.js";

const CONTROLS = "input, select, textarea, [role=textbox]";
const FRIENDLY = { "Missing data for required field.": "Please fill this in." };
let counter = 0;

const clean = (text) => (text || "").replace(/\*/g, "").replace(/\s+/g, " ").trim();

function labelOf(node) {
  if (node.matches("fieldset")) return clean(node.querySelector("legend")?.textContent);
  const group = node.type === "radio" && node.closest("fieldset");
  if (group) return clean(group.querySelector("legend").textContent);
  const by = node.getAttribute("aria-labelledby");
  const label = node.labels?.[0] || (by && document.getElementById(by));
  return clean(label ? label.textContent : node.getAttribute("aria-label") || node.id);
}

// A path nobody could map, made readable: "metadata.dates.0.type" -> "dates 1 type".
const readable = (field) => field.replace(/^metadata\./, "").replace(/\.(\d+)/g, (_, n) => ` ${Number(n) + 1}`).replace(/[._]/g, " ");

export class Errors {
  // resolve(field) -> the element an error is about (a control or a fieldset), or null
  constructor(resolve) {
    this.resolve = resolve;
    this.box = document.getElementById("error-summary");
    this.title = document.getElementById("error-summary-title");
    this.list = document.getElementById("error-summary-list");
    this.marked = [];
  }

  clear() {
    for (const { node, describedby } of this.marked) {
      node.removeAttribute("aria-invalid");
      if (describedby) node.setAttribute("aria-describedby", describedby);
      else node.removeAttribute("aria-describedby");
    }
    this.marked = [];
    for (const node of document.querySelectorAll(".field-errors[data-js]")) node.remove();
    for (const node of document.querySelectorAll(".has-problem")) node.classList.remove("has-problem");
    this.list.replaceChildren();
    this.box.hidden = true;
  }

  // Show errors; heading: the summary's title; focus: move the focus to the summary.
  show(errors, heading, focus = false) {
    this.clear();
    const byTarget = new Map();
    const loose = [];
    const fields = errors.map((e) => e.field || "");
    // "creators: missing" only follows from "creators.0.…: invalid"; show the cause alone
    const shown = errors.filter((e) => !fields.some((f) => f.startsWith(`${e.field}.`)));
    for (const error of shown) {
      const target = this.resolve(error.field || "");
      if (!target) { loose.push(error); continue; }
      if (!byTarget.has(target)) byTarget.set(target, []);
      byTarget.get(target).push(...(error.messages || []).map((m) => FRIENDLY[m] || m));
    }
    const items = [];
    for (const [target, messages] of byTarget) items.push(this.mark(target, [...new Set(messages)]));
    for (const error of loose) {
      items.push(el("li", {}, `${readable(error.field || "record")}: ${(error.messages || []).map((m) => FRIENDLY[m] || m).join(" ")}`));
    }
    this.title.textContent = heading;
    this.list.replaceChildren(...items);
    this.box.hidden = !items.length && !heading;
    if (focus) this.box.focus();
  }

  // Only a message in the summary (no field).
  notice(heading, text) {
    this.clear();
    this.title.textContent = heading;
    if (text) this.list.replaceChildren(el("li", {}, text));
    this.box.hidden = false;
    this.box.focus();
  }

  mark(target, messages) {
    const id = `error-${++counter}`;
    const group = target.matches("fieldset") ? target : null;
    const wrap = group || target.closest(".form-field") || target.parentElement;
    wrap.classList.add("has-problem");
    wrap.append(el("ul", { class: "field-errors", id, "data-js": "" }, messages.map((m) => el("li", {}, m))));
    const controls = group
      ? (group.dataset.list ? [group.querySelector("[data-add]")] : [...group.querySelectorAll(CONTROLS)])
      : target.type === "radio" ? [...target.closest("fieldset").querySelectorAll("input")] : [target];
    for (const node of controls) {
      const describedby = node.getAttribute("aria-describedby");
      this.marked.push({ node, describedby });
      if (node.matches(CONTROLS)) node.setAttribute("aria-invalid", "true");
      node.setAttribute("aria-describedby", [describedby, id].filter(Boolean).join(" "));
    }
    const first = group && group.dataset.list && group.querySelector("input:not([type=radio]), select, textarea");
    const focusable = first || controls[0];
    const row = target.closest(".row");
    const where = row ? `${clean(row.querySelector("[data-title]").textContent)}, ` : "";
    const text = `${where}${labelOf(target)}: ${messages.join(" ")}`;
    if (!focusable.id) focusable.id = `${id}-target`;
    return el("li", {}, el("a", {
      href: `#${focusable.id}`,
      onclick: (e) => { e.preventDefault(); focusable.focus(); focusable.scrollIntoView({ block: "center" }); },
    }, text));
  }
}
