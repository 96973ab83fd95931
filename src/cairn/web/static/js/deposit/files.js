// The files of a draft: the list (from the page's data, then kept up to date), adding files
// by drag and drop (folders too), a file picker or a folder picker, uploads through tus with
// per-file and total progress, cancel, retry and remove.
import { api, el } from "../api.js";
import { Canceled, Upload, storeKey, storedFor, terminate } from "./tus.js";

const CONCURRENT = 2;
const $ = (id) => document.getElementById(id);
const keyPath = (key) => key.split("/").map(encodeURIComponent).join("/");

export function filesize(size) {
  if (size === null || size === undefined) return "";
  let value = Number(size);
  for (const unit of ["bytes", "kB", "MB", "GB", "TB"]) {
    if (value < 1000 || unit === "TB") return unit === "bytes" ? `${value} bytes` : `${value.toFixed(1)} ${unit}`;
    value /= 1000;
  }
  return "";
}

// Every file under a dropped item, with its path inside the drop ("data/raw/a.csv").
async function walk(entry) {
  if (entry.isFile) {
    return new Promise((resolve) => entry.file((file) => resolve([{ file, key: entry.fullPath.replace(/^\/+/, "") }]), () => resolve([])));
  }
  const reader = entry.createReader();
  const out = [];
  for (;;) {
    const batch = await new Promise((resolve) => reader.readEntries(resolve, () => resolve([])));
    if (!batch.length) return out;
    for (const child of batch) out.push(...(await walk(child)));
  }
}

export class Files {
  // data: the page data; draft(): ensures the draft exists and returns its id
  constructor(data, draft, locked) {
    Object.assign(this, { draft, locked, rows: new Map(), queue: [], active: 0, id: data.draft?.id || null });
    this.body = $("files-body");
    this.status = $("files-status");
    for (const f of data.files) this.row({ key: f.key, size: f.size, status: f.status === "completed" ? "done" : "pending" });
    const hidden = data.files_total - data.files.length;
    if (hidden > 0) { $("files-more").hidden = false; $("files-more").textContent = `And ${hidden} more files, not listed here.`; }
    this.refresh();
    if (!locked) this.wire();
  }

