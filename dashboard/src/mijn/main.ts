// The client's own page (/mijn/): signs the person in at the configured issuer with the
// authorization-code flow and PKCE, then shows their path, consents, naasten, who read
// their data and the copy, all through the client generated from openapi/openapi.json.

import createClient from "openapi-fetch";
import { byId, el } from "../dom";
import type { components, paths } from "../api";

type Me = components["schemas"]["MeView"];
type Trajectory = components["schemas"]["MyTrajectoryView"];
type Consent = components["schemas"]["MyConsentView"];
type Naasten = components["schemas"]["NaastenView"];
type AccessEntry = components["schemas"]["MyAccessEntry"];

interface SignIn {
  authorization_endpoint: string;
  token_endpoint: string;
  client_id: string;
  development: boolean;
}

const api = createClient<paths>({ baseUrl: window.location.origin });
const TOKEN_KEY = "herstelbrug-mijn-token";
const PKCE_KEY = "herstelbrug-mijn-pkce";
const REDIRECT = `${window.location.origin}/mijn/`;

let me: Me | null = null;
let current: string | null = null;
let accessBefore: number | null = null;

function say(text: string): void {
  byId("status").textContent = text;
}

function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

function auth(): { Authorization: string } {
  return { Authorization: `Bearer ${token() ?? ""}` };
}

const date = (iso: string) =>
  new Date(iso.length === 10 ? `${iso}T12:00:00` : iso).toLocaleDateString("nl-NL", {
    day: "numeric",
    month: "long",
    year: "numeric",
  });
const moment = (iso: string) =>
  new Date(iso).toLocaleString("nl-NL", { dateStyle: "medium", timeStyle: "short" });

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function signInSettings(): Promise<SignIn | null> {
  const response = await fetch("/mijn/config");
  return response.ok ? ((await response.json()) as SignIn) : null;
}

/// Starts the authorization-code flow: a fresh verifier and state, kept for the return.
async function startSignIn(settings: SignIn): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(settings.authorization_endpoint, window.location.origin);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: settings.client_id,
    redirect_uri: REDIRECT,
    scope: "openid",
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
  }).toString();
  window.location.assign(url.toString());
}

/// Back from the issuer: trades the code (with the verifier) for a token.
async function finishSignIn(settings: SignIn, params: URLSearchParams): Promise<void> {
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "{}") as {
    verifier?: string;
    state?: string;
  };
  sessionStorage.removeItem(PKCE_KEY);
  // The code must not stay in the address bar or the history.
  window.history.replaceState(null, "", "/mijn/");
  if (!saved.verifier || saved.state !== params.get("state")) {
    say("Inloggen is niet gelukt. Probeer het opnieuw.");
    return;
  }
  const response = await fetch(new URL(settings.token_endpoint, window.location.origin), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code") ?? "",
      redirect_uri: REDIRECT,
      client_id: settings.client_id,
      code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) {
    say("Inloggen is niet gelukt. Probeer het opnieuw.");
    return;
  }
  const body = (await response.json()) as { access_token: string };
  sessionStorage.setItem(TOKEN_KEY, body.access_token);
}

function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  me = null;
  current = null;
  byId("mijn").hidden = true;
  byId("inloggen").hidden = false;
  say("U bent uitgelogd.");
}

function steers(): boolean {
  const found = me?.trajectories.find((t) => t.id === current);
  return found !== undefined && found.standing !== "naaste";
}

async function loadMe(): Promise<boolean> {
  const { data, response } = await api.GET("/v1/me", { headers: auth() });
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    say("U bent niet (meer) ingelogd, of uw inlogniveau is te laag. Log opnieuw in met DigiD.");
    return false;
  }
  if (!data) {
    say("Uw gegevens konden niet worden opgehaald. Probeer het later opnieuw.");
    return false;
  }
  me = data;
  byId("inloggen").hidden = true;
  byId("mijn").hidden = false;
  byId("wie").textContent =
    data.signed_in_as === "vertegenwoordiger"
      ? "U bent ingelogd als vertegenwoordiger en handelt namens de cliënt."
      : "U bent ingelogd.";
  const list = byId<HTMLUListElement>("trajecten");
  list.replaceChildren();
  for (const t of data.trajectories) {
    const item = el("li");
    const button = el("button", { type: "button", class: "secundair", "data-id": t.id });
    const role = t.standing === "naaste" ? " (als naaste)" : "";
    button.textContent = `Traject sinds ${date(t.started_on)}${role}`;
    button.addEventListener("click", () => void show(t.id));
    item.append(button);
    list.append(item);
  }
  byId("trajecten-nav").hidden = data.trajectories.length < 2;
  byId("geen-traject").hidden = data.trajectories.length > 0;
  byId("inzage-sectie").hidden = !data.trajectories.some((t) => t.standing !== "naaste");
  byId("kopie-sectie").hidden = byId("inzage-sectie").hidden;
  const first = data.trajectories[0];
  if (first) await show(current ?? first.id);
  else byId("traject").hidden = true;
  if (!byId("inzage-sectie").hidden) await loadAccess(true);
  return true;
}

