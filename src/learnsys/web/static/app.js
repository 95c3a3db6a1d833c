/* learnsys staff page: plain JavaScript over the versioned API. No build step, no external resources.
 *
 * Hash routes:  #/ or #/search?q=..&filters   search with facets
 *               #/doc/ID                      one case study or guide
 *               #/provider/ODS[?topic=uec]    a trust: metrics, SPC chart, assessment, support, buddies
 *               #/regional                    buddy assignment and collaborative wave plan tables
 */
"use strict";

const API = "/v1";
const FACETS = ["type", "priority_area", "evidence", "setting", "scale", "region", "nof_domain", "msf", "method", "icb",
  "provider"];
const FACET_TITLES = {
  type: "Document type", priority_area: "Priority area", region: "Region", nof_domain: "NOF domain",
  msf: "Modern Service Framework", method: "Improvement method", icb: "ICB", provider: "Provider",
  published_year: "Year published", evidence: "Strength of evidence", setting: "Setting", scale: "Scale",
};
/* Same wording as learnsys.corpus.provenance.LABELS */
const PROVENANCE_LABELS = {
  evidence: { "peer-reviewed": "Peer-reviewed study", "external-evaluation": "External evaluation",
    "national-programme": "National programme report", "trust-reported": "Reported by the organisation" },
  setting: { acute: "Acute", "mental-health": "Mental health", community: "Community", ambulance: "Ambulance",
    "primary-care": "Primary care", system: "System (several organisations)" },
  scale: { "ward-team": "Ward or team", department: "Department or service", trust: "Whole organisation",
    system: "System (several organisations)" },
};
const PRECISION_WORDS = { day: "", month: " (month only)", year: " (year only)" };
const PAGE_SIZE = 10;
const lookups = { concepts: {}, providers: {}, regions: {}, icbs: {} };
let searchToken = 0;

/* ---------- small helpers ---------- */

/* el, clear and ApiError come from dom.js */

async function api(path, options) {
  const init = Object.assign({ headers: { Accept: "application/json" } }, options || {});
  if (init.body && typeof init.body !== "string") {
    init.body = JSON.stringify(init.body);
    init.headers = Object.assign({ "Content-Type": "application/json" }, init.headers);
  }
  const response = await fetch(API + path, init);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, typeof body === "object" ? body : { detail: body });
  return body;
}

function errorBox(error, what) {
  const problem = error.problem || {};
  return el("div", { class: "error-box", role: "alert" },
    el("p", {}, el("strong", {}, `Could not load ${what}.`), " ", problem.title ? `${problem.title}: ` : "",
      error.message || ""));
}

function fmt(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (typeof value !== "number") return String(value);
  const d = digits === undefined ? (Math.abs(value) >= 100 ? 0 : 2) : digits;
  return value.toLocaleString("en-GB", { maximumFractionDigits: d, minimumFractionDigits: 0 });
}

function conceptLabel(scheme, notation) {
  const c = (lookups.concepts[scheme] || {})[notation];
  return c ? c.prefLabel : notation;
}

function facetLabel(name, value) {
  switch (name) {
    case "type": return value === "case-study" ? "Case study" : value === "guide" ? "Guide" : value;
    case "priority_area": return conceptLabel("priority-area", value);
    case "nof_domain": return conceptLabel("nof-domain", value);
    case "msf": return conceptLabel("msf", value);
    case "method": return conceptLabel("method", value);
    case "region": return lookups.regions[value] || value;
    case "icb": return lookups.icbs[value] || value;
    case "provider": return lookups.providers[value] ? `${lookups.providers[value].name} (${value})` : value;
    case "evidence": case "setting": case "scale": return (PROVENANCE_LABELS[name] || {})[value] || value;
    default: return value;
  }
}

function providerLink(ods) {
  const p = lookups.providers[ods];
  return el("a", { href: `#/provider/${encodeURIComponent(ods)}`, class: "provider-link" },
    p ? `${p.name} (${ods})` : ods);
}

/* A snippet is server-escaped text with <mark> highlights; keep only text and <mark>, drop anything else. */
function safeSnippet(html) {
  const template = document.createElement("template");
  template.innerHTML = html || "";
  const out = document.createDocumentFragment();
  const walk = (node, into) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) into.append(document.createTextNode(child.textContent));
      else if (child.nodeType === Node.ELEMENT_NODE) {
        if (child.tagName === "MARK") { const m = el("mark"); walk(child, m); into.append(m); }
        else walk(child, into);
      }
    }
  };
  walk(template.content, out);
  return out;
}

function hostOf(url) {
  try { return new URL(url).hostname.replace(/^www\./, ""); } catch (_) { return url; }
}

function externalLink(url, text) {
  const safe = /^https?:\/\//i.test(url) ? url : "#";
  return el("a", { href: safe, rel: "noopener noreferrer", class: "source-link" }, text || hostOf(url));
}

function table(caption, headers, rows, attrs) {
  return el("div", { class: "table-wrap" },
    el("table", attrs || {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", class: h.num ? "num" : null },
        h.label || h)))),
      el("tbody", {}, rows.length ? [] : el("tr", {}, el("td", { colspan: headers.length, class: "muted" }, "None.")),
        rows.map((cells) => el("tr", {}, cells.map((c, i) =>
        el(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null, class: headers[i].num ? "num" : null }, c)))))));
}