  wire() {
    const zone = $("dropzone");
    $("pick-files").addEventListener("click", () => $("file-input").click());
    $("pick-folder").addEventListener("click", () => $("folder-input").click());
    for (const input of [$("file-input"), $("folder-input")]) {
      input.addEventListener("change", () => {
        this.add([...input.files].map((file) => ({ file, key: file.webkitRelativePath || file.name })));
        input.value = "";
      });
    }
    const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes("Files");
    window.addEventListener("dragover", (e) => { if (hasFiles(e)) e.preventDefault(); });
    window.addEventListener("drop", (e) => { if (hasFiles(e)) e.preventDefault(); });
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      const entries = [...(e.dataTransfer.items || [])].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry());
      if (entries.length && entries.every(Boolean)) Promise.all(entries.map(walk)).then((lists) => this.add(lists.flat()));
      else this.add([...e.dataTransfer.files].map((file) => ({ file, key: file.name })));
    });
    $("import-files")?.addEventListener("click", () => this.importPrevious());
  }

  say(text) { this.status.textContent = text; }
  busy() { return [...this.rows.values()].some((s) => s.status === "queued" || s.status === "uploading"); }
  count() { return this.rows.size; }

  // A table row for one file; state: {key, size, status, file?, sent?}
  row(state) {
    const old = this.rows.get(state.key);
    if (old) old.tr.remove();
    const bar = el("progress", { max: "100", value: "0", "aria-label": `Upload of ${state.key}` });
    const text = el("span", { class: "file-state" });
    const actions = el("div", { class: "file-actions" });
    state.tr = el("tr", {}, el("td", { class: "file-name" }, state.key), el("td", { class: "file-size" }, filesize(state.size)),
      el("td", { class: "file-status" }, bar, text), el("td", {}, actions));
    Object.assign(state, { bar, text, actions });
    this.rows.set(state.key, state);
    const after = [...this.rows.keys()].filter((k) => k !== state.key && k > state.key).sort()[0];
    if (after) this.body.insertBefore(state.tr, this.rows.get(after).tr); else this.body.append(state.tr);
    this.paint(state);
    return state;
  }

  paint(s, note) {
    const pct = s.size ? Math.floor((100 * (s.sent || 0)) / s.size) : 0;
    s.bar.hidden = !["uploading", "queued"].includes(s.status);
    s.bar.value = pct;
    const texts = {
      done: "Uploaded",
      pending: "Incomplete: choose this file again to continue",
      queued: "Waiting…",
      uploading: `${pct}%`,
      failed: `Failed: ${s.error || ""}`,
    };
    s.text.textContent = note || texts[s.status];
    s.tr.className = `file-${s.status}`;
    if (s.painted === s.status) return;
    s.painted = s.status;
    const button = (label, onclick, cls = "small") => el("button", { type: "button", class: cls, onclick },
      label, el("span", { class: "visually-hidden" }, ` ${s.key}`));
    const buttons = [];
    if (!this.locked) {
      if (s.status === "queued" || s.status === "uploading") buttons.push(button("Cancel", () => this.cancel(s), "small danger"));
      if (s.status === "failed" && s.file) buttons.push(button("Retry", () => this.enqueue(s)));
      if (["done", "pending", "failed"].includes(s.status)) buttons.push(button("Remove", () => this.remove(s), "small danger"));
    }
    const focused = s.actions.contains(document.activeElement);
    s.actions.replaceChildren(...buttons);
    if (focused) (buttons[0] || $("pick-files")).focus();
  }

  refresh() {
    if ($("import-box")) $("import-box").hidden = this.rows.size > 0;  // a new version: copy the old files?
    $("files-empty").hidden = this.rows.size > 0;
    $("files-table").hidden = this.rows.size === 0;
    this.total();
  }

  total() {
    const batch = [...this.rows.values()].filter((s) => s.file && s.status !== "failed");
    const box = $("upload-total");
    if (!box) return;
    box.hidden = !batch.length;
    const size = batch.reduce((n, s) => n + s.size, 0);
    const sent = batch.reduce((n, s) => n + (s.status === "done" ? s.size : s.sent || 0), 0);
    $("total-progress").value = size ? Math.floor((100 * sent) / size) : 100;
    const left = batch.filter((s) => s.status !== "done").length;
    $("total-text").textContent = left ? `${filesize(sent)} of ${filesize(size)}; ${left} file(s) to go` : `All ${batch.length} file(s) uploaded`;
  }

  async add(items) {
    if (!items.length) return;
    let id;
    try { id = await this.draft(); } catch (e) {
      this.say(`Files cannot be added before the draft is saved: ${e.message}`);
      return;
    }
    this.id = id;
    for (const { file, key } of items) {
      const current = this.rows.get(key);
      if (current && (current.status === "uploading" || current.status === "queued")) continue;
      this.enqueue(this.row({ key, size: file.size, status: "queued", file, sent: 0 }));
    }
    this.say(`${items.length} file(s) added; uploading.`);
    this.refresh();
  }

  enqueue(s) {
    s.status = "queued";
    s.sent = 0;
    this.paint(s);
    this.queue.push(s);
    this.pump();
  }

  pump() {
    while (this.active < CONCURRENT && this.queue.length) {
      const s = this.queue.shift();
      if (s.status === "queued") this.start(s);
    }
    this.total();
  }

  async start(s) {
    this.active++;
    s.status = "uploading";
    const base = `/api/records/${this.id}/draft`;
    const store = storeKey(this.id, s.key, s.file);
    // another file once uploaded under this key: its upload is replaced, never resumed
    for (const name of storedFor(this.id, s.key)) if (name !== store) localStorage.removeItem(name);
    s.upload = new Upload({
      endpoint: `${base}/uploads`, entryUrl: `${base}/files/${keyPath(s.key)}`, file: s.file, key: s.key,
      store,
      onProgress: (n) => { s.sent = n; this.paint(s, s.note); this.total(); },
      onState: (state, value) => {
        const pct = Math.floor((100 * (value || 0)) / (s.size || 1));
        s.note = state === "resume" ? `Resuming at ${pct}%` : state === "retry" ? `Connection lost; retrying in ${Math.round(value / 1000)} s…` : "";
        this.paint(s, s.note);
      },
    });
    this.paint(s);
    try {
      await s.upload.run();
      s.status = "done";
      s.sent = s.size;
      this.say(`${s.key} uploaded.`);
    } catch (e) {
      if (e instanceof Canceled) return;
      s.status = "failed";
      s.error = e.message;
      this.say(`Upload of ${s.key} failed: ${e.message}`);
    } finally {
      this.active--;
      s.note = "";
      if (this.rows.get(s.key) === s) this.paint(s);
      this.pump();
      this.refresh();
    }
  }

  async cancel(s) {
    s.status = "canceled";
    this.rows.delete(s.key);
    s.tr.remove();
    this.refresh();
    $("pick-files").focus();
    if (s.upload) await s.upload.cancel();
    this.say(`Upload of ${s.key} canceled.`);
  }

  async remove(s) {
    try {
      for (const name of storedFor(this.id, s.key)) {  // an unfinished upload: end it too
        await terminate(localStorage.getItem(name));
        localStorage.removeItem(name);
      }
      await api("DELETE", `/api/records/${this.id}/draft/files/${keyPath(s.key)}`).catch((e) => { if (e.status !== 404) throw e; });
    } catch (e) {
      this.say(`${s.key} could not be removed: ${e.message}`);
      return;
    }
    const next = s.tr.nextElementSibling || s.tr.previousElementSibling;
    this.rows.delete(s.key);
    s.tr.remove();
    (next?.querySelector("button") || $("pick-files")).focus();
    this.say(`${s.key} removed.`);
    this.refresh();
  }

  async importPrevious() {
    try {
      const res = await api("POST", `/api/records/${this.id}/draft/actions/files-import`);
      for (const f of res.entries) this.row({ key: f.key, size: f.size, status: "done" });
      this.say(`${res.entries.length} file(s) copied from the previous version.`);
      this.refresh();
    } catch (e) {
      this.say(`The files could not be copied: ${e.message}`);
    }
  }
}
