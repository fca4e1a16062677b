// The dashboard page: signs in with a dashboard token, then shows the continuity figures,
// open gaps, waiting times against the Treeknorm and the alerts that need attention, all
// read through the client generated from openapi/openapi.json.

import createClient from "openapi-fetch";
import { byId, el } from "./dom";
import type { components, paths } from "./api";
import { KINDS, MUNICIPALITIES, RULES, SEVERITIES, label } from "./labels";

type Figures = components["schemas"]["ContinuityFiguresView"];
type CountCell = components["schemas"]["CountCell"];
type MeasureCell = components["schemas"]["MeasureCell"];
type Alert = components["schemas"]["AlertView"];

const api = createClient<paths>({ baseUrl: window.location.origin });
const TOKEN_KEY = "herstelbrug-dashboard-token";
const SUPPRESSED = "afgeschermd";

/// A table cell for a figure: the value, or "afgeschermd" when it is withheld.
function cell(
  key: string,
  figure: CountCell | MeasureCell,
  format: (v: number) => string,
): HTMLTableCellElement {
  const td = el("td", { "data-cell": key });
  if (figure.suppressed) {
    td.textContent = SUPPRESSED;
    td.dataset.suppressed = "true";
    td.title = "Berekend uit minder dan 10 metingen: afgeschermd";
    td.className = "suppressed";
  } else if (figure.value === null || figure.value === undefined) {
    td.textContent = "–";
  } else {
    td.textContent = format(figure.value);
    td.dataset.value = String(figure.value);
  }
  return td;
}

const count = (v: number) => v.toLocaleString("nl-NL");
const percent = (v: number) => `${Math.round(v * 100)}%`;
const days = (v: number) => `${v.toLocaleString("nl-NL", { maximumFractionDigits: 1 })} dagen`;

