// The deposit form: fills the fields from the draft in the page, reads them back into the
// record's JSON, saves (POST /api/records, then PUT .../draft), publishes after a
// confirmation, and shows the API's errors beside the fields. What the user typed is never
// replaced by the server's answer, so nothing is lost when a save or publish fails.
import { api, pageData } from "../api.js";
import { editor } from "./editor.js";
import { Errors } from "./errors.js";
import { RowList, choose, funding, related, setOrDelete } from "./fields.js";
import { Files } from "./files.js";
import { people } from "./people.js";
import { Chips, combobox, titleOf } from "./vocab.js";

const $ = (id) => document.getElementById(id);
const data = pageData("deposit-data");
let draft = data.draft;
let id = draft ? draft.id : null;
let revision = draft ? draft.revision_id : null;
let dirty = false;
let saving = null;
const md = (draft && draft.metadata) || {};
const changed = () => { dirty = true; };
const radio = (name) => document.querySelector(`input[name="${name}"]:checked`)?.value;

const lists = {
  creators: new RowList("creators", people("creator"), changed),
  contributors: new RowList("contributors", people("contributor"), changed),
  related: new RowList("related", related, changed),
  funding: new RowList("funding", funding, changed),
};
const LIST_PATHS = {
  "metadata.creators": lists.creators,
  "metadata.contributors": lists.contributors,
  "metadata.related_identifiers": lists.related,
  "metadata.funding": lists.funding,
};
(md.creators && md.creators.length ? md.creators : [{}]).forEach((v) => lists.creators.add(v));
(md.contributors || []).forEach((v) => lists.contributors.add(v));
(md.related_identifiers || []).forEach((v) => lists.related.add(v));
(md.funding || []).forEach((v) => lists.funding.add(v));

if (md.resource_type) choose($("resource-type"), md.resource_type.id, titleOf(md.resource_type));
const description = editor($("description"), document.querySelector(".editor-toolbar"), changed);

function chips(name, items, label) {
  const chipList = new Chips($(`${name}-chips`), label, changed);
  chipList.set(items);
  return chipList;
}
const keywords = chips("subjects", md.subjects || [], (s) => s.subject || s.id);
keywords.focusAfter = $("keyword-input");
const languages = chips("languages", md.languages || [], (l) => titleOf(l));
languages.focusAfter = $("languages-input");
const rights = chips("rights", md.rights || [], (r) => titleOf(r));
rights.focusAfter = $("rights-input");
combobox($("languages-input"), (item) => languages.add({ id: item.id, title: item.title }));
combobox($("rights-input"), (item) => rights.add({ id: item.id, title: item.title }));
for (const button of document.querySelectorAll("[data-pick]")) {
  button.addEventListener("click", () => rights.add({ id: button.dataset.pick, title: { en: button.dataset.title } }));
}
function addKeyword() {
  const input = $("keyword-input");
  const text = input.value.trim();
  if (text) keywords.add({ subject: text });
  input.value = "";
}
$("keyword-add").addEventListener("click", () => { addKeyword(); $("keyword-input").focus(); });
$("keyword-input").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); addKeyword(); } });

const files = new Files(data, ensureDraft, draft ? draft.status === "published" : false);

// -- reading the form ---------------------------------------------------------------------
function collect() {
  const base = draft ? structuredClone(draft) : {};
  const m = { ...(base.metadata || {}) };
  const type = $("resource-type").value;
  setOrDelete(m, "resource_type", type ? { id: type } : undefined);
  for (const [key, field] of [["title", "title"], ["publication_date", "publication-date"], ["version", "version"], ["publisher", "publisher"]]) {
    setOrDelete(m, key, $(field).value.trim());
  }
  setOrDelete(m, "description", description.value());
  setOrDelete(m, "creators", lists.creators.value());
  setOrDelete(m, "contributors", lists.contributors.value());
  setOrDelete(m, "related_identifiers", lists.related.value());
  setOrDelete(m, "funding", lists.funding.value());
  addKeyword();
  setOrDelete(m, "subjects", keywords.items);
  setOrDelete(m, "languages", languages.items.map((l) => ({ id: l.id })));
  setOrDelete(m, "rights", rights.items.map((r) => (r.id ? { id: r.id } : r)));
  const access = { ...(base.access || {}), record: radio("access_record"), files: radio("access_files") };
  delete access.status;
  const filesOpts = { enabled: radio("files_enabled") !== "false" };
  for (const key of ["order", "default_preview"]) if (base.files && base.files[key] !== undefined) filesOpts[key] = base.files[key];
  return { metadata: m, access, files: filesOpts, pids: base.pids || {}, custom_fields: base.custom_fields || {} };
}

// -- errors -------------------------------------------------------------------------------
const FIELDS = {
  "metadata.resource_type": "resource-type", "metadata.title": "title", "metadata.publication_date": "publication-date",
  "metadata.description": "description", "metadata.version": "version", "metadata.publisher": "publisher",
  "metadata.subjects": "keyword-input", "metadata.languages": "languages-input", "metadata.rights": "rights-input",
  "access.record": "access-record", "access.files": "access-files", access: "access-record",
  "files.enabled": "files-enabled", files: "files-enabled",
};
function resolve(field) {
  for (const [prefix, list] of Object.entries(LIST_PATHS)) {
    if (field === prefix) return list.fieldset;
    if (field.startsWith(`${prefix}.`)) return list.find(field.slice(prefix.length + 1));
  }
  for (let path = field; path; path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "") {
    if (FIELDS[path]) return $(FIELDS[path]);
  }
  return null;
}
const errors = new Errors(resolve);