function setStatus(node, text, isError) {
  node.textContent = text;
  node.classList.toggle("error", Boolean(isError));
}

/* ---------- routing ---------- */

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query] = raw.split("?");
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query || "") };
}

function showView(name, focusTarget) {
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${name}`;
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (focusTarget) {
    focusTarget.setAttribute("tabindex", "-1");
    focusTarget.focus({ preventScroll: false });
  }
}

async function route() {
  const { parts, params } = parseHash();
  const [first, second] = parts;
  if (first === "doc" && second) return showDocument(second);
  if (first === "provider" && second) return showProvider(second.toUpperCase(), params);
  if (first === "regional") {
    showView("regional", document.getElementById("regional-heading"));
    document.title = "Regional planning – learnsys";
    return undefined;
  }
  showView("search");
  document.title = "learnsys: best practice and oversight for the NHS improvement system";
  return runSearch(params);
}

/* ---------- search ---------- */

function searchParamsFromForm() {
  const { params: current } = parseHash();
  const form = document.getElementById("search-form");
  const params = new URLSearchParams();
  const q = form.q.value.trim();
  if (q) params.set("q", q);
  for (const name of ["type", "priority_area", "region"]) {
    const value = form[name].value;
    // keep facet selections of this field unless the select names a single new value
    const kept = current.getAll(name);
    if (value) params.set(name, value);
    else if (kept.length > 1) kept.forEach((v) => params.append(name, v));
  }
  for (const name of FACETS.filter((n) => !["type", "priority_area", "region"].includes(n))) {
    current.getAll(name).forEach((v) => params.append(name, v));
  }
  if (form.published_after.value) params.set("published_after", form.published_after.value);
  const forProvider = form.for_provider.value.trim().toUpperCase();
  if (forProvider) params.set("for_provider", forProvider);
  return params;
}

function navigateSearch(params) {
  const target = `#/search?${params.toString()}`;
  if (location.hash === target) route();
  else location.hash = target;
}

function syncForm(params) {
  const form = document.getElementById("search-form");
  form.q.value = params.get("q") || "";
  for (const name of ["type", "priority_area", "region"]) {
    const values = params.getAll(name);
    form[name].value = values.length === 1 ? values[0] : "";
  }
  form.published_after.value = params.get("published_after") || "";
  form.for_provider.value = params.get("for_provider") || "";
}

async function runSearch(params) {
  syncForm(params);
  const status = document.getElementById("results-status");
  const results = document.getElementById("results");
  const facets = document.getElementById("facets");
  const pager = document.getElementById("pager");
  renderActiveFilters(params);
  const q = params.get("q");
  if (!q) {
    clear(results); clear(facets); clear(pager);
    setStatus(status, "Type a question to search case studies and guides.");
    return;
  }
  const token = ++searchToken;
  setStatus(status, "Searching…");
  const query = new URLSearchParams(params);
  query.set("k", String(PAGE_SIZE));
  try {
    const data = await api(`/search?${query.toString()}`);
    if (token !== searchToken) return;
    renderResults(data, params);
  } catch (error) {
    if (token !== searchToken) return;
    clear(results); clear(facets); clear(pager);
    setStatus(status, `Search failed: ${error.message}`, true);
  }
}

function renderActiveFilters(params) {
  const box = clear(document.getElementById("active-filters"));
  for (const name of [...FACETS, "published_after", "for_provider"]) {
    for (const value of params.getAll(name)) {
      const label = name === "published_after" ? `Published after ${value}`
        : name === "for_provider" ? `For ${facetLabel("provider", value)}` : facetLabel(name, value);
      box.append(el("button", {
        type: "button", class: "chip", "aria-label": `Remove filter ${FACET_TITLES[name] || name}: ${label}`,
        onclick: () => {
          const next = new URLSearchParams(params);
          const keep = next.getAll(name).filter((v) => v !== value);
          next.delete(name); keep.forEach((v) => next.append(name, v)); next.delete("offset");
          navigateSearch(next);
        },
      }, `${label} ✕`));
    }
  }
}

function renderResults(data, params) {
  const status = document.getElementById("results-status");
  const list = clear(document.getElementById("results"));
  const offset = data.offset || 0;
  const shown = data.results.length;
  const expanded = (data.expanded_terms || []).length ? ` Also searched for: ${data.expanded_terms.join(", ")}.` : "";
  setStatus(status, data.total === 0 ? `No results for “${data.query}”.${expanded}`
    : `${data.total} result${data.total === 1 ? "" : "s"} for “${data.query}”, showing ${offset + 1}–${offset + shown}.${expanded}`);
  data.results.forEach((r, i) => list.append(resultCard(r, offset + i + 1)));
  renderFacets(data.facets || {}, params);
  renderPager(data, params);
}

