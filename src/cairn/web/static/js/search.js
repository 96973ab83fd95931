// The search page, enhanced: filters and sort apply when they change (focus comes back to
// the control after the reload), the year boxes are sent as the API's
// publication_date=from..to, and "load more" appends the next page from GET /api/records
// by cursor. Without this script the page works through its Apply buttons and links.
import { api, el } from "./api.js";

const form = document.getElementById("search-form");
const FOCUS_KEY = "cairn.search.focus";
const NARROW = "(max-width: 48rem)";

function remember(id) {
  try { sessionStorage.setItem(FOCUS_KEY, id); } catch { /* storage disabled: no focus return */ }
}

function takeRemembered() {
  try {
    const id = sessionStorage.getItem(FOCUS_KEY);
    sessionStorage.removeItem(FOCUS_KEY);
    return id;
  } catch {
    return null;
  }
}

// -- the form -------------------------------------------------------------------------------
// The page as rendered is the URL's state: the back button must not bring back boxes the
// user ticked before leaving (the browser restores them, or keeps the whole page).
form.reset();
window.addEventListener("pageshow", (event) => { if (event.persisted) form.reset(); });

form.addEventListener("formdata", (event) => {
  const data = event.formData;
  let from = String(data.get("publication_date_from") || "").trim();
  let to = String(data.get("publication_date_to") || "").trim();
  data.delete("publication_date_from");
  data.delete("publication_date_to");
  if (from || to) {
    if (from && to && Number(from) > Number(to)) [from, to] = [to, from];
    data.delete("publication_date");
    data.append("publication_date", `${from}..${to}`);
  }
  if (!String(data.get("q") || "").trim()) data.delete("q");
  // a sort or size the page chose by default stays a default (a new query may sort by
  // best match, where the page without one showed "newest")
  for (const select of document.querySelectorAll("select[data-implicit]")) {
    const option = select.options[select.selectedIndex];
    if (option && option.defaultSelected) data.delete(select.name);
  }
});

function submitFrom(control) {
  remember(control.id);
  form.requestSubmit();
}

for (const control of document.querySelectorAll(".auto-submit")) {
  if (control.tagName === "SELECT") {
    // arrow keys change a closed select: wait for Enter (or the Apply button) instead
    let keyed = false;
    control.addEventListener("pointerdown", () => { keyed = false; });
    control.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        submitFrom(control);
      } else if (event.key !== "Tab") {
        keyed = true;
      }
    });
    control.addEventListener("change", () => { if (!keyed) submitFrom(control); });
  } else {
    control.addEventListener("change", () => submitFrom(control));
  }
}

const returning = takeRemembered();
const box = document.getElementById("filters-box");
const target = returning && document.getElementById(returning);
if (box && window.matchMedia(NARROW).matches && !(target && box.contains(target))) box.open = false;
if (target) target.focus();

// -- load more ------------------------------------------------------------------------------
const STATUS = { open: "Open", restricted: "Restricted", embargoed: "Embargoed", "metadata-only": "Metadata only" };

function plainText(html) {
  // a parsed, never-shown document: nothing in it runs or loads
  return new DOMParser().parseFromString(html, "text/html").body.textContent.trim();
}

function truncate(text, length) {
  if (text.length <= length + 5) return text;
  const cut = text.slice(0, length);
  const space = cut.lastIndexOf(" ");
  return `${space > 0 ? cut.slice(0, space) : cut}...`;
}

// The same markup as templates/_result_card.html.
function card(record) {
  const md = record.metadata || {};
  const status = (record.access || {}).status;
  const rtype = md.resource_type || {};
  const index = (record.versions || {}).index || 1;
  const version = md.version ? `Version ${md.version}` : index > 1 ? `Version ${index}` : null;
  const creators = md.creators || [];
  let names = creators.slice(0, 5).map((c) => (c.person_or_org || {}).name || "").join("; ");
  if (creators.length > 5) names += `; and ${creators.length - 5} more`;
  const description = md.description ? truncate(plainText(md.description), 300) : "";
  return el("article", { class: "result-card" },
    el("p", { class: "result-meta" },
      status && el("span", { class: `badge badge-${status}` }, STATUS[status] || status),
      record.is_draft && el("span", { class: "badge badge-draft" }, "Draft"),
      rtype.id && el("span", { class: "badge" }, (rtype.title || {}).en || rtype.id),
      md.publication_date && el("span", { class: "result-date" }, `Published ${md.publication_date}`),
      version && el("span", { class: "result-version" }, version)),
    el("h3", { class: "result-title" },
      el("a", { href: `/records/${encodeURIComponent(record.id)}` }, md.title || "Untitled")),
    names && el("p", { class: "result-creators" }, names),
    description && el("p", { class: "result-description" }, description));
}

function localPath(link) {
  const url = new URL(link, window.location.href);
  return url.pathname + url.search;
}

function pageUrl(page) {
  const url = new URL(window.location.href);
  url.searchParams.set("page", String(page));
  return url.pathname + url.search;
}

const moreLink = document.getElementById("load-more");
if (moreLink && moreLink.dataset.api) {
  let next = moreLink.dataset.api;
  let page = Number(moreLink.dataset.page);
  let busy = false;
  const list = document.getElementById("results");
  const last = document.getElementById("results-last");
  const status = document.getElementById("results-status");
  const total = Number(document.getElementById("results-range").dataset.total);
  const button = el("button", { type: "button", id: "load-more", class: "primary" }, "Load more results");
  moreLink.replaceWith(button);

  button.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Loading…";
    let data;
    try {
      data = await api("GET", next);
    } catch {
      window.location.assign(pageUrl(page)); // the plain next page instead
      return;
    }
    const hits = data.hits.hits;
    const items = hits.map((record) => el("li", {}, card(record)));
    list.append(...items);
    const shown = list.children.length;
    last.textContent = String(Number(document.getElementById("results-range").dataset.first) + shown - 1);
    status.textContent = `Loaded ${hits.length} more; showing ${shown} of ${total}.`;
    page += 1;
    if (data.links && data.links.next && hits.length) {
      next = localPath(data.links.next);
      busy = false;
      button.removeAttribute("aria-disabled");
      button.textContent = "Load more results";
    } else {
      button.remove();
    }
    const first = items.length && items[0].querySelector("a");
    if (first) first.focus();
  });
}
