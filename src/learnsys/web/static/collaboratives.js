/* learnsys collaboratives: plain JavaScript over the versioned API. No build step, no external resources.
 *
 * Hash routes:  #/              the collaboratives you can see
 *               #/c/ID          the faculty dashboard of one collaborative
 *               #/team/ID       a team's page: this month's values, monthly report, PDSA cycles, charts
 * The API token (from `learnsys users add`) is kept in sessionStorage for this tab only.
 */
"use strict";

const API = "/v1";
const TOKEN_KEY = "learnsys-token";

/* el, clear and ApiError come from dom.js */

async function api(path, options) {
  const init = Object.assign({}, options || {});
  const headers = Object.assign({ Accept: "application/json" }, init.headers || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body && typeof init.body !== "string") {
    init.body = JSON.stringify(init.body);
    headers["Content-Type"] = "application/json";
  }
  init.headers = headers;
  const response = await fetch(API + path, init);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, typeof body === "object" ? body : { detail: body });
  return { body, etag: response.headers.get("etag"), status: response.status };
}

function fmt(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (typeof value !== "number") return String(value);
  return value.toLocaleString("en-GB", { maximumFractionDigits: digits === undefined ? 2 : digits });
}

function table(caption, headers, rows, cls) {
  return el("div", { class: "table-wrap" },
    el("table", { class: cls || null },
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.length ? [] : el("tr", {}, el("td", { colspan: headers.length }, "None.")),
        rows.map((cells) => el("tr", {}, cells.map((c, i) => el(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null }, c)))))));
}

function errorBox(error, what) {
  return el("div", { class: "error-box", role: "alert" },
    el("p", {}, el("strong", {}, `Could not ${what}.`), " ", error.problem.title ? `${error.problem.title}: ` : "",
      error.message || ""));
}

function setStatus(node, text, isError) {
  node.textContent = text;
  node.classList.toggle("error", Boolean(isError));
}

const VARIATION_TEXT = {
  common_cause: "Common cause",
  special_cause_improvement_high: "Improvement (high)",
  special_cause_improvement_low: "Improvement (low)",
  special_cause_concern_high: "Concern (high)",
  special_cause_concern_low: "Concern (low)",
  special_cause_neutral_high: "Special cause (high)",
  special_cause_neutral_low: "Special cause (low)",
};

function variationBadge(variation) {
  if (!variation) return el("span", { class: "var common" }, "Too few months");
  const kind = variation.includes("improvement") ? "improvement" : variation.includes("concern") ? "concern" : "common";
  return el("span", { class: `var ${kind}`, "data-variation": variation }, VARIATION_TEXT[variation] || variation);
}

function assuranceText(a) { return a ? a.replace(/_/g, " ") : "no target"; }

function syntheticBanner(data) {
  /* "" (not null) when real: Node.append would print null */
  return data && data.synthetic ? el("p", { class: "synthetic-banner", role: "note" }, data.synthetic) : "";
}

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  return raw.split("?")[0].split("/").filter(Boolean).map(decodeURIComponent);
}

function showView(name, heading) {
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${name}`;
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
}

async function route() {
  const [first, second] = parseHash();
  if (first === "c" && second) return showDashboard(second);
  if (first === "team" && second) return showTeam(second);
  showView("list");
  document.title = "Improvement collaboratives – learnsys";
  return showList();
}

/* ---------- list ---------- */

async function showList() {
  const box = clear(document.getElementById("collab-list"));
  try {
    const { body } = await api("/collaboratives");
    const items = body.collaboratives || [];
    box.append(items.length ? el("ul", { class: "collab-items" }, items.map((c) =>
      el("li", {}, el("a", { href: `#/c/${encodeURIComponent(c.id)}` }, c.title),
        ` – ${c.teams} team${c.teams === 1 ? "" : "s"}, ${c.region}${c.demo ? " (synthetic demo data)" : ""}`)))
      : el("p", {}, "No collaboratives you can see. Sign in, or load the demo with `learnsys demo collaborative`."));
  } catch (error) {
    box.append(errorBox(error, "load the collaboratives"));
  }
}

/* ---------- faculty dashboard ---------- */

