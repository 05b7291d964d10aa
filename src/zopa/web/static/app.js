// zopa web app: small progressive enhancements over server-rendered pages.
// No framework and no network access beyond this server.
"use strict";

function $(sel, root) { return (root || document).querySelector(sel); }
function $all(sel, root) { return Array.from((root || document).querySelectorAll(sel)); }

function withParams(changes) {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === "") url.searchParams.delete(k); else url.searchParams.set(k, v);
  }
  return url;
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  return { ok: res.ok, status: res.status, data };
}

// ------------------------------------------------------------------ draft picker, as-of slider

function initPicker() {
  const draft = $("#draft-picker");
  if (draft) draft.addEventListener("change", () => {
    window.location.href = withParams({ draft: draft.value, as_of: null }).toString();
  });
  const slider = $("#as-of-slider");
  if (slider) {
    const dates = JSON.parse(slider.dataset.dates);
    const label = $("#as-of-label");
    slider.addEventListener("input", () => { label.textContent = dates[slider.value]; });
    slider.addEventListener("change", () => {
      window.location.href = withParams({ as_of: dates[slider.value] }).toString();
    });
  }
  $all("select.nav-select").forEach((sel) => sel.addEventListener("change", () => {
    window.location.href = withParams({ [sel.name]: sel.value }).toString();
  }));
}

// ------------------------------------------------------------------ what-if

function whatifOverrides(form) {
  const o = { drop: [], thresholds: {}, weights: {}, reservations: {}, formulas: {} };
  $all("input.rl", form).forEach((box) => { if (!box.checked) o.drop.push(box.dataset.id); });
  $all("input.th", form).forEach((s) => {
    if (Number(s.value) !== Number(s.dataset.default) && !o.drop.includes(s.dataset.id)) {
      o.thresholds[s.dataset.id] = Number(s.value);
    }
  });
  $all("input.res", form).forEach((s) => {
    if (Number(s.value) !== Number(s.dataset.default)) o.reservations[s.dataset.party] = Number(s.value);
  });
  $all("input.wt", form).forEach((s) => {
    if (Number(s.value) !== Number(s.dataset.default)) {
      (o.weights[s.dataset.party] = o.weights[s.dataset.party] || {})[s.dataset.issue] = Number(s.value);
    }
  });
  $all("input.fm", form).forEach((box) => {  // new formulas put on the table (Bridges view)
    if (box.checked) (o.formulas[box.dataset.issue] = o.formulas[box.dataset.issue] || []).push(JSON.parse(box.dataset.formula));
  });
  for (const k of Object.keys(o)) {
    if (Array.isArray(o[k]) ? o[k].length === 0 : Object.keys(o[k]).length === 0) delete o[k];
  }
  return o;
}