function resultCard(r, rank) {
  const ex = r.explanation || {};
  const typeLabel = facetLabel("type", r.type);
  const explain = el("details", { class: "explain" },
    el("summary", {}, "Why this result?"),
    el("dl", {},
      el("dt", {}, "Keyword match (BM25)"),
      el("dd", {}, ex.lexical_rank ? `rank ${ex.lexical_rank}, score ${fmt(ex.lexical_score, 3)}` : "no keyword match"),
      el("dt", {}, "Meaning match (embeddings)"),
      el("dd", {}, ex.dense_rank ? `rank ${ex.dense_rank}, cosine ${fmt(ex.dense_score, 3)}` : "not in the closest passages"),
      el("dt", {}, "Combined score"), el("dd", {}, fmt(ex.fused_score, 4)),
      el("dt", {}, "Knowledge-graph boost"),
      el("dd", {}, ex.graph_boost ? `+${fmt(ex.graph_boost * 100, 1)}%: ${ex.boost_reason || ""}` : "none"),
      el("dt", {}, "Synonyms used"),
      el("dd", {}, (ex.synonyms_used || []).length ? ex.synonyms_used.join(", ") : "none"),
      el("dt", {}, "Final score"), el("dd", {}, fmt(r.score, 4))));
  return el("li", { class: "card result", "data-id": r.id },
    el("h2", {}, el("a", { href: `#/doc/${encodeURIComponent(r.id)}`, class: "result-link" },
      el("span", { class: "visually-hidden" }, `Result ${rank}: `), r.title)),
    el("p", { class: "meta" },
      el("span", { class: `badge ${r.type}` }, typeLabel),
      r.evidence ? el("span", { class: "badge evidence", "data-evidence": r.evidence },
        el("span", { class: "visually-hidden" }, "Evidence: "), facetLabel("evidence", r.evidence)) : null,
      r.published ? `Published ${r.published}` : null,
      r.section ? ` · Section: ${r.section}` : null),
    (r.providers || []).length ? el("p", { class: "providers" }, "Provider" + (r.providers.length > 1 ? "s" : "") + ": ",
      r.providers.flatMap((ods, i) => (i ? [", ", providerLink(ods)] : [providerLink(ods)]))) : null,
    el("p", { class: "snippet" }, safeSnippet(r.snippet)),
    (r.sources || []).length ? el("p", { class: "sources" }, "Source: ",
      r.sources.slice(0, 3).flatMap((u, i) => (i ? [" · ", externalLink(u)] : [externalLink(u)]))) : null,
    explain);
}

function renderFacets(facets, params) {
  const box = clear(document.getElementById("facets"));
  box.append(el("h2", { class: "facets-heading" }, "Refine"));
  for (const name of FACETS) {
    const counts = facets[name] || {};
    const selected = new Set(params.getAll(name));
    const entries = Object.entries(counts);
    for (const value of selected) if (!(value in counts)) entries.push([value, 0]);
    if (!entries.length) continue;
    const items = entries.slice(0, 30).map(([value, count]) => {
      const id = `facet-${name}-${value}`.replace(/[^A-Za-z0-9_-]/g, "_");
      return el("li", {},
        el("input", {
          type: "checkbox", id, name: `facet-${name}`, value, checked: selected.has(value),
          "data-facet": name,
          onchange: (event) => {
            const next = new URLSearchParams(params);
            const values = new Set(next.getAll(name));
            if (event.target.checked) values.add(value); else values.delete(value);
            next.delete(name); [...values].forEach((v) => next.append(name, v)); next.delete("offset");
            navigateSearch(next);
          },
        }),
        el("label", { for: id }, facetLabel(name, value), " ", el("span", { class: "count" }, `(${count})`)));
    });
    box.append(el("fieldset", { class: "facet", "data-facet": name },
      el("legend", {}, FACET_TITLES[name]), el("ul", { class: "facet-list" }, items)));
  }
}

function renderPager(data, params) {
  const pager = clear(document.getElementById("pager"));
  const offset = data.offset || 0;
  const go = (to) => { const next = new URLSearchParams(params); next.set("offset", String(to)); navigateSearch(next); };
  if (offset > 0) pager.append(el("button", { type: "button", class: "button secondary", onclick: () => go(Math.max(0, offset - PAGE_SIZE)) }, "Previous page"));
  if (offset + PAGE_SIZE < data.total) pager.append(el("button", { type: "button", class: "button secondary", onclick: () => go(offset + PAGE_SIZE) }, "Next page"));
}

/* ---------- document ---------- */

function markdownBlocks(text) {
  // Minimal and safe: headings, bullet lists and paragraphs as text nodes (no HTML is interpreted).
  const out = document.createDocumentFragment();
  let list = null;
  const para = [];
  const flush = () => { if (para.length) { out.append(el("p", {}, para.join(" ").replace(/[*_`]+/g, ""))); para.length = 0; } };
  for (const line of (text || "").split("\n")) {
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    const bullet = line.match(/^\s*(?:[-*]|\d+\.)\s+(.*)$/);
    if (heading) { flush(); list = null; out.append(el(heading[1].length <= 2 ? "h2" : "h3", {}, heading[2])); }
    else if (bullet) { flush(); if (!list) { list = el("ul"); out.append(list); } list.append(el("li", {}, bullet[1].replace(/[*_`]+/g, ""))); }
    else if (!line.trim()) { flush(); list = null; }
    else { list = null; para.push(line.trim()); }
  }
  flush();
  return out;
}

function contactLine(contact) {
  if (!contact || !contact.team) return "–";
  if (!contact.url) return contact.team;
  return el("span", {}, contact.team, " – ", externalLink(contact.url, `ask via ${hostOf(contact.url)}`));
}