async function showDashboard(id) {
  const box = clear(document.getElementById("dashboard"));
  showView("dashboard");
  box.append(el("p", { role: "status" }, "Loading the dashboard…"));
  try {
    const { body: d } = await api(`/collaboratives/${encodeURIComponent(id)}/dashboard`);
    clear(box);
    document.title = `${d.collaborative.title}: dashboard – learnsys`;
    const h1 = el("h1", { id: "dashboard-title" }, d.collaborative.title);
    const measures = d.measures || [];
    box.append(h1, syntheticBanner(d),
      el("p", { class: "lede" }, `Faculty dashboard for ${d.month || "no month yet"}: ${d.teams.length} teams, ${measures.length} measures.`),
      el("ul", { class: "stat-list", "aria-label": "Teams in special-cause improvement" },
        (d.special_cause_improvement || []).map((s) => {
          const m = measures.find((x) => x.id === s.measure_id);
          return el("li", { "data-measure": s.measure_id }, el("strong", {}, `${s.teams} of ${s.of}`), ` teams improving: ${m ? m.name : s.measure_id}`);
        })),
      el("p", { id: "reports-missing" }, d.reports_missing.length
        ? `Reports missing for ${d.month}: ${d.reports_missing.join(", ")}.` : `Every team has reported for ${d.month}.`),
      table(`Teams by measure (${d.month || ""}): latest value and Making Data Count variation`,
        ["Team", "Provider", "Progress score", ...measures.map((m) => `${m.name} (${m.unit})`)],
        d.teams.map((t) => [
          el("a", { href: `#/team/${encodeURIComponent(t.team_id)}` }, t.name),
          t.provider,
          fmt(t.progress_score),
          ...t.measures.map((m) => el("span", { "data-team": t.team_id, "data-measure": m.measure_id },
            `${fmt(m.latest)} `, variationBadge(m.variation), el("br"), el("small", {}, `${m.months} months; ${assuranceText(m.assurance)}`))),
        ]), "dashboard-table"),
      table("Spread of IHI progress scores by month", ["Month", "Teams", "Lowest", "Median", "Highest", "Mean"],
        (d.progress_scores || []).map((p) => [p.month, p.teams, fmt(p.min), fmt(p.median), fmt(p.max), fmt(p.mean)])),
      el("p", {},
        el("a", { href: `${API}/collaboratives/${encodeURIComponent(id)}/dashboard?format=csv`, download: "" }, "Download the dashboard as CSV"),
        " · ",
        el("a", { href: `${API}/collaboratives/${encodeURIComponent(id)}/dashboard?format=csv&part=progress`, download: "" }, "Progress scores as CSV")));
    h1.setAttribute("tabindex", "-1");
    h1.focus();
  } catch (error) {
    clear(box).append(errorBox(error, "load the dashboard"));
  }
}

/* ---------- team page ---------- */

let currentTeam = null;

function thisMonth() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

function nextMonth(month) {
  let [y, m] = month.split("-").map(Number);
  m += 1; if (m > 12) { m = 1; y += 1; }
  return `${y}-${String(m).padStart(2, "0")}`;
}

async function showTeam(id) {
  showView("team");
  const head = clear(document.getElementById("team-head"));
  head.append(el("p", { role: "status" }, "Loading the team…"));
  try {
    const { body: t } = await api(`/teams/${encodeURIComponent(id)}`);
    const { body: values } = await api(`/teams/${encodeURIComponent(id)}/values`);
    currentTeam = { team: t, values: values.values };
    clear(head);
    document.title = `${t.name} – learnsys`;
    document.getElementById("team-back").setAttribute("href", `#/c/${encodeURIComponent(t.collaborative_id)}`);
    document.getElementById("team-back").textContent = "Back to the dashboard";
    const h1 = el("h1", { id: "team-title" }, t.name);
    head.append(h1, syntheticBanner(t),
      el("p", { class: "lede" }, `${t.provider_name} (${t.provider}) in ${t.collaborative.title}.`),
      t.aim ? el("p", {}, el("strong", {}, "Aim: "), t.aim) : "");
    const latest = values.values.length ? values.values[values.values.length - 1].month : null;
    const month = latest ? (latest < thisMonth() ? nextMonth(latest) : latest) : thisMonth();
    document.getElementById("v-month").value = month > thisMonth() ? thisMonth() : month;
    document.getElementById("r-month").value = latest || thisMonth();
    const fields = clear(document.getElementById("values-fields"));
    for (const m of t.measures) {
      fields.append(el("div", { class: "field" },
        el("label", { for: `v-${m.id}` }, `${m.name} (${m.unit})`),
        el("input", { id: `v-${m.id}`, name: m.id, type: "text", inputmode: "decimal", autocomplete: "off",
          "aria-describedby": `v-${m.id}-hint`, "data-measure": m.id }),
        el("span", { id: `v-${m.id}-hint`, class: "hint" }, `${m.direction === "higher" ? "Higher" : m.direction === "lower" ? "Lower" : "Neither"} is better. ${m.definition}`)));
    }
    const checks = clear(document.getElementById("c-measures"));
    for (const m of t.measures) {
      checks.append(el("label", {}, el("input", { type: "checkbox", name: "measures", value: m.id }), m.name));
    }
    const docs = clear(document.getElementById("c-docs"));
    for (const c of t.cycles) if (c.document_id) docs.append(el("option", { value: c.document_id }));
    renderCycles(t.cycles);
    await renderCharts(t);
    h1.setAttribute("tabindex", "-1");
    h1.focus();
  } catch (error) {
    clear(head).append(errorBox(error, "load the team"));
  }
}