function initWhatif() {
  const form = $("#whatif");
  if (!form) return;
  let timer = null;
  let controller = null;
  const busy = $("#busy");
  async function refresh() {
    const o = whatifOverrides(form);
    const w = Object.keys(o).length ? JSON.stringify(o) : null;
    const page = withParams({ w });
    window.history.replaceState(null, "", page.toString());
    const fragment = new URL(page);
    fragment.pathname = `/s/${form.dataset.name}/fragment/results`;
    if (controller) controller.abort();
    controller = new AbortController();
    busy.hidden = false;
    try {
      const res = await fetch(fragment.toString(), { signal: controller.signal });
      const html = await res.text();
      const doc = new DOMParser().parseFromString(html, "text/html");
      const results = $(".results", doc);
      const main = $("main", doc);
      $("#results").replaceChildren(results || main || doc.body);
      $all("nav.views a").forEach((a) => {
        const u = new URL(a.href);
        if (w) u.searchParams.set("w", w); else u.searchParams.delete("w");
        a.href = u.toString();
      });
    } catch (e) {
      if (e.name !== "AbortError") $("#results").textContent = `Could not compute: ${e}`;
    } finally {
      busy.hidden = true;
    }
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  form.addEventListener("input", (ev) => {
    const out = ev.target.nextElementSibling;
    if (out && out.tagName === "OUTPUT") out.textContent = ev.target.value;
  });
  form.addEventListener("change", schedule);
  $("#reset-whatif").addEventListener("click", () => {
    $all("input.rl", form).forEach((b) => { b.checked = true; });
    $all("input.fm", form).forEach((b) => { b.checked = false; });
    $all("input[type=range]", form).forEach((s) => {
      s.value = s.dataset.default;
      const out = s.nextElementSibling;
      if (out && out.tagName === "OUTPUT") out.textContent = s.value;
    });
    refresh();
  });
}

// ------------------------------------------------------------------ charts

function initCharts() {
  $all(".chart[data-figure]").forEach((div) => {
    const fig = JSON.parse(div.dataset.figure);
    if (window.Plotly) {
      window.Plotly.newPlot(div, fig.data, fig.layout, { responsive: true, displaylogo: false })
        .then(() => {
          div.classList.add("rendered");
          const issues = fig.layout.meta && fig.layout.meta.issues;
          const panel = div.dataset.packagePanel && document.getElementById(div.dataset.packagePanel);
          if (issues && panel) div.on("plotly_click", (ev) => showPackage(panel, issues, ev.points[0]));
        });
    }
  });
}

// A clicked point's whole package, from the option indices the chart carries (text only).
function showPackage(panel, issues, point) {
  const chosen = point.customdata;
  if (!Array.isArray(chosen)) return;
  const body = panel.querySelector("tbody");
  body.replaceChildren();
  chosen.forEach((k, i) => {
    const row = document.createElement("tr");
    const title = document.createElement("td");
    const option = document.createElement("td");
    title.textContent = issues[i][0];
    option.textContent = k >= 0 ? issues[i][1][k] : "not settled";
    row.append(title, option);
    body.append(row);
  });
  const name = point.data.name.startsWith("Pareto frontier") ? "a point of the frontier" : point.data.name;
  panel.querySelector(".package-name").textContent =
    `${name} (${point.x.toFixed(3)}, ${point.y.toFixed(3)})`;
  panel.hidden = false;
}

// ------------------------------------------------------------------ editor

function initEditor() {
  const form = $("#editor-form");
  if (!form) return;
  const editor = $("#editor");
  const gutter = $("#gutter");
  const diagnostics = $("#diagnostics");
  let timer = null;
  let marks = {};

  function drawGutter() {
    const n = editor.value.split("\n").length;
    const lines = [];
    for (let i = 1; i <= n; i++) {
      const span = document.createElement("span");
      span.textContent = String(i);
      span.dataset.line = String(i);
      if (marks[i]) { span.className = "diag"; span.title = marks[i].join("\n"); }
      lines.push(span, document.createTextNode("\n"));
    }
    gutter.replaceChildren(...lines);
    gutter.scrollTop = editor.scrollTop;
  }

  function showDiagnostics(list, valid) {
    marks = {};
    list.forEach((d) => { (marks[d.line] = marks[d.line] || []).push(`${d.column}: ${d.message}`); });
    drawGutter();
    if (valid) {
      diagnostics.innerHTML = "";
      const p = document.createElement("p");
      p.className = "ok";
      p.id = "valid";
      p.textContent = "Valid scenario.";
      diagnostics.append(p);
      return;
    }
    const ul = document.createElement("ul");
    ul.className = "errors";
    list.forEach((d) => {
      const li = document.createElement("li");
      li.className = "diagnostic";
      li.dataset.line = String(d.line);
      const a = document.createElement("a");
      a.href = "#";
      a.textContent = `line ${d.line}, column ${d.column}`;
      a.addEventListener("click", (ev) => { ev.preventDefault(); goTo(d.line, d.column); });
      li.append(a, document.createTextNode(`: ${d.message}`));
      ul.append(li);
    });
    diagnostics.replaceChildren(ul);
  }

  function goTo(line, column) {
    const lines = editor.value.split("\n");
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += Math.max(0, column - 1);
    editor.focus();
    editor.setSelectionRange(pos, pos);
    editor.scrollTop = Math.max(0, (line - 5) * 18);
  }

  async function validate() {
    const res = await api("POST", "/api/validate", { text: editor.value });
    if (res.ok) showDiagnostics(res.data.diagnostics, res.data.valid);
    else diagnostics.textContent = (res.data && res.data.message) || `error ${res.status}`;
  }

  editor.addEventListener("input", () => { drawGutter(); clearTimeout(timer); timer = setTimeout(validate, 300); });
  editor.addEventListener("scroll", () => { gutter.scrollTop = editor.scrollTop; });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const status = $("#save-status");
    status.textContent = "saving…";
    const body = { text: editor.value, base_revision: form.dataset.revision };
    const res = await api("PUT", `/api/scenarios/${form.dataset.name}`, body);
    if (res.status === 409) {  // changed elsewhere since this page loaded: nothing is overwritten
      status.dataset.saved = "conflict";
      status.textContent = `Not saved: ${res.data.message}. Reload the page to see it.`;
      return;
    }
    if (!res.ok) { status.textContent = (res.data && res.data.message) || `error ${res.status}`; return; }
    form.dataset.revision = res.data.revision || "";
    status.dataset.saved = res.data.saved;
    status.textContent = res.data.valid
      ? "Saved." + (res.data.version ? ` The previous text is kept as ${res.data.version}.` : "")
      : `Not valid, so the scenario was not replaced; your text is kept as draft ${res.data.version}.`;
    showDiagnostics(res.data.diagnostics, res.data.valid);
  });
  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "s") { ev.preventDefault(); form.requestSubmit(); }
  });
  drawGutter();
  validate();
}