function headers(): { Authorization: string } {
  return { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ""}` };
}

function problemText(error: unknown): string {
  if (error && typeof error === "object" && "detail" in error) {
    return String((error as { detail: unknown }).detail);
  }
  return "Onbekende fout";
}

async function figures(interval: "month" | "quarter", groupBy: "municipality" | "provider" | "kind") {
  const { data, error } = await api.GET("/v1/figures/continuity", {
    params: { query: { interval, group_by: groupBy } },
    headers: headers(),
  });
  if (error || !data) throw new Error(problemText(error));
  return data;
}

function renderShare(report: Figures): void {
  const chart = byId<HTMLElement>("share-chart");
  const table = byId<HTMLTableSectionElement>("share-rows");
  chart.replaceChildren();
  table.replaceChildren();
  const periods = report.total.periods;
  const width = 640;
  const height = 220;
  const bar = width / Math.max(periods.length, 1);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + 40}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", "share-title");
  periods.forEach((p, i) => {
    const t = p.figures.trajectories;
    const share = t?.share_with_follow_up;
    const x = i * bar + bar * 0.15;
    const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
    label.setAttribute("x", String(x + bar * 0.35));
    label.setAttribute("y", String(height + 28));
    label.setAttribute("text-anchor", "middle");
    label.textContent = p.period;
    svg.appendChild(label);
    if (share && !share.suppressed && typeof share.value === "number") {
      const h = Math.max(1, share.value * height);
      const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      rect.setAttribute("x", String(x));
      rect.setAttribute("y", String(height - h + 10));
      rect.setAttribute("width", String(bar * 0.7));
      rect.setAttribute("height", String(h));
      rect.setAttribute("class", "bar");
      rect.setAttribute("data-period", p.period);
      rect.setAttribute("data-value", String(share.value));
      svg.appendChild(rect);
      const value = document.createElementNS("http://www.w3.org/2000/svg", "text");
      value.setAttribute("x", String(x + bar * 0.35));
      value.setAttribute("y", String(height - h + 4));
      value.setAttribute("text-anchor", "middle");
      value.textContent = percent(share.value);
      svg.appendChild(value);
    } else if (share?.suppressed) {
      const mark = document.createElementNS("http://www.w3.org/2000/svg", "text");
      mark.setAttribute("x", String(x + bar * 0.35));
      mark.setAttribute("y", String(height));
      mark.setAttribute("text-anchor", "middle");
      mark.setAttribute("class", "suppressed-mark");
      mark.setAttribute("data-period", p.period);
      mark.setAttribute("data-suppressed", "true");
      mark.textContent = "×";
      svg.appendChild(mark);
    }
    if (t) {
      const row = el("tr");
      row.appendChild(el("th", { scope: "row" }, p.period));
      row.appendChild(cell(`endings:${p.period}`, t.endings, count));
      row.appendChild(cell(`with:${p.period}`, t.endings_with_follow_up, count));
      row.appendChild(cell(`share:${p.period}`, t.share_with_follow_up, percent));
      row.appendChild(cell(`gaps:${p.period}`, t.gap_alerts, count));
      row.appendChild(cell(`close:${p.period}`, t.mean_days_to_close_gap, days));
      row.appendChild(cell(`follow-up:${p.period}`, p.figures.referrals.days_to_follow_up.median_days, days));
      table.appendChild(row);
    }
  });
  chart.appendChild(svg);
}

function renderGaps(report: Figures): void {
  const rows = byId<HTMLTableSectionElement>("gap-rows");
  rows.replaceChildren();
  for (const g of report.open_gaps.groups) {
    const row = el("tr");
    row.appendChild(el("th", { scope: "row" }, label(MUNICIPALITIES, g.group)));
    row.appendChild(cell(`open-gaps:${g.group}`, g.count, count));
    rows.appendChild(row);
  }
  const total = el("tr", { class: "total" });
  total.appendChild(el("th", { scope: "row" }, "Totaal"));
  total.appendChild(cell("open-gaps:total", report.open_gaps.total, count));
  rows.appendChild(total);
}

function renderWaiting(report: Figures): void {
  const rows = byId<HTMLTableSectionElement>("wait-rows");
  rows.replaceChildren();
  for (const g of report.groups) {
    const r = g.whole_range.referrals;
    const row = el("tr");
    const kind = g.group ?? "";
    row.appendChild(el("th", { scope: "row" }, label(KINDS, kind)));
    row.appendChild(cell(`wait-measured:${kind}`, r.to_acceptance.measured, count));
    const acceptance = cell(`wait-acceptance:${kind}`, r.to_acceptance.median_days, days);
    const norm = r.to_acceptance.norm_days ?? 0;
    if (typeof r.to_acceptance.median_days.value === "number" && r.to_acceptance.median_days.value > norm) {
      acceptance.classList.add("over-norm");
      acceptance.textContent += " (boven norm)";
    }
    row.appendChild(acceptance);
    row.appendChild(el("td", {}, `${norm} dagen`));
    row.appendChild(cell(`wait-total:${kind}`, r.total_wait.median_days, days));
    row.appendChild(el("td", {}, `${r.total_wait.norm_days ?? 0} dagen`));
    if (r.total_wait.within_norm) {
      row.appendChild(cell(`wait-within:${kind}`, r.total_wait.within_norm, percent));
    } else {
      row.appendChild(el("td", {}, "–"));
    }
    rows.appendChild(row);
  }
}

function renderAlerts(alerts: Alert[]): void {
  const list = byId<HTMLUListElement>("alert-list");
  list.replaceChildren();
  if (alerts.length === 0) {
    list.appendChild(el("li", {}, "Geen open signalen."));
    return;
  }
  for (const a of alerts) {
    const item = el("li", { class: `severity-${a.severity}`, "data-alert": a.rule });
    item.appendChild(el("strong", {}, label(RULES, a.rule)));
    item.appendChild(
      el(
        "span",
        {},
        ` · ${label(SEVERITIES, a.severity)} · ${label(MUNICIPALITIES, a.municipality)} · sinds ${new Date(a.opened_at).toLocaleDateString("nl-NL")}`,
      ),
    );
    list.appendChild(item);
  }
}

async function load(): Promise<void> {
  const status = byId<HTMLElement>("status");
  const interval = byId<HTMLSelectElement>("interval").value === "month" ? "month" : "quarter";
  status.textContent = "Cijfers laden…";
  try {
    const [byMunicipality, byKind, alerts] = await Promise.all([
      figures(interval, "municipality"),
      figures(interval, "kind"),
      api.GET("/v1/alerts", { params: { query: { status: "open", limit: 25 } }, headers: headers() }),
    ]);
    byId<HTMLElement>("scope").textContent =
      byMunicipality.scope === "all" ? "alle organisaties" : label(MUNICIPALITIES, byMunicipality.scope);
    renderShare(byMunicipality);
    renderGaps(byMunicipality);
    renderWaiting(byKind);
    renderAlerts(alerts.data?.items ?? []);
    status.textContent = `Bijgewerkt ${new Date(byMunicipality.generated_at).toLocaleString("nl-NL")}`;
    byId<HTMLElement>("board").hidden = false;
    byId<HTMLElement>("signin").hidden = true;
    document.body.dataset.loaded = "true";
  } catch (e) {
    status.textContent = `Niet gelukt: ${e instanceof Error ? e.message : String(e)}`;
  }
}

async function offerDevLogin(): Promise<void> {
  const response = await fetch("/dashboard/dev-login");
  if (!response.ok) return;
  const { organisations } = (await response.json()) as { organisations: string[] };
  const select = byId<HTMLSelectElement>("dev-org");
  for (const org of organisations) {
    select.appendChild(el("option", { value: org }, label(MUNICIPALITIES, org)));
  }
  byId<HTMLElement>("dev-form").hidden = false;
}

async function devLogin(event: Event): Promise<void> {
  event.preventDefault();
  const org = byId<HTMLSelectElement>("dev-org").value;
  const response = await fetch("/dashboard/dev-login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ org }),
  });
  if (!response.ok) {
    byId<HTMLElement>("status").textContent = "Ontwikkel-aanmelding niet gelukt";
    return;
  }
  const { token } = (await response.json()) as { token: string };
  sessionStorage.setItem(TOKEN_KEY, token);
  await load();
}

function start(): void {
  byId<HTMLFormElement>("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = byId<HTMLTextAreaElement>("token").value.trim();
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      void load();
    }
  });
  byId<HTMLFormElement>("dev-form").addEventListener("submit", (event) => void devLogin(event));
  byId<HTMLSelectElement>("interval").addEventListener("change", () => void load());
  byId<HTMLButtonElement>("signout").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    byId<HTMLElement>("board").hidden = true;
    byId<HTMLElement>("signin").hidden = false;
  });
  void offerDevLogin();
  if (sessionStorage.getItem(TOKEN_KEY)) void load();
}

start();