function card(lines: (string | HTMLElement)[]): HTMLLIElement {
  const item = el("li");
  for (const line of lines) {
    if (typeof line === "string") item.append(el("p", {}, line));
    else item.append(line);
  }
  return item;
}

async function show(id: string): Promise<void> {
  current = id;
  const { data } = await api.GET("/v1/me/trajectories/{id}", {
    params: { path: { id } },
    headers: auth(),
  });
  if (!data) {
    say("Dit traject kon niet worden opgehaald.");
    return;
  }
  renderTrajectory(data);
  const steering = steers();
  byId("toestemming-sectie").hidden = !steering;
  byId("naasten-sectie").hidden = !steering;
  if (steering) {
    await loadConsents(data);
    await loadNaasten(data);
  }
}

function renderTrajectory(t: Trajectory): void {
  byId("traject").hidden = false;
  byId("fase").textContent = t.phase.label;
  const dates = [`Begonnen op ${date(t.started_on)}.`];
  if (t.planned_end_on) dates.push(`De behandeling stopt volgens plan op ${date(t.planned_end_on)}.`);
  if (t.treatment_ended_on) dates.push(`De behandeling is gestopt op ${date(t.treatment_ended_on)}.`);
  if (t.end_reason) dates.push(`Reden: ${t.end_reason.label}.`);
  byId("data").textContent = dates.join(" ");

  const gaps = byId("gaten");
  gaps.replaceChildren();
  for (const gap of t.follow_up_gaps) {
    const box = el("div", { class: "let-op" });
    box.append(el("p", {}, ""));
    box.firstElementChild?.append(el("strong", {}, "Let op: "), gap.message);
    const told = gap.told.map((o) => o.label).join(", ");
    box.append(el("p", {}, `Dit is gemeld bij: ${told}. Zij nemen contact met u op.`));
    gaps.append(box);
  }

  const involved = byId<HTMLUListElement>("betrokken");
  involved.replaceChildren();
  for (const p of t.involved) {
    const lines = [`${p.name}, ${p.role.toLowerCase()}`];
    if (p.organisation) lines.push(p.organisation.label);
    if (p.phone) lines.push(`Telefoon: ${p.phone}`);
    if (p.email) lines.push(`E-mail: ${p.email}`);
    involved.append(card(lines));
  }
  for (const n of t.naasten) {
    involved.append(card([`${n.name}${n.relation ? `, ${n.relation}` : ""} (naaste)`]));
  }
  if (involved.children.length === 0) involved.append(el("li", {}, "Nog niemand."));

  const referrals = byId<HTMLUListElement>("verwijzingen");
  referrals.replaceChildren();
  byId("verwijzingen-sectie").hidden = t.referrals.length === 0 && t.standing === "naaste";
  for (const r of t.referrals) {
    const lines: string[] = [`${r.kind.label} bij ${r.to.label}`, `Status: ${r.status.label}`, r.next_step];
    if (r.planned_start_on) lines.push(`Begint op ${date(r.planned_start_on)}.`);
    else if (r.requested_start_on) lines.push(`Gevraagd vanaf ${date(r.requested_start_on)}.`);
    if (r.service) lines.push(`${r.service.name}: ${r.service.waiting}`);
    const item = card(lines);
    item.dataset.referral = r.id;
    item.dataset.status = r.status.code;
    referrals.append(item);
  }
  if (t.referrals.length === 0) referrals.append(el("li", {}, "Er is nog geen hulp aangevraagd."));

  const meetings = byId<HTMLUListElement>("afspraken");
  meetings.replaceChildren();
  for (const m of t.meetings) {
    meetings.append(el("li", {}, `${moment(m.planned_at)} met ${m.with.label}: ${m.status.label}`));
  }
  if (t.meetings.length === 0) meetings.append(el("li", {}, "Geen afspraken gepland."));

  const steps = byId<HTMLOListElement>("stappen");
  steps.replaceChildren();
  byId("stappen-sectie").hidden = t.steps.length === 0;
  for (const s of t.steps) {
    const to = s.to ? `: ${s.to.label}` : "";
    steps.append(el("li", {}, `${date(s.at)} – ${s.what}${to}`));
  }
}

