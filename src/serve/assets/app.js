/* newswire web page: search, facets, timeline, article and entity views.
 *
 * Plain ES2020, no framework, no build step. Served under a strict CSP, so:
 * no inline script or style, no eval, and every piece of text that comes from
 * the API (article text is hostile input) goes into the page through
 * textContent / createTextNode / setAttribute, never as HTML.
 */
"use strict";

/* ---- Constants --------------------------------------------------------- */

const API = "/api/v1";
const PAGE_SIZE = 10;
const FACET_SIZE = 10; // values per facet; "Show more" asks for FACET_MORE
const FACET_MORE = 50;
const MAX_OFFSET = 10000;
const MAX_BUCKETS = 5000; // the API's longest timeline
const FILTER_FIELDS = ["org", "person", "place", "source", "topic", "category", "dateline"];
const FACET_FIELDS = ["org", "person", "place", "source", "month"];
const ENTITY_KINDS = ["org", "person", "place"];
const INTERVALS = ["day", "week", "month", "year"];
const FIELD_LABELS = {
  org: "Organization", person: "Person", place: "Place", source: "Source",
  topic: "Topic", category: "Category", dateline: "Dateline", month: "Month",
};
const FACET_TITLES = {
  org: "Organizations", person: "People", place: "Places", source: "Sources", month: "Months",
};
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const NUM = new Intl.NumberFormat("en");

/* ---- Small DOM helpers (text only: never HTML strings) ----------------- */

const $ = (id) => document.getElementById(id);

/** Appends children: nodes as they are, anything else as a text node. */
function append(node, kids) {
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    node.append(typeof kid === "object" ? kid : String(kid));
  }
  return node;
}

/** Creates an element with attributes (values as text, never as markup) and children. */
function el(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  return append(node, kids);
}

const SVG_NS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs, ...kids) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  return append(node, kids);
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (/^on/i.test(key) || key === "style") throw new Error(`not an allowed attribute: ${key}`);
    node.setAttribute(key, value === true ? "" : String(value));
  }
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

function safeDecode(s) {
  try { return decodeURIComponent(s); } catch (e) { return s; }
}

const fmt = (n) => (typeof n === "number" && isFinite(n) ? NUM.format(n) : "–");

/* ---- Dates (UTC, YYYY-MM-DD strings) ----------------------------------- */

function parseDay(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || "");
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
}
const isoDay = (d) => d.toISOString().slice(0, 10);

function addDays(s, n) {
  const d = parseDay(s);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDay(d);
}

/** The start of the bucket after the one starting at `s`. */
function nextStart(s, by) {
  const d = parseDay(s);
  if (by === "day") d.setUTCDate(d.getUTCDate() + 1);
  else if (by === "week") d.setUTCDate(d.getUTCDate() + 7);
  else if (by === "year") d.setUTCFullYear(d.getUTCFullYear() + 1);
  else d.setUTCMonth(d.getUTCMonth() + 1);
  return isoDay(d);
}

const bucketEnd = (start, by) => addDays(nextStart(start, by), -1);
const daysBetween = (a, b) => Math.round((parseDay(b) - parseDay(a)) / 86400000);

/** "2005-11-01" -> "1 Nov 2005"; anything unparsable is shown as it is. */
function niceDate(s) {
  const d = parseDay(s);
  if (!d) return s || "";
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

function niceMonth(ym) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym || "");
  return m ? `${MONTHS[+m[2] - 1]} ${m[1]}` : ym;
}

/** Picks a timeline interval for a search: the user's, else by the date span. */
function autoInterval(s) {
  if (INTERVALS.includes(s.by)) return s.by;
  if (s.from && s.to && parseDay(s.from) && parseDay(s.to)) {
    const days = daysBetween(s.from, s.to);
    if (days <= 92) return "day";
    if (days <= 730) return "week";
  }
  return "month";
}

/* ---- Search state <-> URL ---------------------------------------------- */

function readState(search) {
  const p = new URLSearchParams(search);
  const s = {
    q: p.get("q") || "",
    inc: {}, exc: {},
    from: p.get("from") || "", to: p.get("to") || "",
    sort: ["date", "-date"].includes(p.get("sort")) ? p.get("sort") : "relevance",
    recent: ["true", "1", "yes", "on"].includes(p.get("recent")),
    dups: p.get("duplicates") === "show",
    offset: Math.min(MAX_OFFSET, Math.max(0, parseInt(p.get("offset"), 10) || 0)),
    by: INTERVALS.includes(p.get("by")) ? p.get("by") : "",
    share: p.get("share") === "1",
    more: [...new Set(p.getAll("more").filter((f) => FACET_FIELDS.includes(f)))],
  };
  for (const f of FILTER_FIELDS) {
    s.inc[f] = [...new Set(p.getAll(f).filter(Boolean))];
    s.exc[f] = [...new Set(p.getAll("not_" + f).filter(Boolean))];
  }
  return s;
}

const cloneState = (s) => JSON.parse(JSON.stringify(s));

/** The query and filters, as the API and the page URL both spell them. */
function filterParams(s) {
  const p = new URLSearchParams();
  if (s.q) p.set("q", s.q);
  for (const f of FILTER_FIELDS) for (const v of s.inc[f]) p.append(f, v);
  for (const f of FILTER_FIELDS) for (const v of s.exc[f]) p.append("not_" + f, v);
  if (s.from) p.set("from", s.from);
  if (s.to) p.set("to", s.to);
  return p;
}

/** Filters plus ranking options (search and CSV export). */
function queryParams(s) {
  const p = filterParams(s);
  if (s.sort !== "relevance") p.set("sort", s.sort);
  if (s.recent) p.set("recent", "true");
  if (s.dups) p.set("duplicates", "show");
  return p;
}

function pageUrl(s) {
  const p = queryParams(s);
  if (s.offset) p.set("offset", String(s.offset));
  if (s.by) p.set("by", s.by);
  if (s.share) p.set("share", "1");
  for (const f of s.more) p.append("more", f);
  const qs = p.toString();
  return qs ? "/?" + qs : "/";
}