// -- saving -------------------------------------------------------------------------------
const time = () => new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const say = (text) => { $("save-status").textContent = text; };

function created() {
  history.replaceState(null, "", `/uploads/${id}`);
  $("preview-link").href = `/records/${id}?preview=1`;
  $("preview-link").hidden = false;
  $("discard-button").hidden = false;
  $("draft-state").textContent = "Draft";
}

// Save the form: the problems the API reported (an empty list: none), or null when not saved.
async function save() {
  while (saving) await saving;
  saving = doSave();
  try { return await saving; } finally { saving = null; }
}

async function doSave() {
  const body = collect();
  say("Saving…");
  $("save-button").disabled = true;
  try {
    const headers = revision ? { "If-Match": `"${revision}"` } : {};
    const res = id ? await api("PUT", `/api/records/${id}/draft`, body, { headers }) : await api("POST", "/api/records", body);
    const isNew = !id;
    draft = res;
    id = res.id;
    revision = res.revision_id;
    dirty = false;
    if (isNew) created();
    const problems = res.errors || [];
    if (problems.length) {
      errors.show(problems, "Draft saved. Before you can publish, please check:");
      say(`Draft saved at ${time()}; ${problems.length} field(s) still need attention before publishing.`);
    } else {
      errors.clear();
      say(`Draft saved at ${time()}.`);
    }
    return problems;
  } catch (e) {
    if (e.status === 412) {
      revision = null;
      errors.notice("Not saved: this draft was changed elsewhere (another tab?) after you opened it.",
        "Press Save draft again to replace those changes with what you see here, or reload the page to see them.");
    } else if (e.errors && e.errors.length) {
      errors.show(e.errors, "Not saved. Please check:", true);
    } else {
      errors.notice(`Not saved: ${e.message}`, "Your changes are still here; try again in a moment.");
    }
    say(`Not saved: ${e.message}`);
    return null;
  } finally {
    $("save-button").disabled = false;
  }
}

// The draft must exist (with files enabled) before files can be uploaded to it.
async function ensureDraft() {
  if (!id || !(draft.files && draft.files.enabled)) {
    if (!(await save()) || !id) throw new Error("see the messages above");
  }
  return id;
}

$("save-button").addEventListener("click", save);
$("deposit-form").addEventListener("submit", (e) => { e.preventDefault(); save(); });
// typing a search or choosing files changes nothing in the record itself
const edits = (e) => { if (!e.target.matches("[type=file], [role=combobox]")) changed(); };
$("deposit-form").addEventListener("input", edits);
$("deposit-form").addEventListener("change", edits);
window.addEventListener("beforeunload", (e) => { if (dirty) e.preventDefault(); });

// -- switches -----------------------------------------------------------------------------
for (const input of document.querySelectorAll("input[name=files_enabled]")) {
  input.addEventListener("change", () => { $("files-panel").hidden = radio("files_enabled") === "false"; });
}
function syncAccess() {
  const restricted = radio("access_record") === "restricted";
  const open = document.querySelector("input[name=access_files][value=public]");
  if (restricted && open.checked) document.querySelector("input[name=access_files][value=restricted]").checked = true;
  open.disabled = restricted;
}
for (const input of document.querySelectorAll("input[name=access_record]")) input.addEventListener("change", syncAccess);
syncAccess();

// -- publish and discard ------------------------------------------------------------------
const publishDialog = $("publish-dialog");
$("publish-button").addEventListener("click", () => {
  if (files.busy()) {
    errors.notice("Uploads are still running.", "Publish when every file is uploaded.");
    return;
  }
  const open = radio("access_record") === "public";
  $("publish-access").textContent = open
    ? (radio("access_files") === "public" ? "The record and its files become public: anyone can find, read and download them."
      : "The description becomes public; the files can be downloaded only by you.")
    : "The record stays restricted: only you can see it.";
  const filesNote = $("publish-files");
  if (filesNote) filesNote.hidden = radio("files_enabled") === "false";
  const doi = $("publish-doi");
  if (doi) doi.hidden = !open;
  publishDialog.showModal();
});
$("publish-cancel").addEventListener("click", () => publishDialog.close());
$("publish-confirm").addEventListener("click", async () => {
  const confirm = $("publish-confirm");
  confirm.disabled = true;
  confirm.textContent = "Publishing…";
  try {
    // Invalid values are left out of a saved draft: publish only what the user sees.
    const problems = await save();
    if (!problems || problems.length) {
      publishDialog.close();
      if (problems) errors.show(problems, "Not published yet. Please fix these fields, then publish again:", true);
      return;
    }
    say("Publishing…");
    await api("POST", `/api/records/${id}/draft/actions/publish`);
    dirty = false;
    location.assign(`/records/${id}`);
  } catch (e) {
    publishDialog.close();
    if (e.errors && e.errors.length) errors.show(e.errors, "Not published yet. Please fix these fields, then publish again:", true);
    else errors.notice(`Not published: ${e.message}`, "Your draft is saved; try again in a moment.");
    say(`Not published: ${e.message}`);
  } finally {
    confirm.disabled = false;
    confirm.textContent = "Publish now";
  }
});

const discardDialog = $("discard-dialog");
$("discard-button").addEventListener("click", () => discardDialog.showModal());
$("discard-cancel").addEventListener("click", () => discardDialog.close());
$("discard-confirm").addEventListener("click", async () => {
  try {
    await api("DELETE", `/api/records/${id}/draft`);
    dirty = false;
    location.assign(draft && draft.is_published ? `/records/${id}` : "/me/uploads");
  } catch (e) {
    discardDialog.close();
    errors.notice(`Not deleted: ${e.message}`);
  }
});
