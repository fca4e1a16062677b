"""Walks every operation once with fictional Dutch data and prints, per operation id, the
request body sent and the response body received per status (see capture-examples.sh)."""

import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE = os.environ["HERSTELBRUG_URL"]
P, M, D, ADMIN = (os.environ[k] for k in ("PROVIDER_TOKEN", "MUNICIPALITY_TOKEN", "DASHBOARD_TOKEN", "ADMIN_TOKEN"))
NIJMEGEN = "gemeente:0268"
captured = {}


def call(op, method, path, token=None, body=None, if_match=None, expect=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if if_match:
        headers["If-Match"] = if_match
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            status, raw, etag = response.status, response.read(), response.headers.get("ETag")
    except urllib.error.HTTPError as error:
        status, raw, etag = error.code, error.read(), error.headers.get("ETag")
    parsed = json.loads(raw) if raw else None
    if expect is not None and status != expect:
        sys.exit(f"{op}: expected {expect}, got {status}: {parsed}")
    entry = captured.setdefault(op, {"responses": {}})
    if body is not None:
        entry.setdefault("request", body)
    if parsed is not None:
        entry["responses"].setdefault(str(status), parsed)
    return parsed, etag


call("liveness", "GET", "/health/live", expect=200)
call("readiness", "GET", "/health/ready", expect=200)

# The EHR of agb:12345678 registers two clients of Nijmegen.
first, tag = call("register_trajectory", "POST", "/v1/trajectories", P, {
    "client_ref": "ehr-2026-00417", "municipality": NIJMEGEN, "started_on": "2026-09-01",
    "bsn": "111222333",
    "identifiers": [{"system": "https://ehr.example.nl/episodes", "value": "EP-2026-00417"}]},
    expect=201)
t1 = first["id"]
second, tag2 = call("register_trajectory", "POST", "/v1/trajectories", P, {
    "client_ref": "ehr-2026-00418", "municipality": NIJMEGEN, "started_on": "2026-09-14"}, expect=201)
t2 = second["id"]
call("list_trajectories", "GET", "/v1/trajectories?limit=1", P, expect=200)
call("get_trajectory", "GET", f"/v1/trajectories/{t1}", P, expect=200)
call("replace_trajectory_identifiers", "PUT", f"/v1/trajectories/{t1}/identifiers", P, {"items": [
    {"system": "https://ehr.example.nl/episodes", "value": "EP-2026-00417"},
    {"system": "https://ehr.example.nl/fhir/EpisodeOfCare", "value": "eoc-2026-00417"}]}, expect=200)
call("get_trajectory_identifiers", "GET", f"/v1/trajectories/{t1}/identifiers", P, expect=200)
call("search_trajectories_by_bsn", "POST", "/v1/trajectories/search", P, {"bsn": "111222333"}, expect=200)

consent, _ = call("record_consent", "POST", f"/v1/trajectories/{t1}/consents", P, {
    "organisation": NIJMEGEN, "purpose": "Aanmelding Wmo-ondersteuning wonen"}, expect=201)
call("list_consents", "GET", f"/v1/trajectories/{t1}/consents", P, expect=200)
call("get_consent", "GET", f"/v1/trajectories/{t1}/consents/{consent['id']}", P, expect=200)

# Nijmegen's catalog: a housing service with its capacity.
service_body = {
    "name": "Begeleid wonen Nijmegen-Oost", "description": "Kamers met ambulante begeleiding",
    "kind": "housing", "serves": [NIJMEGEN],
    "eligibility": {"description": "Volwassenen na klinische behandeling", "minimum_age": 18,
                    "needs_wmo_decision": True},
    "how_to_apply": "Via het wijkteam of de verwijzer", "public_phone": "024-3290000",
    "languages": ["nl"], "stated_wait_days": 21}
service, stag = call("create_service", "POST", "/v1/services", M, service_body, expect=201)
sid = service["id"]
call("get_service", "GET", f"/v1/services/{sid}", M, expect=200)
call("replace_service_identifiers", "PUT", f"/v1/services/{sid}/identifiers", M, {"items": [
    {"system": "https://nijmegen.example.nl/wmo/voorzieningen", "value": "BW-OOST-01"}]}, expect=200)
call("get_service_identifiers", "GET", f"/v1/services/{sid}/identifiers", M, expect=200)
call("update_service", "PUT", f"/v1/services/{sid}", M, {**service_body, "stated_wait_days": 28},
     if_match=stag, expect=200)
call("post_service_capacity", "POST", f"/v1/services/{sid}/capacity", M, {
    "available": 2, "maximum": 12, "unit": "places", "stated_wait_days": 14}, expect=200)
call("get_service_history", "GET", f"/v1/services/{sid}/history", M, expect=200)
call("search_services", "GET", "/v1/services?kind=housing&serves=gemeente:0268", P, expect=200)
call("follow_catalog", "GET", "/v1/services/feed?limit=2", P, expect=200)

referral, rtag = call("create_referral", "POST", f"/v1/trajectories/{t1}/referrals", P, {
    "kind": "housing", "recipient": NIJMEGEN, "service": sid,
    "needs": "Zoekt woonruimte na de klinische opname; heeft schulden bij de woningcorporatie",
    "requested_start_on": "2026-12-15",
    "client": {"name": "J. Jansen", "phone": "06-12345678", "email": "j.jansen@example.nl",
               "address": "Voorbeeldstraat 1, 6511 AA Nijmegen"},
    "referrer": {"name": "M. de Vries", "phone": "024-1234567"},
    "identifiers": [{"system": "https://ehr.example.nl/fhir/Task", "value": "task-2026-0091"}]},
    expect=201)
rid = referral["id"]
call("list_trajectory_referrals", "GET", f"/v1/trajectories/{t1}/referrals", P, expect=200)
call("get_referral", "GET", f"/v1/referrals/{rid}", M, expect=200)
call("replace_referral_identifiers", "PUT", f"/v1/referrals/{rid}/identifiers", M, {"items": [
    {"system": "https://nijmegen.example.nl/iwmo/toewijzing", "value": "TW-2026-000123"}]}, expect=200)
call("get_referral_identifiers", "GET", f"/v1/referrals/{rid}/identifiers", M, expect=200)
call("find_referrals_by_identifier", "GET",
     "/v1/referrals?identifier=https://nijmegen.example.nl/iwmo/toewijzing|TW-2026-000123", M, expect=200)
call("poll_referral_inbox", "GET", "/v1/referrals/inbox?limit=10", M, expect=200)
call("poll_referral_outbox_feed", "GET", "/v1/referrals/outbox-feed?limit=10", P, expect=200)
acked, rtag = call("act_on_referral", "POST", f"/v1/referrals/{rid}/acknowledge", M,
                   if_match=rtag, expect=200)
call("act_on_referral", "POST", f"/v1/referrals/{rid}/accept", M,
     {"planned_start_on": "2026-12-15"}, if_match=rtag, expect=200)

participant, ptag = call("add_participant", "POST", f"/v1/trajectories/{t1}/participants", P, {
    "role": "case_manager", "name": "M. de Vries", "organisation": "agb:12345678",
    "phone": "024-1234567"}, expect=201)
call("add_participant", "POST", f"/v1/trajectories/{t1}/participants", P, {
    "role": "wmo_consultant", "name": "S. Bakker", "organisation": NIJMEGEN}, expect=201)
call("list_participants", "GET", f"/v1/trajectories/{t1}/participants", P, expect=200)
call("referral_participants", "GET", f"/v1/referrals/{rid}/participants", M, expect=200)
meeting, mtag = call("plan_handoff_meeting", "POST", f"/v1/referrals/{rid}/warm-handoff/meetings", P, {
    "planned_at": "2026-12-10T10:00:00Z", "participants": [participant["id"]]}, expect=201)
call("list_handoff_meetings", "GET", f"/v1/referrals/{rid}/warm-handoff/meetings", M, expect=200)
call("record_handoff_meeting", "POST",
     f"/v1/referrals/{rid}/warm-handoff/meetings/{meeting['id']}/outcome", M,
     {"outcome": "postponed", "planned_at": "2026-12-17T10:00:00Z", "reason": "Cliënt is ziek"},
     if_match=mtag, expect=200)
call("leave_participant", "POST", f"/v1/trajectories/{t1}/participants/{participant['id']}/leave", P,
     {}, if_match=ptag, expect=200)
call("referral_overview", "GET", f"/v1/referrals/{rid}/overview", M, expect=200)

moved, tag = call("transition_trajectory", "POST", f"/v1/trajectories/{t1}/transitions", P, {
    "to": "transition", "planned_end_on": "2026-12-31"}, if_match=tag, expect=200)
call("trajectory_overview", "GET", f"/v1/trajectories/{t1}/overview", P, expect=200)
# Closed with the housing referral accepted: outcome checks fall due after 30 and 90 days.
call("transition_trajectory", "POST", f"/v1/trajectories/{t1}/transitions", P, {
    "to": "closed", "reason": "planned_completion"}, if_match=tag, expect=200)
call("list_outcome_checks", "GET", f"/v1/trajectories/{t1}/outcome-checks", P, expect=200)
call("get_trajectory_history", "GET", f"/v1/trajectories/{t1}/events", P, expect=200)

# The second client leaves treatment with nothing in place: the alarm.
call("transition_trajectory", "POST", f"/v1/trajectories/{t2}/transitions", P, {
    "to": "social_support", "reason": "planned_completion"}, if_match=tag2, expect=200)
alerts, _ = call("list_alerts", "GET", f"/v1/alerts?trajectory={t2}", P, expect=200)
aid = alerts["items"][0]["id"]
_, atag = call("get_alert", "GET", f"/v1/alerts/{aid}", P, expect=200)
call("poll_alert_feed", "GET", "/v1/alerts/feed?limit=5", P, expect=200)
_, atag = call("acknowledge_alert", "POST", f"/v1/alerts/{aid}/acknowledge", P, if_match=atag, expect=200)
call("resolve_alert", "POST", f"/v1/alerts/{aid}/resolve", P, {
    "reason": "Cliënt telefonisch aangemeld bij het wijkteam"}, if_match=atag, expect=200)
consent2, _ = call("record_consent", "POST", f"/v1/trajectories/{t2}/consents", P, {
    "organisation": NIJMEGEN, "purpose": "Aanmelding dagbesteding"}, expect=201)
offer, _ = call("create_offer", "POST", f"/v1/trajectories/{t2}/offers", P, {
    "kind": "work_and_daytime_activity", "needs": "Dagbesteding drie dagdelen per week",
    "candidates": [{"recipient": NIJMEGEN}, {"recipient": "agb:12345678"}]}, expect=201)
call("get_offer", "GET", f"/v1/offers/{offer['id']}", P, expect=200)
call("list_offers", "GET", f"/v1/trajectories/{t2}/offers", P, expect=200)
call("referral_alternatives", "GET", f"/v1/referrals/{rid}/alternatives", P, expect=200)
call("list_outcome_checks", "GET", f"/v1/trajectories/{t2}/outcome-checks", P, expect=200)
call("record_outcome_check", "POST", f"/v1/trajectories/{t2}/outcome-checks", P, {
    "after_days": 30, "outcome": "stable"})
call("withdraw_consent", "POST", f"/v1/trajectories/{t2}/consents/{consent2['id']}/withdraw",
     P, {"reason": "Cliënt wil geen contact meer met de gemeente"}, if_match='"1"')
call("get_client_access_log", "GET", "/v1/clients/ehr-2026-00417/access-log?limit=2", P, expect=200)
call("get_own_access_log", "GET", "/v1/access-log?limit=2", P, expect=200)

subscription, _ = call("create_webhook_subscription", "POST", "/v1/webhook-subscriptions", P, {
    "url": "http://127.0.0.1:9/herstelbrug-events", "event_types": ["alert.opened", "referral.updated"]},
    expect=201)
wid = subscription["id"]
call("list_webhook_subscriptions", "GET", "/v1/webhook-subscriptions", P, expect=200)
# A third client leaves treatment with nothing in place: event 1 of the subscription.
third, tag3 = call("register_trajectory", "POST", "/v1/trajectories", P, {
    "client_ref": "ehr-2026-00419", "municipality": NIJMEGEN, "started_on": "2026-10-01"}, expect=201)
call("transition_trajectory", "POST", f"/v1/trajectories/{third['id']}/transitions", P, {
    "to": "social_support", "reason": "planned_completion"}, if_match=tag3, expect=200)
# Events are numbered moments after commit.
for _ in range(100):
    status, _ = call("get_webhook_subscription_status", "GET", f"/v1/webhook-subscriptions/{wid}/status",
                     P, expect=200)
    if status["events_since_subscription_start"] >= 1:
        break
    time.sleep(0.1)
captured.pop("get_webhook_subscription_status")
call("get_webhook_subscription_status", "GET", f"/v1/webhook-subscriptions/{wid}/status", P, expect=200)
call("list_webhook_events", "GET", f"/v1/webhook-subscriptions/{wid}/events?since=0", P, expect=200)
test, _ = call("send_webhook_test", "POST", f"/v1/webhook-subscriptions/{wid}/test", P, expect=202)
call("list_webhook_deliveries", "GET", f"/v1/webhook-subscriptions/{wid}/deliveries", P, expect=200)
call("replay_webhook_delivery", "POST",
     f"/v1/webhook-subscriptions/{wid}/deliveries/{test['message_id']}/replay", P)
call("rotate_webhook_secret", "POST", f"/v1/webhook-subscriptions/{wid}/rotate-secret", P, expect=200)
call("delete_webhook_subscription", "DELETE", f"/v1/webhook-subscriptions/{wid}", P, expect=204)

# The client's own door: Sanne (a fictional client, test BSN) signs in at the local
# development issuer with PKCE, as the /mijn/ page does.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
from dev_sign_in import person_token  # noqa: E402

sanne, stag4 = call("register_trajectory", "POST", "/v1/trajectories", P, {
    "client_ref": "ehr-2026-00420", "municipality": NIJMEGEN, "started_on": "2026-10-05",
    "bsn": "999990019"}, expect=201)
s4 = sanne["id"]
call("record_consent", "POST", f"/v1/trajectories/{s4}/consents", P, {
    "organisation": NIJMEGEN, "purpose": "Aanmelding Wmo-ondersteuning wonen"}, expect=201)
call("add_participant", "POST", f"/v1/trajectories/{s4}/participants", P, {
    "role": "treating_clinician", "name": "Dr. L. Peters", "organisation": "agb:12345678",
    "phone": "024-7654321"}, expect=201)
anna, _ = call("add_participant", "POST", f"/v1/trajectories/{s4}/participants", P, {
    "role": "relative", "name": "Anna de Vries", "relation": "zus", "phone": "06-11122233",
    "consent": {"given_on": "2026-10-05", "share_with": []}}, expect=201)
sref, _ = call("create_referral", "POST", f"/v1/trajectories/{s4}/referrals", P, {
    "kind": "housing", "recipient": NIJMEGEN, "service": sid, "requested_start_on": "2027-01-04",
    "needs": "Zoekt een woning met begeleiding na de behandeling"},
    expect=201)
invited, _ = call("invite_client", "POST", f"/v1/trajectories/{t2}/invitations", P, expect=201)
call("list_client_invitations", "GET", f"/v1/trajectories/{t2}/invitations", P, expect=200)
spare, _ = call("invite_client", "POST", f"/v1/trajectories/{third['id']}/invitations", P, expect=201)
call("revoke_client_invitation", "POST", f"/v1/trajectories/{third['id']}/invitations/{spare['id']}/revoke",
     P, expect=200)
S = person_token(BASE, "sanne")
call("read_me", "GET", "/v1/me", S, expect=200)
call("read_my_trajectory", "GET", f"/v1/me/trajectories/{s4}", S, expect=200)
call("list_my_consents", "GET", f"/v1/me/trajectories/{s4}/consents", S, expect=200)
mine, _ = call("give_my_consent", "POST", f"/v1/me/trajectories/{s4}/consents", S, {
    "referral_id": sref["id"], "purpose": "Hulp bij wonen"}, expect=201)
call("withdraw_my_consent", "POST", f"/v1/me/trajectories/{s4}/consents/{mine['id']}/withdraw", S,
     if_match='"1"', expect=200)
naaste, _ = call("invite_my_naaste", "POST", f"/v1/me/trajectories/{s4}/naasten/invitations", S, {
    "participant_id": anna["id"], "level": "contact"}, expect=201)
A = person_token(BASE, "anna")
link, _ = call("redeem_invitation", "POST", "/v1/me/invitations/redeem", A, {"code": naaste["code"]}, expect=201)
call("list_my_naasten", "GET", f"/v1/me/trajectories/{s4}/naasten", S, expect=200)
call("revoke_my_naaste", "DELETE", f"/v1/me/trajectories/{s4}/naasten/{link['id']}", S, expect=200)
call("revoke_all_my_naasten", "DELETE", f"/v1/me/trajectories/{s4}/naasten", S, expect=200)
call("read_my_access_log", "GET", "/v1/me/access-log?limit=3", S, expect=200)
call("read_my_audit_events", "GET", "/v1/me/access-log/audit-events?limit=2", S, expect=200)
call("download_my_copy", "GET", "/v1/me/copy", S, expect=200)
call("download_my_fhir_copy", "GET", "/v1/me/copy/fhir", S, expect=200)

call("get_organisation", "GET", f"/v1/organisations/{NIJMEGEN}", P, expect=200)
call("get_continuity_figures", "GET", "/v1/figures/continuity?interval=quarter", D, expect=200)

# Retention: an administrator holds, lifts and erases a trajectory of its own.
gone, _ = call("register_trajectory", "POST", "/v1/trajectories", P, {
    "client_ref": "ehr-2024-00012", "municipality": NIJMEGEN, "started_on": "2024-03-04"}, expect=201)
call("place_legal_hold", "PUT", f"/v1/trajectories/{gone['id']}/legal-hold", ADMIN, {
    "reason": "Klacht bij de tuchtrechter, zaak T-2026-114"}, expect=200)
call("get_legal_hold", "GET", f"/v1/trajectories/{gone['id']}/legal-hold", ADMIN, expect=200)
call("erase_trajectory", "POST", f"/v1/trajectories/{gone['id']}/erasure", ADMIN, expect=409)
call("lift_legal_hold", "DELETE", f"/v1/trajectories/{gone['id']}/legal-hold", ADMIN, expect=200)
call("erase_trajectory", "POST", f"/v1/trajectories/{gone['id']}/erasure", ADMIN, expect=200)

json.dump(captured, sys.stdout, indent=2, ensure_ascii=False, sort_keys=True)
print()