const hasDates = (s) => Boolean(s.from || s.to);
const filterCount = (s) =>
  FILTER_FIELDS.reduce((n, f) => n + s.inc[f].length + s.exc[f].length, 0) + (hasDates(s) ? 1 : 0);

/* ---- Links and navigation ---------------------------------------------- */

const articleHref = (id) => "/article/" + encodeURIComponent(id);
const entityHref = (kind, name) => `/entity/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;

function searchHref(fields) {
  const s = readState("");
  Object.assign(s, fields.state || {});
  for (const [f, v] of Object.entries(fields.inc || {})) s.inc[f] = [v];
  return pageUrl(s);
}

function navigate(url, replace) {
  if (!replace) history.replaceState({ scroll: window.scrollY }, ""); // Back returns here
  history[replace ? "replaceState" : "pushState"](null, "", url);
  route();
}

/** Back/Forward: render the entry, then put the page where it was. */
function onPopState(e) {
  const y = e.state && typeof e.state.scroll === "number" ? e.state.scroll : null;
  route().then(() => { if (y !== null) window.scrollTo(0, y); });
}

const goSearch = (s) => navigate(pageUrl(s));

/** Same-origin page links become pushState navigations (ctrl/meta-click still opens a tab). */
function onDocumentClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest && e.target.closest("a[href]");
  if (!a || a.target || a.hasAttribute("download")) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/assets/")) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

/* ---- API access, loading and error states ------------------------------ */

let routeSeq = 0;
let controller = null;
let loadingTimer = 0;

async function api(path, params, signal) {
  const qs = params ? params.toString() : "";
  const url = API + path + (qs ? "?" + qs : "");
  let res;
  try {
    res = await fetch(url, { signal, headers: { Accept: "application/json" } });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new Error("Could not reach the newswire server. Is it still running?");
  }
  let body = null;
  try { body = await res.json(); } catch (err) { body = null; }
  if (!res.ok || !body || body.type === "error") {
    const msg = body && typeof body.error === "string" ? body.error : `The server answered ${res.status} ${res.statusText}`;
    const e = new Error(msg);
    e.status = res.status;
    throw e;
  }
  return body;
}

function setLoading(on) {
  clearTimeout(loadingTimer);
  document.body.classList.toggle("is-loading", on);
  $("main").setAttribute("aria-busy", on ? "true" : "false");
  if (on) loadingTimer = setTimeout(() => { $("loading").hidden = false; }, 150);
  else $("loading").hidden = true;
}

function showError(msg) {
  const box = $("error");
  box.textContent = msg || "";
  box.classList.toggle("error-pre", Boolean(msg && msg.includes("\n"))); // caret-aligned query errors
  box.hidden = !msg;
}

/** Shows one of the three views and hides the others. */
function showView(id) {
  for (const v of ["search-view", "article", "entity"]) $(v).hidden = v !== id;
}

/* ---- Router ------------------------------------------------------------ */

async function route() {
  const seq = ++routeSeq;
  if (controller) controller.abort();
  controller = new AbortController();
  const signal = controller.signal;
  const path = location.pathname;
  showError("");
  setLoading(true);
  try {
    const entity = /^\/entity\/([^/]+)\/(.+)$/.exec(path);
    if (path.startsWith("/article/")) {
      await showArticle(safeDecode(path.slice("/article/".length)), seq, signal);
    } else if (entity) {
      await showEntity(safeDecode(entity[1]), safeDecode(entity[2]), seq, signal);
    } else {
      await showSearch(readState(location.search), seq, signal);
    }
  } catch (err) {
    if (err.name === "AbortError" || seq !== routeSeq) return;
    showError(err.message || String(err));
  } finally {
    if (seq === routeSeq) setLoading(false);
  }
}

/* ---- Snippets: highlight ranges are UTF-8 byte offsets into the snippet ---- */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function snippetNodes(snippet, highlights) {
  const bytes = encoder.encode(snippet || "");
  const atChar = (i) => { while (i < bytes.length && (bytes[i] & 0xc0) === 0x80) i++; return i; };
  const ranges = (Array.isArray(highlights) ? highlights : [])
    .filter((r) => Array.isArray(r) && r.length === 2)
    .map(([a, b]) => [atChar(Math.max(0, Math.min(a, bytes.length))), atChar(Math.max(0, Math.min(b, bytes.length)))])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const out = [];
  let pos = 0;
  for (const [a, b] of ranges) {
    if (b <= pos) continue;
    const start = Math.max(a, pos);
    if (start > pos) out.push(decoder.decode(bytes.subarray(pos, start)));
    out.push(el("mark", null, decoder.decode(bytes.subarray(start, b))));
    pos = b;
  }
  if (pos < bytes.length) out.push(decoder.decode(bytes.subarray(pos)));
  return out;
}

/* ---- Hits (search results, recent articles, similar stories) ----------- */

function datelineText(d) {
  if (!d || typeof d !== "object") return "";
  const place = d.place || "";
  const agency = d.agency ? `(${d.agency})` : "";
  return [place, agency].filter(Boolean).join(" ");
}

function hitMeta(h) {
  const parts = [];
  parts.push(el("time", { class: "hit-date", datetime: h.published || null }, h.published ? niceDate(h.published) : "undated"));
  if (h.source) parts.push(el("span", { class: "hit-source" }, h.source));
  const dl = datelineText(h.dateline);
  if (dl) parts.push(el("span", { class: "hit-dateline", title: "dateline" }, dl));
  const out = [];
  parts.forEach((p, i) => { if (i) out.push(el("span", { class: "sep", "aria-hidden": "true" }, " · ")); out.push(p); });
  return el("p", { class: "hit-meta" }, out);
}

function entityLinks(h, max) {
  const links = [];
  for (const kind of ENTITY_KINDS) {
    for (const name of (h[kind] || [])) {
      if (links.length >= max) break;
      links.push(el("a", { class: `entity entity-${kind}`, href: entityHref(kind, name), title: FIELD_LABELS[kind] }, name));
    }
  }
  return links.length ? el("p", { class: "hit-entities" }, links) : null;
}

function renderHit(h, compact) {
  const li = el("li", { class: "hit", "data-id": h.id });
  li.append(el("h3", { class: "hit-title" },
    el("a", { class: "hit-link", href: articleHref(h.id) }, h.headline || "(no headline)")));
  li.append(hitMeta(h));
  if (!compact && h.snippet) li.append(el("p", { class: "snippet" }, snippetNodes(h.snippet, h.highlights)));
  if (!compact) li.append(entityLinks(h, 8) || "");
  const dups = Array.isArray(h.duplicates) ? h.duplicates.length : 0;
  if (dups) {
    li.append(el("p", { class: "hit-duplicates" },
      el("a", { href: articleHref(h.id) + "#near-duplicates" }, `${dups} near-duplicate${dups === 1 ? "" : "s"}`)));
  }
  return li;
}

function fillHits(list, hits, compact, empty) {
  clear(list);
  for (const h of hits || []) list.append(renderHit(h, compact));
  if (!list.firstChild && empty) list.append(el("li", { class: "empty" }, empty));
  return list;
}

/* ---- Search view ------------------------------------------------------- */

let lastSearch = null; // { state, timeline } for re-drawing on resize / share toggle

async function showSearch(s, seq, signal) {
  showView("search-view");
  syncControls(s);
  document.title = (s.q ? `${s.q} – ` : "") + "newswire";
  try { sessionStorage.setItem("newswire.lastSearch", pageUrl(s)); } catch (e) { /* private mode */ }

  const sp = queryParams(s);
  for (const f of FACET_FIELDS) sp.append("facet", f);
  sp.set("facet_size", String(s.more.length ? FACET_MORE : FACET_SIZE));
  sp.set("limit", String(PAGE_SIZE));
  sp.set("offset", String(s.offset));
  const tp = filterParams(s);
  tp.set("by", autoInterval(s));

  renderChips(s);
  const [res, tl] = await Promise.allSettled([api("/search", sp, signal), api("/timeline", tp, signal)]);
  if (seq !== routeSeq) return;
  if (res.status === "rejected") {
    clear($("hits")); clear($("pager")); clear($("facets")); clear($("timeline"));
    lastSearch = null;
    $("summary").textContent = ""; $("did-you-mean").hidden = true;
    throw res.reason;
  }
  const paged = lastSearch && lastSearch.state.offset !== s.offset;
  const focus = rememberFocus();
  renderResults(res.value, s);
  renderFacets(res.value.facets || [], s);
  focus();
  if (paged) { // a new page starts at the top of the results, for the eyes and the keyboard
    $("summary").scrollIntoView();
    if (document.activeElement && document.activeElement.closest("#pager")) $("summary").focus({ preventScroll: true });
  }
  lastSearch = { state: s, timeline: tl.status === "fulfilled" ? tl.value : null };
  drawSearchTimeline(tl.status === "rejected" ? tl.reason.message : "");
}

/** Keyboard users keep their place when the facets and pager are drawn anew. */
function rememberFocus() {
  const prev = document.activeElement;
  const id = prev && prev.id;
  const within = prev && prev.closest && prev.closest("#facets, #active-filters, #pager");
  return () => {
    if (!within || document.activeElement === prev) return;
    const again = id && $(id);
    (again || $("summary")).focus({ preventScroll: true });
  };
}

/** Puts the URL state into the form controls. */
function syncControls(s) {
  if ($("q").value !== s.q) $("q").value = s.q;
  $("sort").value = s.sort;
  $("recent").checked = s.recent;
  $("show-duplicates").checked = s.dups;
  $("interval").value = autoInterval(s);
  $("share-toggle").checked = s.share;
  $("clear-dates").hidden = !hasDates(s);
  $("export").setAttribute("href", `${API}/export.csv?${queryParams(s)}`);
  const n = filterCount(s);
  $("facets-toggle").textContent = n ? `Filters (${n})` : "Filters";
}

function renderResults(r, s) {
  const total = r.total_hits || 0;
  const hits = r.hits || [];
  const took = typeof r.took_ms === "number" ? ` in ${r.took_ms.toFixed(1)} ms` : "";
  const first = hits.length ? (r.offset || 0) + 1 : 0;
  const last = (r.offset || 0) + hits.length;
  $("summary").textContent = total
    ? `${fmt(total)} article${total === 1 ? "" : "s"} found${took}` + (hits.length ? ` · showing ${fmt(first)}–${fmt(last)}` : "")
    : `No articles found${took}.`;

  const dym = $("did-you-mean");
  clear(dym);
  dym.hidden = !r.did_you_mean;
  if (r.did_you_mean) {
    const t = cloneState(s); t.q = r.did_you_mean; t.offset = 0;
    dym.append("Did you mean ", el("a", { href: pageUrl(t), id: "did-you-mean-link" }, r.did_you_mean), "?");
  }

  const warn = clear($("warnings"));
  const warnings = (r.warnings || []).filter((w) => typeof w === "string" && w);
  warn.hidden = !warnings.length;
  for (const w of warnings) warn.append(el("li", null, w));

  const empty = filterCount(s) || s.q ? "Nothing matches. Try fewer words, remove a filter, or check the syntax." : "The index is empty.";
  fillHits($("hits"), hits, false, empty);
  $("hits").setAttribute("start", String(first || 1));
  renderPager(total, s);
}

function renderPager(total, s) {
  const pager = clear($("pager"));
  if (total <= PAGE_SIZE && !s.offset) return;
  const link = (offset, label, id, rel) => {
    const ok = offset >= 0 && offset <= MAX_OFFSET && offset < Math.max(total, 1) && offset !== s.offset;
    if (!ok) return el("span", { class: "btn btn-small disabled", id, "aria-disabled": "true" }, label);
    const t = cloneState(s); t.offset = offset;
    return el("a", { class: "btn btn-small", id, rel, href: pageUrl(t) }, label);
  };
  const pages = Math.ceil(Math.min(total, MAX_OFFSET + PAGE_SIZE) / PAGE_SIZE);
  const page = Math.floor(s.offset / PAGE_SIZE) + 1;
  pager.append(
    link(Math.max(0, s.offset - PAGE_SIZE), "← Previous", "pager-prev", "prev"),
    el("span", { class: "pager-info" }, `Page ${fmt(page)} of ${fmt(pages)}`),
    link(s.offset + PAGE_SIZE, "Next →", "pager-next", "next"));
}

/* Active filter chips */

function renderChips(s) {
  const box = clear($("active-filters"));
  const chip = (cls, data, label, ...text) =>
    el("button", Object.assign({ type: "button", class: "chip " + cls, "aria-label": label, title: label }, data),
      ...text, el("span", { class: "chip-x", "aria-hidden": "true" }, "✕"));
  for (const f of FILTER_FIELDS) {
    for (const v of s.inc[f]) {
      box.append(chip("chip-include", { "data-field": f, "data-value": v, "data-kind": "include" },
        `Remove filter ${FIELD_LABELS[f]}: ${v}`, el("span", { class: "chip-field" }, FIELD_LABELS[f] + ": "), v));
    }
    for (const v of s.exc[f]) {
      box.append(chip("chip-exclude", { "data-field": f, "data-value": v, "data-kind": "exclude" },
        `Remove exclusion NOT ${FIELD_LABELS[f]}: ${v}`, el("span", { class: "chip-not" }, "NOT "),
        el("span", { class: "chip-field" }, FIELD_LABELS[f] + ": "), el("s", null, v)));
    }
  }
  if (hasDates(s)) {
    const label = `${s.from ? niceDate(s.from) : "…"} – ${s.to ? niceDate(s.to) : "…"}`;
    box.append(chip("chip-dates", { "data-kind": "dates" }, `Remove date filter ${label}`,
      el("span", { class: "chip-field" }, "Dates: "), label));
  }
  if (filterCount(s) > 1) {
    box.append(el("button", { type: "button", class: "btn btn-link clear-all", id: "clear-filters" }, "Clear all filters"));
  }
  box.hidden = !box.firstChild;
}

function onChipClick(e) {
  const btn = e.target.closest("button");
  if (!btn) return;
  const s = readState(location.search);
  s.offset = 0;
  if (btn.id === "clear-filters") {
    for (const f of FILTER_FIELDS) { s.inc[f] = []; s.exc[f] = []; }
    s.from = s.to = ""; s.by = "";
  } else if (btn.dataset.kind === "dates") {
    s.from = s.to = ""; s.by = "";
  } else if (btn.dataset.field) {
    const list = btn.dataset.kind === "exclude" ? s.exc : s.inc;
    list[btn.dataset.field] = list[btn.dataset.field].filter((v) => v !== btn.dataset.value);
  } else return;
  goSearch(s);
}

/* Facet sidebar */

function renderFacets(facets, s) {
  const aside = clear($("facets"));
  aside.append(el("h2", { class: "panel-title" }, "Filter results"));
  for (const field of FACET_FIELDS) {
    const facet = facets.find((f) => f && f.field === field) || { field, counts: [] };
    aside.append(field === "month" ? monthFacet(facet, s) : valueFacet(facet, s));
  }
}

function facetSection(field, facet, rows, s) {
  const title = FACET_TITLES[field] || FIELD_LABELS[field] || field;
  const distinct = typeof facet.distinct === "number" ? facet.distinct : 0;
  const list = el("ul", { class: "facet-values" }, rows);
  if (!rows.length) list.append(el("li", { class: "facet-empty" }, "none"));
  const open = s.more.includes(field);
  const toggle = distinct > FACET_SIZE
    ? el("button", { type: "button", class: "btn btn-link facet-more", id: "fm-" + field, "data-field": field, "aria-expanded": String(open) },
      open ? "Show fewer" : `Show more (${fmt(distinct)} in all)`)
    : null;
  return el("section", { class: "facet", "data-field": field, id: "facet-" + field },
    el("h3", { class: "facet-title" }, title,
      el("span", { class: "facet-distinct" }, distinct > rows.length ? ` (${fmt(distinct)})` : "")), list, toggle);
}

/** The counts shown: FACET_SIZE of them unless the field is expanded. */
const shownCounts = (facet, s) =>
  (facet.counts || []).filter((c) => c && typeof c.value === "string")
    .slice(0, s.more.includes(facet.field) ? FACET_MORE : FACET_SIZE);

function valueFacet(facet, s) {
  const field = facet.field;
  const counts = shownCounts(facet, s);
  const seen = new Set(counts.map((c) => c.value));
  // Selected values stay visible even if they fell out of the top list.
  for (const v of s.inc[field] || []) if (!seen.has(v)) counts.push({ value: v, count: null });
  const rows = counts.map((c) => facetRow(field, c.value, c.count, s.inc[field].includes(c.value), true));
  for (const v of s.exc[field] || []) rows.push(excludedRow(field, v));
  return facetSection(field, facet, rows, s);
}

function facetRow(field, value, count, checked, excludable) {
  const id = `fv-${field}-${hashId(value)}`;
  const li = el("li", { class: "facet-value" + (checked ? " selected" : ""), "data-field": field, "data-value": value },
    el("input", { type: "checkbox", class: "facet-include", id, checked, "data-field": field, "data-value": value }),
    el("label", { for: id, class: "facet-label" },
      el("span", { class: "facet-name", title: value }, field === "month" ? niceMonth(value) : value),
      el("span", { class: "facet-count" }, count === null ? "" : fmt(count))));
  if (excludable) {
    li.append(el("button", { type: "button", class: "facet-exclude", title: "exclude", id: `fx-${field}-${hashId(value)}`,
      "aria-label": `Exclude ${FIELD_LABELS[field]}: ${value}`, "data-field": field, "data-value": value }, "⊘"));
  }
  return li;
}

function excludedRow(field, value) {
  return el("li", { class: "facet-value excluded", "data-field": field, "data-value": value, "data-excluded": "true" },
    el("span", { class: "facet-not" }, "NOT"), el("s", { class: "facet-name" }, value),
    el("button", { type: "button", class: "facet-unexclude", title: "remove exclusion", id: `fu-${field}-${hashId(value)}`,
      "aria-label": `Remove exclusion ${FIELD_LABELS[field]}: ${value}`, "data-field": field, "data-value": value }, "↺"));
}

function monthFacet(facet, s) {
  const counts = shownCounts(facet, s).filter((c) => /^\d{4}-\d{2}$/.test(c.value))
    .sort((a, b) => (a.value < b.value ? -1 : 1));
  const rows = counts.map((c) => {
    const from = c.value + "-01";
    return facetRow("month", c.value, c.count, s.from === from && s.to === bucketEnd(from, "month"), false);
  });
  return facetSection("month", facet, rows, s);
}

/** A short stable token for element ids (values may hold any characters). */
function hashId(str) {
  let h = 5381;
  for (let i = 0; i < str.length; i++) h = ((h * 33) ^ str.charCodeAt(i)) >>> 0;
  return h.toString(36);
}

function onFacetChange(e) {
  const box = e.target;
  if (!box.classList.contains("facet-include")) return;
  const { field, value } = box.dataset;
  const s = readState(location.search);
  s.offset = 0;
  if (field === "month") {
    const from = value + "-01";
    if (box.checked) { s.from = from; s.to = bucketEnd(from, "month"); } else { s.from = s.to = ""; }
    s.by = "";
  } else {
    s.inc[field] = s.inc[field].filter((v) => v !== value);
    if (box.checked) s.inc[field].push(value);
    s.exc[field] = s.exc[field].filter((v) => v !== value);
  }
  goSearch(s);
}

function onFacetClick(e) {
  const btn = e.target.closest("button.facet-exclude, button.facet-unexclude, button.facet-more");
  if (!btn) return;
  const { field, value } = btn.dataset;
  const s = readState(location.search);
  if (btn.classList.contains("facet-more")) {
    s.more = s.more.includes(field) ? s.more.filter((f) => f !== field) : s.more.concat(field);
    return goSearch(s);
  }
  s.offset = 0;
  s.inc[field] = s.inc[field].filter((v) => v !== value);
  s.exc[field] = s.exc[field].filter((v) => v !== value);
  if (btn.classList.contains("facet-exclude")) s.exc[field].push(value);
  goSearch(s);
}

/* ---- Timeline chart (search view and entity view) ---------------------- */

const bucketShare = (b) => (typeof b.share === "number" ? b.share : b.total ? b.count / b.total : 0);

function bucketLabel(start, by) {
  if (by === "year") return start.slice(0, 4);
  if (by === "month") return start.slice(0, 7);
  return start;
}

/**
 * Draws a bar chart into `box`. opts: { share, onRange(from, to) }.
 * Click a bar, drag across bars, or use the arrow keys and Enter.
 */
function drawTimeline(box, tl, opts) {
  clear(box);
  const by = tl.interval || "month";
  const buckets = (tl.buckets || []).filter((b) => b && parseDay(b.start)); // the API lists empty periods too
  if (!buckets.length) {
    box.append(el("p", { class: "timeline-empty" }, "No dated articles."));
    return;
  }
  const W = Math.max(280, Math.floor(box.clientWidth || 800));
  const H = 150, ml = 44, mr = 6, mt = 10, mb = 22;
  const pw = W - ml - mr, ph = H - mt - mb;
  const values = buckets.map((b) => (opts.share ? bucketShare(b) : b.count || 0));
  const max = Math.max(...values) || 1;
  const bw = pw / buckets.length;
  const gap = bw > 6 ? Math.min(2, bw * 0.15) : 0;
  const barW = Math.min(48, Math.max(0.5, bw - gap)); // each bar centred in its column
  const yFmt = (v) => (opts.share ? `${(v * 100).toFixed(v * 100 < 10 ? 1 : 0)}%` : fmt(v));

  const svg = svgEl("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "timeline-svg",
    tabindex: "0", role: "group",
    "aria-label": `Articles per ${by}. Arrow keys pick a period, Shift+arrow extends, Enter filters.` });
  svg.append(
    svgEl("line", { class: "axis", x1: ml, x2: W - mr, y1: mt + ph + 0.5, y2: mt + ph + 0.5 }),
    svgEl("line", { class: "gridline", x1: ml, x2: W - mr, y1: mt + 0.5, y2: mt + 0.5 }),
    svgEl("text", { class: "axis-label", x: ml - 6, y: mt + 4, "text-anchor": "end" }, yFmt(max)),
    svgEl("text", { class: "axis-label", x: ml - 6, y: mt + ph, "text-anchor": "end" }, "0"));

  const bars = buckets.map((b, i) => {
    const v = values[i];
    const h = v > 0 ? Math.max(1.5, (v / max) * ph) : 0;
    const label = b.label || bucketLabel(b.start, by);
    let tip = `${label}: ${fmt(b.count || 0)}`;
    if (opts.share) tip += ` (${yFmt(bucketShare(b))} of ${fmt(b.total || 0)})`;
    const rect = svgEl("rect", { class: "bar" + (!opts.share && tl.peak && label === tl.peak ? " peak" : ""),
      x: (ml + i * bw + (bw - barW) / 2).toFixed(2), y: (mt + ph - h).toFixed(2),
      width: barW.toFixed(2), height: h.toFixed(2),
      "data-start": b.start, "data-end": bucketEnd(b.start, by), "data-label": label,
      "data-count": b.count || 0, "data-index": i }, svgEl("title", null, tip));
    svg.append(rect);
    return rect;
  });

  // x-axis labels, spaced so they do not overlap
  const every = Math.max(1, Math.ceil(buckets.length / Math.max(1, Math.floor(pw / 80))));
  for (let i = 0; i < buckets.length; i += every) {
    const label = buckets[i].label || bucketLabel(buckets[i].start, by);
    const x = ml + i * bw + bw / 2;
    if (x + label.length * 3.3 > W) break; // would be cut at the right edge
    svg.append(svgEl("text", { class: "axis-label", x: x.toFixed(1), y: H - 6, "text-anchor": "middle" }, label));
  }

  const sel = svgEl("rect", { class: "selection", x: 0, y: mt, width: 0, height: ph, visibility: "hidden" });
  svg.append(sel);
  box.append(svg);

  const note = [`${fmt(tl.dated || 0)} dated article${tl.dated === 1 ? "" : "s"}`];
  if (tl.undated) note.push(`${fmt(tl.undated)} undated (not shown)`);
  if (tl.peak) note.push(`peak ${tl.peak}`);
  if ((tl.buckets || []).length >= MAX_BUCKETS) note.push(`only the first ${fmt(MAX_BUCKETS)} periods: pick a longer interval`);
  const live = el("span", { class: "visually-hidden", "aria-live": "polite" });
  box.append(el("p", { class: "timeline-note" }, note.join(" · "), live));

  attachChartInput(svg, { buckets, bars, sel, by, ml, bw, W, live, onRange: opts.onRange });
}

/** Click, drag (mouse, pen, touch) and keyboard selection of bars. */
function attachChartInput(svg, c) {
  const n = c.buckets.length;
  const sel = {
    show(a, b) {
      const lo = Math.min(a, b), hi = Math.max(a, b);
      c.sel.setAttribute("x", (c.ml + lo * c.bw).toFixed(2));
      c.sel.setAttribute("width", ((hi - lo + 1) * c.bw).toFixed(2));
      c.sel.setAttribute("visibility", "visible");
    },
    hide: () => c.sel.setAttribute("visibility", "hidden"),
    apply(a, b) {
      const lo = Math.min(a, b), hi = Math.max(a, b);
      if (c.onRange) c.onRange(c.buckets[lo].start, bucketEnd(c.buckets[hi].start, c.by));
    },
  };
  const indexAt = (clientX, clamp) => {
    const r = svg.getBoundingClientRect();
    const x = (clientX - r.left) * (c.W / (r.width || c.W));
    let i = Math.floor((x - c.ml) / c.bw);
    if (clamp) i = Math.max(0, Math.min(n - 1, i));
    return i >= 0 && i < n ? i : -1;
  };
  attachChartPointer(svg, indexAt, sel);
  attachChartKeys(svg, c, sel);
}

/** Pointer events (mouse, pen, touch), with plain mouse events as a fallback. */
function attachChartPointer(svg, indexAt, sel) {
  let drag = null, lastEnd = -1e9;
  const end = () => {
    if (!drag) return;
    const d = drag;
    drag = null;
    lastEnd = performance.now();
    sel.apply(d.a, d.b);
  };
  const start = (e) => {
    if (drag || (e.button !== undefined && e.button !== 0)) return;
    const i = indexAt(e.clientX, false);
    if (i < 0) return;
    drag = { a: i, b: i };
    sel.show(i, i);
    if (e.pointerId !== undefined && svg.setPointerCapture) {
      try { svg.setPointerCapture(e.pointerId); } catch (err) { /* synthetic event */ }
    }
    // the button may come up outside the chart
    window.addEventListener(e.type === "pointerdown" ? "pointerup" : "mouseup", end, { once: true });
  };
  const move = (e) => {
    if (!drag) return;
    drag.b = indexAt(e.clientX, true);
    sel.show(drag.a, drag.b);
  };
  svg.addEventListener("pointerdown", start);
  svg.addEventListener("mousedown", start);
  svg.addEventListener("pointermove", move);
  svg.addEventListener("mousemove", move);
  svg.addEventListener("pointercancel", () => { drag = null; sel.hide(); });
  // A click event without the down/up pair (e.g. a synthetic one) still works.
  svg.addEventListener("click", (e) => {
    if (performance.now() - lastEnd < 500) return;
    const i = indexAt(e.clientX, false);
    if (i >= 0) sel.apply(i, i);
  });
}

/** Arrow keys pick a bar, Shift+arrows a range, Enter filters, Escape drops it. */
function attachChartKeys(svg, c, sel) {
  const n = c.buckets.length;
  let cursor = -1, anchor = -1;
  svg.addEventListener("keydown", (e) => {
    if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) {
      e.preventDefault();
      if (e.key === "Home") cursor = 0;
      else if (e.key === "End") cursor = n - 1;
      else if (cursor < 0) cursor = e.key === "ArrowLeft" ? n - 1 : 0;
      else cursor = Math.max(0, Math.min(n - 1, cursor + (e.key === "ArrowLeft" ? -1 : 1)));
      if (!e.shiftKey || anchor < 0) anchor = cursor;
      sel.show(anchor, cursor);
      const b = c.buckets[cursor];
      c.live.textContent = `${b.label || b.start}: ${fmt(b.count || 0)}`;
    } else if ((e.key === "Enter" || e.key === " ") && cursor >= 0) {
      e.preventDefault();
      sel.apply(anchor, cursor);
    } else if (e.key === "Escape" && cursor >= 0) {
      cursor = anchor = -1;
      sel.hide();
    }
  });
  svg.addEventListener("blur", () => { cursor = anchor = -1; sel.hide(); });
}

function drawSearchTimeline(error) {
  const box = $("timeline");
  if (!lastSearch) return;
  if (error || !lastSearch.timeline) {
    clear(box).append(el("p", { class: "timeline-empty" }, error ? `Timeline unavailable: ${error}` : ""));
    return;
  }
  const tl = lastSearch.timeline;
  if (INTERVALS.includes(tl.interval)) $("interval").value = tl.interval;
  drawTimeline(box, tl, {
    share: lastSearch.state.share,
    onRange: (from, to) => {
      const s = readState(location.search);
      s.from = from; s.to = to; s.offset = 0; s.by = "";
      goSearch(s);
    },
  });
}

/* ---- Article view ------------------------------------------------------ */

function backLink() {
  let href = "/";
  try { href = sessionStorage.getItem("newswire.lastSearch") || "/"; } catch (e) { /* ignore */ }
  return el("a", { class: "back-link", id: "back-link", href }, href === "/" ? "← All articles" : "← Back to results");
}

async function showArticle(id, seq, signal) {
  const box = $("article");
  const enc = encodeURIComponent(id);
  const [art, sim] = await Promise.allSettled([
    api(`/articles/${enc}`, null, signal),
    api(`/articles/${enc}/similar`, new URLSearchParams({ limit: "8" }), signal),
  ]);
  if (seq !== routeSeq) return;
  showView("article");
  clear(box);
  if (art.status === "rejected") {
    box.append(backLink());
    throw art.reason;
  }
  const a = art.value;
  document.title = `${a.headline || a.id} – newswire`;

  const meta = hitMeta(a);
  if (a.byline) meta.append(el("span", { class: "sep", "aria-hidden": "true" }, " · "), el("span", { class: "byline" }, a.byline));
  const original = safeUrl(a.url);

  const main = el("div", { class: "article-main" },
    backLink(),
    el("h1", { class: "article-headline" }, a.headline || "(no headline)"),
    meta,
    original ? el("p", { class: "article-url" },
      el("a", { href: original, rel: "noopener noreferrer nofollow", target: "_blank" }, "Original article ↗")) : null,
    el("div", { class: "article-body", id: "article-body" }, bodyNodes(a.body || "", a)),
    el("p", { class: "article-id" }, "id ", el("code", null, a.id), a.path ? [" · ", el("code", null, a.path)] : null));

  const side = el("div", { class: "article-side" }, articleEntities(a),
    el("section", { class: "side-section" },
      el("h2", { class: "panel-title" }, "Near-duplicates"),
      fillHits(el("ol", { id: "near-duplicates", class: "hit-list compact" }), a.near_duplicates || [], true, "None.")),
    el("section", { class: "side-section" },
      el("h2", { class: "panel-title" }, "Similar stories"),
      sim.status === "fulfilled"
        ? fillHits(el("ol", { id: "similar", class: "hit-list compact" }), sim.value.hits || [], true, "None found.")
        : el("ol", { id: "similar", class: "hit-list compact" }, el("li", { class: "empty" }, `Unavailable: ${sim.reason.message}`))));

  box.append(el("div", { class: "article-layout" }, main, side));
  window.scrollTo(0, 0);
  if (location.hash === "#near-duplicates") $("near-duplicates").scrollIntoView();
}

/** Only http(s) links from data, so no javascript: URLs. */
function safeUrl(u) {
  if (typeof u !== "string") return null;
  try {
    const url = new URL(u);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (e) { return null; }
}

function articleEntities(a) {
  const section = el("section", { class: "side-section", id: "article-entities" },
    el("h2", { class: "panel-title" }, "Named in this article"));
  let any = false;
  for (const kind of ENTITY_KINDS) {
    const names = a[kind] || [];
    if (!names.length) continue;
    any = true;
    section.append(el("h3", { class: "entity-kind" }, FACET_TITLES[kind]),
      el("ul", { class: "chips" }, names.map((name) =>
        el("li", null, el("a", { class: `chip entity entity-${kind}`, href: entityHref(kind, name) }, name)))));
  }
  if (!any) section.append(el("p", { class: "empty" }, "No names found."));
  return section;
}

/** Body text as paragraphs, with entity names turned into links. */
function bodyNodes(body, a) {
  const text = body.replace(/\r\n?/g, "\n").trim();
  let paras = text.split(/\n[ \t]*\n+/);
  if (paras.length === 1) paras = text.split("\n");
  const names = [];
  for (const kind of ENTITY_KINDS) {
    for (const name of a[kind] || []) if (typeof name === "string" && name.trim().length > 1) names.push({ name, kind });
  }
  names.sort((x, y) => y.name.length - x.name.length);
  return paras.map((p) => p.replace(/\s*\n\s*/g, " ").trim()).filter(Boolean)
    .map((p) => el("p", null, markEntities(p, names)));
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const isBoundary = (text, i) => i < 0 || i >= text.length || !WORD_CHAR.test(text[i]);

/** Splits text into text nodes and entity links; longest names win, no overlaps. */
function markEntities(text, names) {
  const found = [];
  for (const { name, kind } of names) {
    for (let i = text.indexOf(name); i !== -1; i = text.indexOf(name, i + 1)) {
      const end = i + name.length;
      if (!isBoundary(text, i - 1) || !isBoundary(text, end)) continue;
      if (found.some((f) => i < f.end && end > f.start)) continue;
      found.push({ start: i, end, name, kind });
    }
  }
  found.sort((x, y) => x.start - y.start);
  const out = [];
  let pos = 0;
  for (const f of found) {
    if (f.start > pos) out.push(document.createTextNode(text.slice(pos, f.start)));
    out.push(el("a", { class: `entity entity-${f.kind}`, href: entityHref(f.kind, f.name), title: FIELD_LABELS[f.kind] },
      text.slice(f.start, f.end)));
    pos = f.end;
  }
  if (pos < text.length) out.push(document.createTextNode(text.slice(pos)));
  return out;
}

/* ---- Entity view ------------------------------------------------------- */

let lastEntity = null; // { data, box } for re-drawing on resize

async function showEntity(kind, name, seq, signal) {
  const box = $("entity");
  if (!ENTITY_KINDS.includes(kind)) {
    showView("entity");
    clear(box).append(backLink());
    throw new Error(`Unknown entity kind “${kind}”: use org, person or place.`);
  }
  const by = readState(location.search).by || "month";
  const d = await api(`/entities/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`,
    new URLSearchParams({ by }), signal);
  if (seq !== routeSeq) return;
  showView("entity");
  clear(box);
  document.title = `${d.name || name} – newswire`;

  const dates = d.first_date ? `${niceDate(d.first_date)} – ${niceDate(d.last_date)}` : "no dated articles";
  const searchLink = searchHref({ inc: { [kind]: d.name || name } });
  const intervalSel = el("select", { id: "entity-interval" },
    INTERVALS.map((v) => el("option", { value: v, selected: v === by }, v[0].toUpperCase() + v.slice(1))));
  intervalSel.addEventListener("change", () => navigate(`${location.pathname}?by=${intervalSel.value}`, true));
  const chart = el("div", { class: "timeline", id: "entity-timeline" });

  box.append(
    backLink(),
    el("p", { class: "entity-kind-label" }, FIELD_LABELS[kind]),
    el("h1", { class: "entity-name" }, d.name || name),
    el("p", { class: "entity-stats" },
      el("span", { id: "entity-count" }, `${fmt(d.count)} article${d.count === 1 ? "" : "s"}`), " · ",
      el("span", { id: "entity-dates" }, dates)),
    el("p", null, el("a", { class: "btn btn-primary", id: "entity-search", href: searchLink }, "Search articles naming it →")),
    el("section", { class: "timeline-panel" },
      el("div", { class: "timeline-head" }, el("h2", { class: "panel-title" }, "Timeline"),
        el("div", { class: "timeline-controls" }, el("label", { for: "entity-interval" }, "Interval"), intervalSel)),
      chart),
    el("div", { class: "entity-columns" },
      el("section", { class: "entity-recent" }, el("h2", { class: "panel-title" }, "Recent articles"),
        fillHits(el("ol", { id: "entity-recent", class: "hit-list" }), d.recent || [], false, "None.")),
      el("section", { class: "entity-related", id: "entity-related" }, el("h2", { class: "panel-title" }, "Often named with"),
        relatedNodes(d.related || []))));

  lastEntity = { data: d, kind, name: d.name || name };
  drawEntityTimeline();
  window.scrollTo(0, 0);
}

function relatedNodes(related) {
  const out = [];
  for (const facet of related) {
    if (!facet || !ENTITY_KINDS.includes(facet.field) || !(facet.counts || []).length) continue;
    out.push(el("h3", { class: "entity-kind" }, FACET_TITLES[facet.field]),
      el("ul", { class: "related-list" }, facet.counts.map((c) =>
        el("li", null,
          el("a", { class: `entity entity-${facet.field}`, href: entityHref(facet.field, c.value) }, c.value),
          el("span", { class: "facet-count" }, fmt(c.count))))));
  }
  if (!out.length) out.push(el("p", { class: "empty" }, "No other names."));
  return out;
}

function drawEntityTimeline() {
  const box = $("entity-timeline");
  if (!lastEntity || !box) return;
  const { data, kind, name } = lastEntity;
  drawTimeline(box, data.timeline || { buckets: [] }, {
    share: false,
    onRange: (from, to) => navigate(searchHref({ inc: { [kind]: name }, state: { from, to } })),
  });
}

/* ---- Footer: index stats ----------------------------------------------- */

async function loadStats() {
  try {
    const st = await api("/stats");
    const span = st.first_date ? ` from ${niceDate(st.first_date)} to ${niceDate(st.last_date)}` : "";
    const undated = st.undated ? ` (${fmt(st.undated)} undated)` : "";
    $("stats").textContent = `${fmt(st.articles)} articles in the index${span}${undated}`;
  } catch (err) {
    $("stats").textContent = "Index statistics unavailable.";
  }
}

/* ---- Controls, keyboard, start-up -------------------------------------- */

function toggleSyntax(open) {
  const help = $("syntax-help");
  const show = open === undefined ? help.hidden : open;
  help.hidden = !show;
  $("syntax-toggle").setAttribute("aria-expanded", String(show));
}

function onSubmit(e) {
  e.preventDefault();
  const onSearch = location.pathname === "/";
  const s = onSearch ? readState(location.search) : readState("");
  s.q = $("q").value.trim();
  s.offset = 0;
  goSearch(s);
}

/** A search-view control changed: update one field of the state. */
function onControl(update, pushNew) {
  return () => {
    const s = readState(location.search);
    update(s);
    if (pushNew) goSearch(s);
  };
}

function onKeydown(e) {
  const t = e.target;
  const typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
    e.preventDefault();
    $("q").focus();
    $("q").select();
  } else if (e.key === "Escape" && !$("syntax-help").hidden) {
    e.preventDefault(); // (in the search box, Escape would also clear it)
    const inside = $("syntax-help").contains(document.activeElement);
    toggleSyntax(false);
    if (inside) $("syntax-toggle").focus();
  }
}

let resizeTimer = 0;
function onResize() {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (!$("search-view").hidden) drawSearchTimeline("");
    if (!$("entity").hidden) drawEntityTimeline();
  }, 150);
}

function init() {
  $("search-form").addEventListener("submit", onSubmit);
  $("syntax-toggle").addEventListener("click", () => toggleSyntax());
  $("syntax-close").addEventListener("click", () => { toggleSyntax(false); $("syntax-toggle").focus(); });
  $("syntax-help").addEventListener("click", (e) => {
    const ex = e.target.closest("button.syntax-example");
    if (!ex) return;
    $("q").value = ex.textContent;
    toggleSyntax(false);
    $("q").focus();
  });
  $("sort").addEventListener("change", onControl((s) => { s.sort = $("sort").value; s.offset = 0; }, true));
  $("recent").addEventListener("change", onControl((s) => { s.recent = $("recent").checked; s.offset = 0; }, true));
  $("show-duplicates").addEventListener("change", onControl((s) => { s.dups = $("show-duplicates").checked; s.offset = 0; }, true));
  $("interval").addEventListener("change", onControl((s) => { s.by = $("interval").value; }, true));
  $("clear-dates").addEventListener("click", onControl((s) => { s.from = s.to = ""; s.by = ""; s.offset = 0; }, true));
  $("share-toggle").addEventListener("change", () => {
    const s = readState(location.search);
    s.share = $("share-toggle").checked;
    history.replaceState(null, "", pageUrl(s));
    if (lastSearch) { lastSearch.state.share = s.share; drawSearchTimeline(""); }
  });
  $("facets-toggle").addEventListener("click", () => {
    const open = $("facets").classList.toggle("open");
    $("facets-toggle").setAttribute("aria-expanded", String(open));
  });
  $("facets").addEventListener("change", onFacetChange);
  $("facets").addEventListener("click", onFacetClick);
  $("active-filters").addEventListener("click", onChipClick);
  document.addEventListener("click", onDocumentClick);
  document.addEventListener("keydown", onKeydown);
  window.addEventListener("popstate", onPopState);
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  window.addEventListener("resize", onResize);
  loadStats();
  route();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
