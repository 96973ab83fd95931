// A small tus 1.0 client: create an upload, send the file in chunks (Blob.slice, so memory
// stays flat for any size), resume after a dropped connection (ask the server where it
// stands with HEAD, then continue) and after a reload (the upload's URL is kept in
// localStorage under a key naming the draft, the file's path, size and date).
import { api, csrfToken } from "../api.js";

export const CHUNK_SIZE = 8 * 1024 * 1024;
const DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
const MAX_FAILURES = 15;
const STORE = "cairn-tus";

export class UploadError extends Error {
  constructor(message, status = 0) { super(message); this.status = status; }
}
export class Canceled extends Error {}
class NetworkError extends Error {}

const b64 = (text) => btoa(Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join(""));
const path = (url) => { const u = new URL(url, location.href); return u.pathname + u.search; };

export const storeKey = (draftId, key, file) => `${STORE}:${draftId}:${key}:${file.size}:${file.lastModified}`;
// The stored upload URLs of one file key of a draft (whatever the file's size and date).
export function storedFor(draftId, key) {
  const prefix = `${STORE}:${draftId}:${key}:`;
  const out = [];
  for (let i = 0; i < localStorage.length; i++) {
    const name = localStorage.key(i);
    if (name && name.startsWith(prefix) && /^\d+:\d+$/.test(name.slice(prefix.length))) out.push(name);
  }
  return out;
}

function errorText(res) {
  try {
    const body = JSON.parse(res.text);
    const details = (body.errors || []).flatMap((e) => e.messages || []);
    return [body.message, ...details].filter(Boolean).join(" ");
  } catch { return `The server answered ${res.status}.`; }
}

// One HTTP request with XMLHttpRequest (fetch cannot report upload progress).
function send(method, url, headers, body, owner, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader("Tus-Resumable", "1.0.0");
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve({ status: xhr.status, header: (n) => xhr.getResponseHeader(n), text: xhr.responseText });
    xhr.onerror = xhr.ontimeout = () => reject(new NetworkError("network error"));
    xhr.onabort = () => reject(new Canceled("canceled"));
    if (owner) owner.xhr = xhr;
    xhr.send(body === undefined ? null : body);
  });
}

export class Upload {
  // options: endpoint (the draft's tus URL), entryUrl (the file's API URL), file, key,
  // store (localStorage key), chunkSize, onProgress(bytes), onState(state, value)
  constructor(options) {
    Object.assign(this, { chunkSize: CHUNK_SIZE, onProgress() {}, onState() {} }, options);
    this.canceled = false;
    this.xhr = null;
    this.wake = null;
  }

  async run() {
    const size = this.file.size;
    this.url = localStorage.getItem(this.store);
    let offset = 0;
    if (this.url) {
      const known = await this.offsetOf(this.url).catch(() => 0);
      if (known === null) this.forget();
      else { offset = known; if (offset > 0) this.onState("resume", offset); }
    }
    if (!this.url) { offset = 0; await this.create(); }
    this.onProgress(offset);
    let failures = 0;
    let restarts = 0;
    do {
      this.check();
      const end = Math.min(offset + this.chunkSize, size);
      const start = offset;
      let res = null;
      try {
        res = await send("PATCH", this.url, { "Upload-Offset": String(start), "Content-Type": "application/offset+octet-stream" },
          this.file.slice(start, end), this, (n) => this.onProgress(start + n));
      } catch (e) {
        if (e instanceof Canceled || this.canceled) throw new Canceled("canceled");
      }
      if (res && (res.status === 204 || res.status === 409)) {
        const next = Number(res.header("Upload-Offset"));
        if (res.status === 204) { failures = 0; this.onState("sending"); }
        if (Number.isFinite(next)) { offset = next; this.onProgress(offset); continue; }
      } else if (res && (res.status === 404 || res.status === 410)) {
        if (await this.finished()) { offset = size; break; }
        if (++restarts > 2) throw new UploadError("The upload expired; start it again.", res.status);
        this.forget();
        await this.create();
        offset = 0;
        continue;
      } else if (res && res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        throw new UploadError(errorText(res), res.status);
      }
      // a dropped connection or a server error: wait, then ask where the upload stands
      if (++failures > MAX_FAILURES) throw new UploadError("The connection to the server keeps failing. Try again later.");
      const delay = DELAYS[Math.min(failures - 1, DELAYS.length - 1)];
      this.onState("retry", delay);
      await this.sleep(delay);
      this.check();
      const known = await this.offsetOf(this.url).catch(() => undefined);
      if (known === null) {
        if (await this.finished()) { offset = size; break; }
        this.forget();
        await this.create();
        offset = 0;
      } else if (known !== undefined) offset = known;
      this.onProgress(offset);
    } while (offset < size);
    this.forget();
    this.onProgress(size);
  }

  async create() {
    let failures = 0;
    for (;;) {
      this.check();
      const meta = `key ${b64(this.key)},filename ${b64(this.key.split("/").pop())}`;
      let res = null;
      try {
        res = await send("POST", this.endpoint, { "Upload-Length": String(this.file.size), "Upload-Metadata": meta }, undefined, this);
      } catch (e) {
        if (e instanceof Canceled || this.canceled) throw new Canceled("canceled");
      }
      if (res && res.status === 201) {
        this.url = path(res.header("Location"));
        localStorage.setItem(this.store, this.url);
        this.check();
        return;
      }
      if (res && res.status < 500) throw new UploadError(errorText(res), res.status);
      if (++failures > MAX_FAILURES) throw new UploadError("The server cannot be reached. Try again later.");
      this.onState("retry", DELAYS[Math.min(failures - 1, DELAYS.length - 1)]);
      await this.sleep(DELAYS[Math.min(failures - 1, DELAYS.length - 1)]);
    }
  }

  // The server's offset; null when the upload is gone (finished, expired or not ours).
  async offsetOf(url) {
    let res;
    try { res = await send("HEAD", url, {}, undefined, this); } catch (e) {
      if (this.canceled) throw new Canceled("canceled");
      throw e;
    }
    if (res.status === 200) return Number(res.header("Upload-Offset")) || 0;
    if ([403, 404, 410].includes(res.status)) return null;
    throw new UploadError(errorText(res), res.status);
  }

  // Whether the file is already complete on the server (our last answer was lost).
  async finished() {
    try {
      const entry = await api("GET", this.entryUrl);
      return entry.status === "completed" && entry.size === this.file.size;
    } catch { return false; }
  }

  sleep(ms) {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); window.removeEventListener("online", done); this.wake = null; resolve(); };
      const timer = setTimeout(done, ms);
      window.addEventListener("online", done);
      this.wake = done;
    });
  }

  check() { if (this.canceled) throw new Canceled("canceled"); }
  forget() { localStorage.removeItem(this.store); }

  // Stop and discard what the server holds of this upload.
  async cancel() {
    this.canceled = true;
    if (this.xhr) this.xhr.abort();
    if (this.wake) this.wake();
    const url = this.url || localStorage.getItem(this.store);
    this.forget();
    if (url) await terminate(url);
  }
}

// Terminate an upload by URL (its bytes and its pending file go); errors are ignored.
export async function terminate(url) {
  try { await send("DELETE", url, {}, undefined, null); } catch { /* gone already, or offline */ }
}