function initNewScenario() {
  const form = $("#new-scenario");
  if (!form) return;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = form.elements.name.value;
    const from = await api("GET", `/api/scenarios/${form.elements.from.value}`);
    if (!from.ok) return;
    const text = from.data.text.replace(/^id: .*$/m, `id: ${name}`);
    const res = await api("PUT", `/api/scenarios/${name}`, { text, base_revision: "" });
    if (res.ok) window.location.href = `/s/${name}/edit`;
    else alert((res.data && res.data.message) || `error ${res.status}`);
  });
}

// ------------------------------------------------------------------ background jobs

function initJobs() {
  const form = $("#job-form");
  if (!form) return;
  const bar = $("#job-progress");
  const message = $("#job-message");
  const cancel = $("#cancel-job");
  const out = $("#job-result");
  const chart = $("#job-chart");
  const summary = $("#job-summary");
  const kind = $("#job-kind");
  let current = null;
  const showSettings = () => {
    $all("fieldset.job-settings", form).forEach((f) => { f.hidden = f.dataset.kind !== kind.value; });
  };
  kind.addEventListener("change", showSettings);
  showSettings();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { kind: kind.value, scenario: form.dataset.name };
    if (form.dataset.draft) body.draft = form.dataset.draft;
    if (form.dataset.asOf) body.as_of = form.dataset.asOf;
    if (form.dataset.w) body.overrides = JSON.parse(form.dataset.w);
    if (kind.value === "simulate") {
      const strategies = {};
      $all("input.strategy", form).forEach((i) => { if (i.value) strategies[i.dataset.party] = i.value; });
      body.simulation = {
        protocol: form.elements.protocol.value,
        rounds: Number(form.elements.rounds.value),
        seed: Number(form.elements.seed.value),
        strategies,
      };
    }
    if (kind.value === "tournament") {
      body.tournament = {
        strategies: form.elements.entrants.value,
        repeats: Number(form.elements.repeats.value),
        rounds: Number(form.elements.t_rounds.value),
      };
    }
    if (kind.value === "montecarlo") {
      body.montecarlo = {
        samples: Number(form.elements.samples.value),
        seed: Number(form.elements.mc_seed.value),
      };
    }
    const res = await api("POST", "/api/jobs", body);
    if (!res.ok) {
      message.dataset.state = "refused";
      message.textContent = (res.data && res.data.message) || `error ${res.status}`;
      return;
    }
    current = res.data.id;
    bar.hidden = false; out.hidden = true; chart.hidden = true; cancel.disabled = false;
    summary.textContent = "";
    poll();
  });
  cancel.addEventListener("click", async () => { if (current) await api("DELETE", `/api/jobs/${current}`); });
  async function poll() {
    const res = await api("GET", `/api/jobs/${current}`);
    if (!res.ok) return;
    const job = res.data;
    bar.value = job.progress;
    message.textContent = `${job.state}: ${job.message} (${job.elapsed.toFixed(1)} s of at most ${job.time_limit} s)`;
    message.dataset.state = job.state;
    if (job.state === "running" || job.state === "queued") { setTimeout(poll, 500); return; }
    cancel.disabled = true;
    if (job.state === "done") {
      const result = (await api("GET", `/api/jobs/${current}/result`)).data;
      const { figure, ...rest } = result;
      out.textContent = JSON.stringify(rest, null, 2);
      out.hidden = false;
      if (result.outcome) {
        const u = Object.entries(result.utilities).map(([p, x]) => `${p} ${x.toFixed(3)}`).join(", ");
        summary.textContent = `Outcome: ${result.outcome} in round ${result.round}; utilities: ${u}.`;
      } else if (result.ranking) {
        summary.textContent = `${result.runs} runs. Ranking: ` + result.ranking
          .map((r) => `${r.rank}. ${r.strategy} (mean utility ${r.mean_utility.toFixed(3)}, `
            + `agreements ${(100 * r.agreement_rate).toFixed(0)}%)`).join("; ");
      } else if (result.p_deal) {
        const [lo, hi] = result.p_deal.ci95;
        const robust = result.robust_package;
        summary.textContent = `P(deal) = ${result.p_deal.estimate.toFixed(3)} `
          + `(95% interval ${lo.toFixed(3)}–${hi.toFixed(3)}) over ${result.samples} samples; `
          + `robust package accepted by every veto party in ${(100 * robust.p_accepted).toFixed(1)}% `
          + `of samples (${robust.method}). It is marked on the deal space.`;
      } else if ("feasible" in result) {
        summary.textContent = result.feasible ? "A deal is possible." : "No deal is possible.";
      }
      if (figure && window.Plotly) {
        chart.hidden = false;
        window.Plotly.newPlot(chart, figure.data, figure.layout, { responsive: true, displaylogo: false })
          .then(() => chart.classList.add("rendered"));
      }
    } else if (job.error) {
      out.textContent = job.error; out.hidden = false;
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  initPicker();
  initWhatif();
  initEditor();
  initNewScenario();
  initJobs();
});
window.addEventListener("load", initCharts);