/* What improvement-collaborative teams (real ones only) did with this document's change idea. */
function learningPanel(c) {
  return el("section", { class: "panel learning", "aria-labelledby": "learning-heading", "data-field": "collaborative_learning" },
    el("h2", { id: "learning-heading" }, "Tested in improvement collaboratives"),
    el("p", { class: "plain" }, c.summary.charAt(0).toUpperCase() + c.summary.slice(1) + "."),
    el("dl", { class: "kv" },
      el("dt", {}, "Teams that tested it"), el("dd", { "data-count": "tested" }, String(c.tested)),
      el("dt", {}, "Adopted"), el("dd", { "data-count": "adopted" }, String(c.adopted)),
      el("dt", {}, "Adapted"), el("dd", { "data-count": "adapted" }, String(c.adapted)),
      el("dt", {}, "Abandoned"), el("dd", { "data-count": "abandoned" }, String(c.abandoned)),
      el("dt", {}, "Improvement signal on the linked measure"), el("dd", { "data-count": "improvement_signal" }, String(c.improvement_signal))));
}

async function showDocument(id) {
  const box = clear(document.getElementById("doc"));
  showView("doc");
  box.append(el("p", { role: "status" }, "Loading…"));
  try {
    const d = await api(`/documents/${encodeURIComponent(id)}`);
    clear(box);
    document.title = `${d.title} – learnsys`;
    const h1 = el("h1", { id: "doc-title", tabindex: "-1" }, d.title);
    box.append(h1,
      el("p", { class: "meta" }, el("span", { class: `badge ${d.type}` }, facetLabel("type", d.type)),
        d.published ? `Published ${d.published}${PRECISION_WORDS[d.published_precision] || ""}`
          : "Publication date not shown by the source"),
      (d.providers || []).length ? el("p", {}, "Provider" + (d.providers.length > 1 ? "s" : "") + ": ",
        d.providers.flatMap((ods, i) => (i ? [", ", providerLink(ods)] : [providerLink(ods)]))) : null,
      d.summary ? el("p", { class: "lede" }, d.summary) : null,
      el("dl", { class: "kv panel" },
        el("dt", {}, "Priority areas"), el("dd", {}, (d.priority_areas || []).map((a) => conceptLabel("priority-area", a)).join(", ") || "–"),
        el("dt", {}, "NOF domains"), el("dd", {}, (d.nof_domains || []).map((a) => conceptLabel("nof-domain", a)).join(", ") || "–"),
        el("dt", {}, "Methods"), el("dd", {}, (d.methods || []).map((a) => conceptLabel("method", a)).join(", ") || "–"),
        el("dt", {}, "Strength of evidence"), el("dd", { "data-field": "evidence" }, d.evidence ? facetLabel("evidence", d.evidence) : "–"),
        el("dt", {}, "Setting"), el("dd", { "data-field": "setting" }, d.setting ? facetLabel("setting", d.setting) : "–"),
        el("dt", {}, "Scale"), el("dd", { "data-field": "scale" }, d.scale ? facetLabel("scale", d.scale) : "–"),
        el("dt", {}, "Who to contact"), el("dd", { "data-field": "contact" }, contactLine(d.contact))));
    if ((d.metrics || []).length) {
      box.append(table("What changed", ["Measure", { label: "Before", num: true }, { label: "After", num: true }, "Unit", "Period"],
        d.metrics.map((m) => [m.name, fmt(m.baseline), fmt(m.result), m.unit || "", m.period || ""])));
    }
    if (d.collaborative_learning) box.append(learningPanel(d.collaborative_learning));
    box.append(el("div", { class: "doc-body" }, markdownBlocks(d.body)));
    if ((d.sources || []).length) {
      box.append(el("h2", {}, "Sources"), el("ul", { class: "sources" },
        d.sources.map((s) => el("li", {}, externalLink(s.url, s.title || s.url), s.publisher ? ` (${s.publisher})` : ""))));
    }
    h1.focus();
  } catch (error) {
    clear(box).append(errorBox(error, "the document"));
  }
}

/* ---------- provider ---------- */

function assessmentPanel(profile) {
  const a = profile.current_assessment;
  const panel = el("section", { class: `panel assessment ${a && !a.official ? "indicative" : ""}`, "aria-labelledby": "assessment-heading" },
    el("h2", { id: "assessment-heading" }, "Oversight assessment"));
  if (!a) {
    panel.append(el("p", {}, "No NHS Oversight Framework assessment is held for this trust."));
    return panel;
  }
  const plain = a.official
    ? `Segment ${a.segment}: official NHS Oversight Framework assessment for ${a.period}.`
    : `Segment ${a.segment}: indicative only. learnsys computed this with the NOF 2025/26 method for ${a.period}; it is not an official segmentation.`;
  panel.append(
    el("p", { class: "plain" }, el("span", { class: `badge ${a.status}` }, a.official ? "Official" : "Indicative"), plain),
    el("dl", { class: "kv" },
      el("dt", {}, "Average score"), el("dd", {}, fmt(a.average_score)),
      a.rank ? el("dt", {}, "Rank") : null, a.rank ? el("dd", {}, String(a.rank)) : null,
      el("dt", {}, "Financial deficit"), el("dd", {}, a.financial_deficit === null ? "–" : a.financial_deficit ? "yes (segment capped at 3 or worse)" : "no"),
      el("dt", {}, "Source"), el("dd", {}, a.source_url ? externalLink(a.source_url, a.source_title || a.source) : (a.source_title || a.source || "–")),
      el("dt", {}, "Method"), el("dd", {}, a.method || "–")));
  const others = (profile.assessments || []).filter((x) => x !== a);
  if (others.length) {
    panel.append(el("details", {}, el("summary", {}, `All assessments held (${profile.assessments.length})`),
      table("Assessments, newest first", ["Period", "Status", { label: "Segment", num: true }, { label: "Average score", num: true }],
        profile.assessments.map((x) => [x.period, x.official ? "official" : "indicative", fmt(x.segment), fmt(x.average_score)]))));
  }
  return panel;
}