function renderCycles(cycles) {
  clear(document.getElementById("team-cycles")).append(table("PDSA cycles", ["#", "Change idea", "Start", "Decision", "From"],
    cycles.map((c) => [String(c.number), c.change_idea, c.start, c.decision || "running", c.document_id ? el("a", { href: `/#/doc/${encodeURIComponent(c.document_id)}` }, c.document_id) : "–"])));
}

async function renderCharts(t) {
  const box = clear(document.getElementById("team-charts"));
  for (const m of t.measures) {
    const fig = el("figure", { class: "team-chart", "data-measure": m.id });
    box.append(fig);
    try {
      const { body: c } = await api(`/teams/${encodeURIComponent(t.team_id)}/measures/${encodeURIComponent(m.id)}/spc`);
      const caption = c.chart
        ? `${m.name}: ${c.months} months, mean ${fmt(c.chart.mean)}, process limits ${fmt(c.chart.lcl)} to ${fmt(c.chart.ucl)} ${m.unit}` +
          `${c.chart.phases && c.chart.phases.length ? ` (rebased ${c.chart.phases.length - 1} time(s))` : ""}. ` +
          `Variation: ${VARIATION_TEXT[c.variation] || c.variation}; assurance: ${assuranceText(c.assurance)}. ` +
          `PDSA cycles marked: ${c.cycles.map((x) => `${x.number} (${x.month})`).join(", ") || "none"}.`
        : `${m.name}: ${c.reason}`;
      if (c.chart) {
        const { body: text } = await api(`/teams/${encodeURIComponent(t.team_id)}/measures/${encodeURIComponent(m.id)}/spc.svg`,
          { headers: { Accept: "image/svg+xml" } });
        const doc = new DOMParser().parseFromString(text, "image/svg+xml");
        const node = document.importNode(doc.documentElement, true);
        node.setAttribute("aria-hidden", "true");
        fig.append(node);
      }
      fig.append(el("figcaption", {}, caption),
        el("details", {}, el("summary", {}, `${m.name}: data as a table`),
          table(`${m.name} by month`, ["Month", "Value"], c.series.map((p) => [p.month, fmt(p.value)]))));
    } catch (error) {
      fig.append(errorBox(error, `load the chart of ${m.name}`));
    }
  }
}

function formStatus(id) { return document.getElementById(id); }

function problemText(error) {
  const p = error.problem || {};
  const lines = (p.errors || []).slice(0, 5).map((e) => (e.line ? `line ${e.line}: ` : "") + `${e.field || ""} ${e.message || ""}`.trim());
  return [error.message, ...lines].join(" ");
}

async function submitValues(event) {
  event.preventDefault();
  const status = formStatus("values-status");
  const form = event.target;
  const month = form.month.value.trim();
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    setStatus(status, "Month: write it as YYYY-MM, for example 2026-05.", true);
    form.month.focus();
    return;
  }
  const team = currentTeam.team;
  const entered = [...form.querySelectorAll("[data-measure]")].filter((i) => i.value.trim() !== "");
  if (!entered.length) { setStatus(status, "Enter at least one value.", true); return; }
  for (const input of entered) {
    if (!Number.isFinite(Number(input.value))) {
      setStatus(status, `${input.labels[0].textContent}: "${input.value}" is not a number.`, true);
      input.focus();
      return;
    }
  }
  setStatus(status, "Saving…");
  let saved = 0;
  try {
    for (const input of entered) {
      const path = `/teams/${encodeURIComponent(team.team_id)}/measures/${encodeURIComponent(input.dataset.measure)}/values/${month}`;
      const headers = {};
      try {
        const current = await api(path);
        if (current.etag) headers["If-Match"] = current.etag;
      } catch (error) {
        if (error.status !== 404) throw error;
      }
      await api(path, { method: "PUT", headers, body: { value: Number(input.value), note: form.note.value } });
      saved += 1;
    }
    setStatus(status, `Saved ${saved} value${saved === 1 ? "" : "s"} for ${month}.`);
    for (const input of entered) input.value = "";
    const { body: values } = await api(`/teams/${encodeURIComponent(team.team_id)}/values`);
    currentTeam.values = values.values;
    await renderCharts(team);
  } catch (error) {
    setStatus(status, `Saved ${saved}; then refused: ${problemText(error)}`, true);
  }
}