async function loadConsents(t: Trajectory): Promise<void> {
  const { data } = await api.GET("/v1/me/trajectories/{id}/consents", {
    params: { path: { id: t.id } },
    headers: auth(),
  });
  const list = byId<HTMLUListElement>("toestemmingen");
  list.replaceChildren();
  const consents: Consent[] = data?.items ?? [];
  for (const c of consents) {
    const state =
      c.status === "active" ? "Geldt" : c.status === "withdrawn" ? "Ingetrokken" : "Verlopen";
    const item = card([
      `${c.organisation.label}: ${c.purpose}`,
      `Gegeven op ${date(c.given_on)}. ${state}.`,
    ]);
    item.dataset.consent = c.id;
    if (c.status === "active") {
      const button = el("button", { type: "button", class: "secundair" }, "Toestemming intrekken");
      button.setAttribute("aria-label", `Toestemming intrekken voor ${c.organisation.label}`);
      button.addEventListener("click", () => void withdraw(t.id, c));
      item.append(button);
    }
    list.append(item);
  }
  // Referrals whose organisation has no consent now: the client may give it.
  for (const r of t.referrals) {
    const covered = consents.some((c) => c.status === "active" && c.organisation.id === r.to.id);
    if (covered || ["rejected", "completed", "failed", "cancelled"].includes(r.status.code)) continue;
    const button = el("button", { type: "button" }, `Toestemming geven aan ${r.to.label}`);
    button.addEventListener("click", () => void give(t.id, r.id));
    list.append(card([`${r.to.label} heeft nog geen toestemming om uw gegevens te zien.`, button]));
  }
  if (list.children.length === 0) list.append(el("li", {}, "Er is nog geen toestemming vastgelegd."));
}

async function withdraw(trajectory: string, c: Consent): Promise<void> {
  const { response } = await api.POST("/v1/me/trajectories/{id}/consents/{cid}/withdraw", {
    params: { path: { id: trajectory, cid: c.id }, header: { "If-Match": `"${c.version}"` } },
    headers: auth(),
  });
  say(
    response.ok
      ? `Uw toestemming voor ${c.organisation.label} is ingetrokken. Zij zien uw gegevens niet meer.`
      : "Intrekken is niet gelukt. Laad de pagina opnieuw en probeer het nog eens.",
  );
  await show(trajectory);
}

async function give(trajectory: string, referral: string): Promise<void> {
  const { response } = await api.POST("/v1/me/trajectories/{id}/consents", {
    params: { path: { id: trajectory } },
    body: { referral_id: referral },
    headers: auth(),
  });
  say(response.ok ? "Uw toestemming is vastgelegd." : "Toestemming geven is niet gelukt.");
  await show(trajectory);
}

async function loadNaasten(t: Trajectory): Promise<void> {
  const { data } = await api.GET("/v1/me/trajectories/{id}/naasten", {
    params: { path: { id: t.id } },
    headers: auth(),
  });
  const view: Naasten = data ?? { links: [], invitations: [] };
  const list = byId<HTMLUListElement>("naasten");
  list.replaceChildren();
  for (const link of view.links.filter((l) => !l.revoked_at)) {
    const level = link.level === "follow" ? "volgt uw traject" : "ziet wie ze kan bellen";
    const item = el("li", {}, `${link.name ?? "Een naaste"} ${level}. `);
    const button = el("button", { type: "button", class: "secundair" }, "Stoppen");
    button.setAttribute("aria-label", `Stoppen met meekijken voor ${link.name ?? "deze naaste"}`);
    button.addEventListener("click", () => void revoke(t.id, link.id));
    item.append(button);
    list.append(item);
  }
  if (list.children.length === 0) list.append(el("li", {}, "Er kijkt nu geen naaste mee."));
  const select = byId<HTMLSelectElement>("naaste-keuze");
  select.replaceChildren();
  for (const n of t.naasten) {
    select.append(el("option", { value: n.participant_id }, `${n.name}${n.relation ? ` (${n.relation})` : ""}`));
  }
  byId("uitnodigen").hidden = t.naasten.length === 0;
}