function supportPanel(support) {
  const panel = el("section", { class: "panel", "aria-labelledby": "support-heading" }, el("h2", { id: "support-heading" }, "Support for this segment"));
  if (!support || !support.support) {
    panel.append(el("p", {}, "No segment support is recorded for this trust."));
    return panel;
  }
  const s = support.support;
  panel.append(
    el("p", {}, `${s.label} (${support.status === "official" ? "from the official assessment" : "from the indicative assessment, not official"}): ${s.description || ""}`),
    support.note ? el("p", { class: "muted support-note" }, support.note) : null,
    el("h3", {}, "Support offers"),
    el("ul", { class: "offers" }, (s.offers || []).map((o) => el("li", {}, el("strong", {}, o.label), o.description ? `: ${o.description}` : ""))),
    (s.nhse_support || []).length ? el("h3", {}, "NHS England support") : null,
    (s.nhse_support || []).length ? el("ul", {}, s.nhse_support.map((t) => el("li", {}, t))) : null,
    (s.organisation_role || []).length ? el("h3", {}, "Expected role in the learning system") : null,
    (s.organisation_role || []).length ? el("ul", {}, s.organisation_role.map((t) => el("li", {}, t))) : null,
    (s.improvement_driven_by || []).length ? el("h3", {}, "Improvement driven by") : null,
    (s.improvement_driven_by || []).length ? el("ul", {}, s.improvement_driven_by.map((t) => el("li", {}, t))) : null,
    support.source ? el("p", { class: "muted" }, `Source: ${support.source}`) : null);
  return panel;
}

function metricsPanel(profile) {
  const rows = (profile.latest_metrics || []).map((m) => [
    m.label || m.metric, m.period, fmt(m.value), m.unit === "percent" ? "%" : (m.unit || ""),
    fmt(m.national_median), m.direction === "higher" ? "higher" : m.direction === "lower" ? "lower" : "–"]);
  return el("section", { class: "panel", "aria-labelledby": "metrics-heading" },
    el("h2", { id: "metrics-heading" }, "Latest metrics"),
    rows.length ? el("div", { class: "scroll-box", tabindex: "0", role: "region", "aria-label": "Latest metrics table (scrollable)" },
      table(`Latest value of each of ${rows.length} metrics`, ["Metric", "Period", { label: "Value", num: true }, "Unit",
        { label: "National median", num: true }, "Better is"], rows, { id: "latest-metrics" }))
      : el("p", {}, "No metrics are held for this trust."));
}

const SVG_NS = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  for (const c of children) if (c) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function spcChart(chart) {
  const W = 760, H = 340, m = { l: 56, r: 110, t: 16, b: 56 };
  const pts = chart.points || [];
  const values = pts.map((p) => p.value);
  const extra = [chart.ucl, chart.lcl, chart.mean, chart.target].filter((v) => typeof v === "number");
  let lo = Math.min(...values, ...extra), hi = Math.max(...values, ...extra);
  const pad = (hi - lo) * 0.08 || 1; lo -= pad; hi += pad;
  const x = (i) => m.l + (pts.length <= 1 ? 0 : (i * (W - m.l - m.r)) / (pts.length - 1));
  const y = (v) => m.t + (H - m.t - m.b) * (1 - (v - lo) / (hi - lo));
  const kinds = {};
  for (const s of chart.signals || []) for (const p of s.periods || []) kinds[p] = s.direction;
  const titleId = `spc-title-${chart.metric}`, descId = `spc-desc-${chart.metric}`;
  const improving = (chart.signals || []).filter((s) => s.direction === "improvement").length;
  const concern = (chart.signals || []).filter((s) => s.direction === "concern").length;
  const unit = chart.unit === "percent" ? "%" : "";
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, class: "spc-chart", "data-metric": chart.metric },
    svg("title", { id: titleId }, `${chart.label || chart.metric}: XmR chart for ${chart.name || chart.provider}`),
    svg("desc", { id: descId }, `${pts.length} monthly points from ${pts.length ? pts[0].period : ""} to ${pts.length ? pts[pts.length - 1].period : ""}. ` +
      `Mean ${fmt(chart.mean)}${unit}, upper process limit ${fmt(chart.ucl)}${unit}, lower process limit ${fmt(chart.lcl)}${unit}` +
      (typeof chart.target === "number" ? `, target ${fmt(chart.target)}${unit}` : "") +
      `. ${improving} improvement and ${concern} concern signal(s).`));
  // y axis ticks
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const v = lo + ((hi - lo) * i) / ticks;
    root.append(svg("line", { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), stroke: "#e8edee" }),
      svg("text", { x: m.l - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#4c6272" }, fmt(v, 1)));
  }
  const step = Math.max(1, Math.ceil(pts.length / 8));
  pts.forEach((p, i) => {
    if (i % step === 0 || i === pts.length - 1) {
      root.append(svg("text", { x: x(i), y: H - m.b + 18, "text-anchor": "middle", "font-size": 11, fill: "#4c6272" }, p.period));
    }
  });
  const hline = (v, colour, dash, label, cls) => {
    if (typeof v !== "number") return;
    root.append(svg("line", { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), stroke: colour, "stroke-width": 2, "stroke-dasharray": dash, class: cls }),
      svg("text", { x: W - m.r + 6, y: y(v) + 4, "font-size": 11, fill: colour }, `${label} ${fmt(v, 1)}`));
  };
  hline(chart.ucl, "#4c6272", "6 4", "UCL", "spc-ucl");
  hline(chart.lcl, "#4c6272", "6 4", "LCL", "spc-lcl");
  hline(chart.mean, "#212b32", null, "Mean", "spc-mean");
  hline(chart.target, "#d5281b", "2 3", "Target", "spc-target");
  root.append(svg("polyline", { points: pts.map((p, i) => `${x(i)},${y(p.value)}`).join(" "), fill: "none", stroke: "#768692", "stroke-width": 2 }));
  pts.forEach((p, i) => {
    const kind = kinds[p.period];
    const colour = kind === "improvement" ? "#005eb8" : kind === "concern" ? "#ed8b00" : "#768692";
    root.append(svg("circle", { cx: x(i), cy: y(p.value), r: kind ? 5 : 3.5, fill: colour, class: `spc-point ${kind || "common"}` },
      svg("title", {}, `${p.period}: ${fmt(p.value)}${unit}${kind ? ` (special cause: ${kind})` : ""}`)));
  });
  root.append(svg("text", { x: 14, y: m.t + (H - m.t - m.b) / 2, transform: `rotate(-90 14 ${m.t + (H - m.t - m.b) / 2})`, "text-anchor": "middle", "font-size": 12, fill: "#212b32" },
    chart.unit === "percent" ? "percent" : chart.unit || "value"));
  return root;
}