async function submitReport(event) {
  event.preventDefault();
  const status = formStatus("report-status");
  const form = event.target;
  const team = currentTeam.team;
  const month = form.month.value.trim();
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) { setStatus(status, "Month: write it as YYYY-MM.", true); form.month.focus(); return; }
  if (!form.narrative.value.trim()) { setStatus(status, "Say what happened this month.", true); form.narrative.focus(); return; }
  const path = `/teams/${encodeURIComponent(team.team_id)}/reports/${month}`;
  const headers = {};
  let existing = false;
  try {
    const current = await api(path);
    if (current.etag) { headers["If-Match"] = current.etag; existing = true; }
  } catch (error) {
    if (error.status !== 404) { setStatus(status, `Refused: ${problemText(error)}`, true); return; }
  }
  try {
    await api(path, { method: "PUT", headers, body: { progress_score: Number(form.progress_score.value), narrative: form.narrative.value } });
    setStatus(status, `Report for ${month} ${existing ? "revised" : "submitted"}.`);
  } catch (error) {
    setStatus(status, `Refused: ${problemText(error)}`, true);
  }
}

async function submitCycle(event) {
  event.preventDefault();
  const status = formStatus("cycle-status");
  const form = event.target;
  const team = currentTeam.team;
  const body = {
    change_idea: form.change_idea.value.trim(), plan: form.plan.value.trim(), start: form.start.value.trim(),
    learned: form.learned.value.trim(), measures: [...form.querySelectorAll("input[name=measures]:checked")].map((i) => i.value),
  };
  if (form.document_id.value.trim()) body.document_id = form.document_id.value.trim();
  if (form.decision.value) body.decision = form.decision.value;
  if (!body.change_idea) { setStatus(status, "Name the change idea.", true); form.change_idea.focus(); return; }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(body.start)) { setStatus(status, "Start date: write it as YYYY-MM-DD.", true); form.start.focus(); return; }
  if (!body.plan) { setStatus(status, "Write the plan and your prediction.", true); form.plan.focus(); return; }
  try {
    const { body: cycle } = await api(`/teams/${encodeURIComponent(team.team_id)}/cycles`, { method: "POST", body });
    setStatus(status, `PDSA cycle ${cycle.number} logged.`);
    form.reset();
    const { body: t } = await api(`/teams/${encodeURIComponent(team.team_id)}`);
    currentTeam.team = t;
    renderCycles(t.cycles);
    await renderCharts(t);
  } catch (error) {
    setStatus(status, `Refused: ${problemText(error)}`, true);
  }
}

async function signIn(event) {
  event.preventDefault();
  const status = document.getElementById("signin-status");
  const token = event.target.token.value.trim();
  if (!token) { sessionStorage.removeItem(TOKEN_KEY); setStatus(status, "Signed out."); return route(); }
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    const { body } = await api("/me");
    setStatus(status, `Signed in as ${body.email} (${body.role}).`);
    event.target.token.value = "";
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY);
    setStatus(status, `Sign-in refused: ${error.message}`, true);
  }
  return route();
}

document.addEventListener("DOMContentLoaded", async () => {
  const score = document.getElementById("r-score");
  for (let s = 1; s <= 5; s += 0.5) score.append(el("option", { value: String(s) }, s.toFixed(1)));
  score.value = "2";
  document.getElementById("signin-form").addEventListener("submit", signIn);
  document.getElementById("values-form").addEventListener("submit", submitValues);
  document.getElementById("report-form").addEventListener("submit", submitReport);
  document.getElementById("cycle-form").addEventListener("submit", submitCycle);
  window.addEventListener("hashchange", route);
  await route();
  document.body.dataset.ready = "true";
});
