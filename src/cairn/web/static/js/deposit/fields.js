// Repeatable fields: rows cloned from <template>s, added, removed and moved with buttons
// (keyboard focus follows), read into the record's JSON and located again for errors.
// Each row keeps the object it was filled from, so values the form does not show survive.

let counter = 0;
const ATTRS = ["id", "for", "name", "aria-describedby", "aria-labelledby", "aria-controls"];
export const ROR = /^(https?:\/\/)?(ror\.org\/)?0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}$/i;
export const q = (row, f) => row.querySelector(`[data-f="${f}"]`);
export const val = (row, f) => (q(row, f)?.value || "").trim();

export function clone(templateId) {
  const row = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
  const n = ++counter;
  for (const node of [row, ...row.querySelectorAll("*")]) {
    for (const name of ATTRS) {
      const value = node.getAttribute(name);
      if (value && value.includes("__N__")) node.setAttribute(name, value.replaceAll("__N__", n));
    }
  }
  return row;
}

// Set a select's value, adding the option when the draft holds one the list lacks.
export function choose(select, value, label = value) {
  if (value && ![...select.options].some((o) => o.value === value)) select.append(new Option(label, value));
  select.value = value || "";
}

export function setOrDelete(obj, key, value) {
  if (value === undefined || value === "" || (Array.isArray(value) && !value.length)) delete obj[key];
  else obj[key] = value;
}

export class RowList {
  // kind: creators | contributors | related | funding; adapter: {noun, write, read, locate}
  constructor(kind, adapter, onChange) {
    Object.assign(this, adapter, { kind, onChange, sent: [] });
    this.box = document.getElementById(`${kind}-rows`);
    this.fieldset = document.getElementById(`${kind}-field`);
    this.addButton = this.fieldset.querySelector(`[data-add="${kind}"]`);
    this.addButton.id = `add-${kind}`;
    this.addButton.addEventListener("click", () => { this.add({}, true); onChange(); });
    this.box.addEventListener("click", (e) => {
      const button = e.target.closest("[data-act]");
      if (!button) return;
      const row = button.closest(".row");
      if (button.dataset.act === "remove") this.remove(row);
      else this.move(row, button.dataset.act === "up" ? -1 : 1, button);
      onChange();
    });
  }

  rows() { return [...this.box.children]; }

  add(value, focus = false) {
    const row = clone(`tpl-${this.kind}`);
    row.orig = value || {};
    this.box.append(row);
    this.write(row, row.orig);
    this.renumber();
    if (focus) row.querySelector("input:not([type=radio]), select, textarea")?.focus();
    return row;
  }

  remove(row) {
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    this.renumber();
    (next ? next.querySelector("[data-act=remove]") : this.addButton).focus();
  }

  move(row, step, button) {
    const other = step < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!other) return;
    if (step < 0) other.before(row); else other.after(row);
    this.renumber();
    const same = row.querySelector(`[data-act="${button.dataset.act}"]`);
    (same.hidden ? row.querySelector(`[data-act="${step < 0 ? "down" : "up"}"]`) || same : same).focus();
  }

  renumber() {
    const rows = this.rows();
    const noun = this.noun;
    rows.forEach((row, i) => {
      row.querySelector("[data-title]").textContent = `${noun[0].toUpperCase()}${noun.slice(1)} ${i + 1}`;
      for (const span of row.querySelectorAll("[data-noun]")) span.textContent = ` ${noun} ${i + 1}`;
      row.querySelector("[data-act=up]").hidden = i === 0;
      row.querySelector("[data-act=down]").hidden = i === rows.length - 1;
    });
  }

  // The rows as JSON (empty rows left out); remembers which row each item came from.
  value() {
    this.sent = [];
    const out = [];
    for (const row of this.rows()) {
      const item = this.read(row, row.orig);
      if (item) { out.push(item); this.sent.push(row); }
    }
    return out;
  }

  // The control an error path inside the list ("0.person_or_org.family_name") is about.
  find(rest) {
    const [index, ...tail] = rest.split(".");
    const row = this.sent[Number(index)];
    if (!row) return this.fieldset;
    return this.locate(row, tail.join(".")) || row.querySelector("input:not([type=radio]), select, textarea");
  }
}

export const related = {
  noun: "related work",
  write(row, v) {
    q(row, "identifier").value = v.identifier || "";
    choose(q(row, "scheme"), v.scheme);
    choose(q(row, "relation_type"), v.relation_type?.id);
    choose(q(row, "resource_type"), v.resource_type?.id);
  },
  read(row, orig) {
    const [identifier, scheme, relation, type] = ["identifier", "scheme", "relation_type", "resource_type"].map((f) => val(row, f));
    if (!identifier && !relation && !type) return null;
    const out = { ...orig };
    setOrDelete(out, "identifier", identifier);
    setOrDelete(out, "scheme", scheme);
    setOrDelete(out, "relation_type", relation ? { id: relation } : undefined);
    setOrDelete(out, "resource_type", type ? { id: type } : undefined);
    return out;
  },
  locate(row, path) {
    const field = ["identifier", "scheme", "relation_type", "resource_type"].find((f) => path.startsWith(f));
    return field && q(row, field);
  },
};

const awardTitle = (award) => award?.title?.en || Object.values(award?.title || {})[0] || "";

export const funding = {
  noun: "funding",
  write(row, v) {
    q(row, "funder").value = v.funder?.name || v.funder?.id || "";
    q(row, "number").value = v.award?.number || "";
    q(row, "award_title").value = awardTitle(v.award);
  },
  read(row, orig) {
    const [funder, number, title] = ["funder", "number", "award_title"].map((f) => val(row, f));
    if (!funder && !number && !title) return null;
    const out = { ...orig };
    const known = orig.funder && (orig.funder.name === funder || orig.funder.id === funder);
    setOrDelete(out, "funder", known ? orig.funder : funder ? (ROR.test(funder) ? { id: funder } : { name: funder }) : undefined);
    const award = { ...(orig.award || {}) };
    setOrDelete(award, "number", number);
    setOrDelete(award, "title", title ? { ...(award.title || {}), en: title } : undefined);
    setOrDelete(out, "award", Object.keys(award).length ? award : undefined);
    return out;
  },
  locate(row, path) {
    if (path.startsWith("funder")) return q(row, "funder");
    if (path.startsWith("award.number")) return q(row, "number");
    if (path.startsWith("award")) return val(row, "number") || !val(row, "award_title") ? q(row, "award_title") : q(row, "number");
    return null;
  },
};