async function revoke(trajectory: string, link: string | null): Promise<void> {
  const { response } = link
    ? await api.DELETE("/v1/me/trajectories/{id}/naasten/{lid}", {
        params: { path: { id: trajectory, lid: link } },
        headers: auth(),
      })
    : await api.DELETE("/v1/me/trajectories/{id}/naasten", {
        params: { path: { id: trajectory } },
        headers: auth(),
      });
  say(response.ok ? "Gestopt: deze naaste kijkt niet meer mee." : "Dat is niet gelukt.");
  await show(trajectory);
}

async function invite(event: Event): Promise<void> {
  event.preventDefault();
  if (!current) return;
  const participant = byId<HTMLSelectElement>("naaste-keuze").value;
  const level = byId<HTMLInputElement>("niveau-volgen").checked ? "follow" : "contact";
  const { data } = await api.POST("/v1/me/trajectories/{id}/naasten/invitations", {
    params: { path: { id: current } },
    body: { participant_id: participant, level },
    headers: auth(),
  });
  const shown = byId("nieuwe-code");
  shown.hidden = false;
  shown.replaceChildren();
  if (data?.code) {
    shown.append(
      "Geef deze code aan uw naaste. Hij werkt één keer en zes weken lang: ",
      el("span", { class: "code" }, data.code),
    );
  } else {
    shown.textContent = "Er kon geen code worden gemaakt.";
  }
}

async function redeem(event: Event): Promise<void> {
  event.preventDefault();
  const input = byId<HTMLInputElement>("code");
  const { response, error } = await api.POST("/v1/me/invitations/redeem", {
    body: { code: input.value },
    headers: auth(),
  });
  if (response.ok) {
    input.value = "";
    say("Gelukt: het traject is aan u gekoppeld.");
    await loadMe();
  } else if (response.status === 429) {
    say("U hebt te vaak een verkeerde code ingevuld. Wacht een kwartier en probeer het opnieuw.");
  } else if (response.status === 409) {
    say("Deze code is al gebruikt, ingetrokken of verlopen. Vraag een nieuwe code.");
  } else {
    say(error ? "Deze code klopt niet. Controleer de letters en cijfers." : "Dat is niet gelukt.");
  }
}

async function loadAccess(fresh: boolean): Promise<void> {
  if (fresh) {
    accessBefore = null;
    byId("inzage").replaceChildren();
  }
  const query: { limit: number; before?: number } = { limit: 20 };
  if (accessBefore !== null) query.before = accessBefore;
  const { data } = await api.GET("/v1/me/access-log", {
    params: { query },
    headers: auth(),
  });
  const rows = byId("inzage");
  for (const e of data?.items ?? ([] as AccessEntry[])) {
    const row = el("tr");
    row.append(el("td", {}, moment(e.at)), el("td", {}, e.who_label), el("td", {}, e.what), el("td", {}, e.purpose));
    rows.append(row);
  }
  accessBefore = data?.next_before ?? null;
  byId("meer-inzage").hidden = accessBefore === null;
}

async function download(path: "/v1/me/copy" | "/v1/me/copy/fhir", name: string): Promise<void> {
  const response = await fetch(path, { headers: auth() });
  if (!response.ok) {
    say("De kopie kon niet worden gemaakt.");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
  say("De kopie is gedownload.");
}

async function main(): Promise<void> {
  const settings = await signInSettings();
  if (!settings) {
    byId("inloggen").hidden = false;
    byId<HTMLButtonElement>("inlog-knop").disabled = true;
    say("Inloggen is op deze server niet ingesteld.");
    return;
  }
  byId("test-uitleg").hidden = !settings.development;
  if (settings.development) byId("inlog-knop").textContent = "Inloggen (testomgeving)";
  byId("inlog-knop").addEventListener("click", () => void startSignIn(settings));
  byId("uitloggen").addEventListener("click", signOut);
  byId("uitnodigen").addEventListener("submit", (e) => void invite(e));
  byId("code-form").addEventListener("submit", (e) => void redeem(e));
  byId("alle-naasten-stoppen").addEventListener("click", () => {
    if (current) void revoke(current, null);
  });
  byId("meer-inzage").addEventListener("click", () => void loadAccess(false));
  byId("kopie-json").addEventListener("click", () => void download("/v1/me/copy", "herstelbrug-kopie.json"));
  byId("kopie-fhir").addEventListener("click", () =>
    void download("/v1/me/copy/fhir", "herstelbrug-kopie.fhir.json"),
  );
  const params = new URLSearchParams(window.location.search);
  if (params.has("code")) await finishSignIn(settings, params);
  if (token() && (await loadMe())) return;
  byId("inloggen").hidden = false;
}

void main();