async function loadChart(ods, metric, box) {
  clear(box).append(el("p", { role: "status" }, "Loading chart…"));
  try {
    const chart = await api(`/providers/${encodeURIComponent(ods)}/spc/${encodeURIComponent(metric)}`);
    const unit = chart.unit === "percent" ? "%" : "";
    const signals = chart.signals || [];
    clear(box).append(
      el("figure", { class: "chart-figure" }, spcChart(chart),
        el("ul", { class: "legend", "aria-hidden": "true" },
          el("li", {}, "Mean: solid line; process limits (UCL, LCL): dashed; target: dotted red"),
          el("li", {}, "● blue: special-cause improvement"), el("li", {}, "● orange: special-cause concern")),
        el("figcaption", {}, `Mean ${fmt(chart.mean)}${unit}; process limits ${fmt(chart.lcl)}–${fmt(chart.ucl)}${unit} ` +
          `(mean ± 2.66 × mean moving range). Variation: ${(chart.variation || "").replace(/_/g, " ")}` +
          (chart.assurance ? `; assurance against the target: ${chart.assurance.replace(/_/g, " ")}.` : "."))),
      signals.length ? el("ul", { class: "signals" }, signals.map((s) => el("li", {},
        `${s.direction === "improvement" ? "Improvement" : "Concern"}: ${s.label} (${s.start}${s.end !== s.start ? ` to ${s.end}` : ""})`)))
        : el("p", {}, "No special-cause signals: common-cause variation only."),
      el("p", {}, el("a", { href: `${API}/providers/${encodeURIComponent(ods)}/spc/${encodeURIComponent(metric)}.svg` }, "Open the chart as an SVG image")),
      el("details", {}, el("summary", {}, "Chart data as a table"),
        table(`${chart.label || metric} by month`, ["Month", { label: "Value", num: true }, "Special cause"],
          (chart.points || []).map((p) => [p.period, fmt(p.value), p.special_cause ? (p.rules || []).join(", ") : "–"]))));
  } catch (error) {
    clear(box).append(errorBox(error, "the chart"));
  }
}

async function loadBuddies(ods, topic, box) {
  clear(box).append(el("p", { role: "status" }, "Finding buddies…"));
  try {
    const data = await api(`/providers/${encodeURIComponent(ods)}/buddies?topic=${encodeURIComponent(topic)}&k=5`);
    clear(box);
    const buddies = data.buddies || [];
    if (!buddies.length) {
      box.append(el("p", {}, `No buddy found for ${data.topic ? data.topic.label : topic}. ${data.note || ""}`));
      return;
    }
    const factorNames = Object.keys(buddies[0].factors || {});
    box.append(table(`Suggested buddies for ${data.topic ? data.topic.label : topic}`,
      ["Trust", { label: "Score", num: true }, ...factorNames.map((f) => ({ label: f.replace(/_/g, " "), num: true })), "Evidence"],
      buddies.map((b) => [providerLink(b.ods), fmt(b.score, 3), ...factorNames.map((f) => fmt(b.factors[f], 3)),
        (b.evidence || []).length ? el("ul", { class: "evidence" }, b.evidence.slice(0, 3).map((e) => el("li", {},
          e.id ? el("a", { href: `#/doc/${encodeURIComponent(e.id)}` }, e.title) : `${e.label || e.metric}: special-cause improvement from ${e.start}`)),
          b.evidence.length > 3 ? el("li", { class: "muted" }, `and ${b.evidence.length - 3} more`) : null)
          : "–"]), { id: "buddies-table" }),
    el("p", { class: "muted" }, "Score = the sum of the weighted factors (complementarity, context similarity, evidence, proximity, capacity). Every buddy is at least as good as this trust on the topic's headline metric and NOF domain score."));
  } catch (error) {
    clear(box).append(errorBox(error, "buddies"));
  }
}

function topicSelect(id, selected) {
  const options = Object.values(lookups.concepts["priority-area"] || {}).sort((a, b) => a.prefLabel.localeCompare(b.prefLabel));
  return el("select", { id, name: "topic" }, options.map((c) => el("option", { value: c.notation, selected: c.notation === selected }, c.prefLabel)));
}

async function showProvider(ods, params) {
  const box = clear(document.getElementById("provider"));
  showView("provider");
  box.append(el("p", { role: "status" }, "Loading…"));
  let profile;
  try {
    profile = await api(`/providers/${encodeURIComponent(ods)}`);
  } catch (error) {
    clear(box).append(el("h1", { id: "provider-title" }, ods), errorBox(error, "the provider"));
    return;
  }
  document.title = `${profile.name} – learnsys`;
  clear(box);
  const h1 = el("h1", { id: "provider-title", tabindex: "-1" }, `${profile.name} (${profile.ods})`);
  box.append(h1, el("dl", { class: "kv panel" },
    el("dt", {}, "Trust type"), el("dd", {}, profile.subtype || profile.type),
    el("dt", {}, "Region"), el("dd", {}, profile.region ? profile.region.name : "–"),
    el("dt", {}, "ICB"), el("dd", {}, profile.icb ? profile.icb.name : "–"),
    el("dt", {}, "Learning and Improvement Network"), el("dd", {}, profile.lin ? profile.lin.name : "–"),
    el("dt", {}, "Practice from this trust"),
    el("dd", {}, el("a", { href: `#/search?q=${encodeURIComponent(profile.name)}&provider=${encodeURIComponent(profile.ods)}` }, "Search its case studies"))));
  box.append(el("div", { class: "grid-2" }, assessmentPanel(profile), supportPanel(profile.support)));

  // chart: monthly metrics of this trust
  const monthly = (profile.latest_metrics || []).filter((m) => /^\d{4}-\d{2}$/.test(m.period));
  const defaultMetric = monthly.some((m) => m.metric === "ae_4h_all") ? "ae_4h_all" : (monthly[0] || {}).metric;
  const chartBox = el("div", { id: "spc" });
  const chartPanel = el("section", { class: "panel", "aria-labelledby": "chart-heading" },
    el("h2", { id: "chart-heading" }, "Monthly series with SPC limits"));
  if (defaultMetric) {
    const select = el("select", { id: "spc-metric", name: "metric" },
      monthly.map((m) => el("option", { value: m.metric, selected: m.metric === defaultMetric }, m.label || m.metric)));
    select.addEventListener("change", () => loadChart(profile.ods, select.value, chartBox));
    chartPanel.append(el("div", { class: "field" }, el("label", { for: "spc-metric" }, "Metric"), select), chartBox);
    loadChart(profile.ods, defaultMetric, chartBox);
  } else {
    chartPanel.append(el("p", {}, "No monthly series is held for this trust."));
  }
  box.append(chartPanel);

  // buddies
  const topic = params.get("topic") || "uec";
  const buddyBox = el("div", { id: "buddies", "aria-live": "polite" });
  const topicSel = topicSelect("buddy-topic", topic);
  topicSel.addEventListener("change", () => loadBuddies(profile.ods, topicSel.value, buddyBox));
  box.append(el("section", { class: "panel", "aria-labelledby": "buddies-heading" },
    el("h2", { id: "buddies-heading" }, "Buddy suggestions"),
    el("p", {}, "Comparable trusts that are stronger on the topic and could support this one."),
    el("div", { class: "field" }, el("label", { for: "buddy-topic" }, "Topic"), topicSel), buddyBox));
  loadBuddies(profile.ods, topic, buddyBox);
  box.append(metricsPanel(profile));
  h1.focus();
}

/* ---------- regional planning ---------- */

function factorsText(factors) {
  return Object.entries(factors || {}).map(([k, v]) => `${k.replace(/_/g, " ")} ${fmt(v, 3)}`).join("; ");
}

async function submitAssign(event) {
  event.preventDefault();
  const form = event.target;
  const status = document.getElementById("regional-status");
  const out = clear(document.getElementById("assignment"));
  setStatus(status, "Assigning buddies…");
  try {
    const body = { scope: form.scope.value, topic: form.topic.value, capacity: Number(form.capacity.value) };
    const r = await api("/buddies/assign", { method: "POST", body });
    setStatus(status, `Assignment: ${r.pairs.length} pair(s), ${r.unmatched.length} unmatched, total score ${fmt(r.total_score, 3)}.`);
    out.append(el("h2", { id: "assignment-heading", tabindex: "-1" }, `Buddy assignment: ${r.topic ? r.topic.label : body.topic}, ${r.scope}`),
      el("p", {}, `Challenged trusts in scope: ${r.challenged}; mentors available: ${r.mentors_available}; capacity ${r.capacity} per mentor. ` +
        `Based on ${r.assessments} assessments. Total score ${fmt(r.total_score, 3)}` +
        (r.baseline ? ` (greedy baseline: ${fmt(r.baseline.total_score, 3)}).` : ".")),
      table("Pairs", ["Mentee", "Mentor", { label: "Score", num: true }, "Factor contributions"],
        r.pairs.map((p) => [providerLink(p.mentee), providerLink(p.mentor), fmt(p.score, 3), factorsText(p.factors)]), { id: "assignment-table" }),
      r.unmatched.length ? table("Unmatched", ["Trust", "Reason"], r.unmatched.map((u) => [providerLink(u.ods), u.reason]), { id: "unmatched-table" }) : null);
  } catch (error) {
    setStatus(status, `Assignment failed: ${error.message}`, true);
  }
}

async function submitPlan(event) {
  event.preventDefault();
  const form = event.target;
  const status = document.getElementById("regional-status");
  const out = clear(document.getElementById("plan"));
  setStatus(status, "Planning waves…");
  try {
    const body = { topic: form.topic.value, wave_size: Number(form.wave_size.value), waves: Number(form.waves.value) };
    const r = await api("/collaboratives/plan", { method: "POST", body });
    setStatus(status, `Wave plan: ${r.waves.length} wave(s), ${r.cohort ? r.cohort.scheduled : ""} trusts scheduled.`);
    out.append(el("h2", {}, `Collaborative wave plan: ${r.topic ? r.topic.label : body.topic}`),
      el("p", {}, `Middle of the pack first; the most challenged go to intensive support; strong performers act as faculty. Based on ${r.assessments} assessments.`));
    for (const wave of r.waves) {
      out.append(table(`Wave ${wave.number}: ${wave.size} trusts; faculty ${wave.faculty.map((f) => f.name).join(", ") || "none"}`,
        ["Trust", "Region", { label: "Segment", num: true }, { label: "Position (1 = best)", num: true }, "Headline"],
        wave.members.map((mb) => [providerLink(mb.ods), facetLabel("region", mb.region), fmt(mb.segment), fmt(mb.position, 2),
          mb.headline ? `${mb.headline.metric} ${fmt(mb.headline.value)} (${mb.headline.period})` : "–"]), { class: "wave-table" }));
    }
    if ((r.intensive_support || []).length) {
      out.append(table("Routed to intensive support instead of a wave", ["Trust", "Reason"],
        r.intensive_support.map((i) => [providerLink(i.ods), i.reason])));
    }
  } catch (error) {
    setStatus(status, `Wave plan failed: ${error.message}`, true);
  }
}

/* ---------- start ---------- */

async function loadLookups() {
  const schemes = ["priority-area", "nof-domain", "msf", "method"];
  const [providers, ...concepts] = await Promise.all([
    api("/providers?limit=500").catch(() => ({ items: [] })),
    ...schemes.map((s) => api(`/concepts/${s}`).catch(() => ({ concepts: [] })))]);
  schemes.forEach((s, i) => {
    lookups.concepts[s] = Object.fromEntries((concepts[i].concepts || []).map((c) => [c.notation, c]));
  });
  for (const p of providers.items || []) {
    lookups.providers[p.ods] = p;
    if (p.region) lookups.regions[p.region.code] = p.region.name;
    if (p.icb) lookups.icbs[p.icb.code] = p.icb.name;
  }
  const fill = (select, entries) => entries.forEach(([value, label]) => select.append(el("option", { value }, label)));
  const areas = Object.values(lookups.concepts["priority-area"]).sort((a, b) => a.prefLabel.localeCompare(b.prefLabel));
  const regions = Object.entries(lookups.regions).sort((a, b) => a[1].localeCompare(b[1]));
  fill(document.getElementById("f-priority_area"), areas.map((c) => [c.notation, c.prefLabel]));
  fill(document.getElementById("f-region"), regions);
  fill(document.getElementById("a-scope"), regions.map(([code, name]) => [code, `${name} (${code})`]));
  for (const select of document.querySelectorAll(".topic-select")) {
    fill(select, areas.map((c) => [c.notation, c.prefLabel]));
    select.value = "uec";
  }
}

async function waitUntilReady() {
  // While the server is still loading its graph and indexes, /ready answers 503: say so and retry.
  const status = document.getElementById("results-status");
  for (;;) {
    try {
      const response = await fetch(`${API}/ready`, { headers: { Accept: "application/json" } });
      if (response.ok) { setStatus(status, ""); return; }
    } catch (_) { /* server restarting: retry */ }
    setStatus(status, "learnsys is starting: loading the knowledge graph and search indexes…");
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("search-form");
  form.addEventListener("submit", (event) => { event.preventDefault(); navigateSearch(searchParamsFromForm()); });
  for (const name of ["type", "priority_area", "region", "published_after"]) {
    form[name].addEventListener("change", () => { if (form.q.value.trim()) navigateSearch(searchParamsFromForm()); });
  }
  document.getElementById("assign-form").addEventListener("submit", submitAssign);
  document.getElementById("plan-form").addEventListener("submit", submitPlan);
  document.getElementById("doc-back").addEventListener("click", (event) => {
    if (history.length > 1) { event.preventDefault(); history.back(); }
  });
  window.addEventListener("hashchange", route);
  await waitUntilReady();
  await loadLookups();
  document.body.dataset.ready = "true";
  await route();
});
