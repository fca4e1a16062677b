//! Access-log entries as FHIR R4 `AuditEvent` resources, for the client's overview of who
//! accessed their data (Wabvpz art. 15e). The NEN 7513 fields map as: the operation to
//! `type` (DICOM 110110 "Patient Record") with the operation as `subtype` text, the
//! action (C/R/U/D/E) to `action`, when to `recorded`, the outcome to `outcome` (0 success,
//! 4 refused or denied, 8 failed), who and for which organisation to `agent` (the user's
//! `sub` is left out of the client's copy: a staff member's identity is theirs), the
//! purpose to `purposeOfEvent`, Herstelbrug to `source`, and the trajectory and referral
//! to `entity`. A supervisor's export adds the user's `sub` as the agent's `altId` and the
//! network address as `agent.network`.

use herstelbrug_persistence::AccessEntry;
use serde_json::{Value, json};

use super::reference::{NAMESPACE, instant, organisation_identifier};

fn outcome(text: &str) -> &'static str {
    match text {
        "success" => "0",
        "denied" | "refused" | "not_found" => "4",
        _ => "8",
    }
}

/// One entry as an `AuditEvent`.
pub fn audit_event(entry: &AccessEntry) -> Value {
    let r = &entry.record;
    let who = match r.org.as_deref().and_then(|o| o.parse().ok()) {
        Some(org) => json!({"identifier": organisation_identifier(org)}),
        None => json!({"display": r.role.clone().unwrap_or_else(|| "onbekend".to_owned())}),
    };
    let mut agent = json!({"who": who, "requestor": true});
    if let Some(role) = &r.role {
        agent["role"] = json!([{"text": role}]);
    }
    let mut entities = Vec::new();
    if let Some(t) = r.trajectory_id {
        entities.push(json!({"what": {"reference": format!("EpisodeOfCare/{t}")}}));
    }
    if let Some(rid) = r.referral_id {
        entities.push(json!({"what": {"reference": format!("Task/{rid}")}}));
    }
    let mut event = json!({
        "resourceType": "AuditEvent",
        "id": format!("access-{}", entry.id),
        "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110",
                 "display": "Patient Record"},
        "subtype": [{"system": format!("{NAMESPACE}/CodeSystem/operation"), "code": r.event}],
        "action": r.action.to_string(),
        "recorded": instant(entry.recorded_at),
        "outcome": outcome(&r.outcome),
        "purposeOfEvent": [{"text": r.purpose}],
        "agent": [agent],
        "source": {"observer": {"display": "Herstelbrug"}},
    });
    if !entities.is_empty() {
        event["entity"] = Value::Array(entities);
    }
    event
}

/// One entry as an `AuditEvent` for a supervisor's export: with the user (`sub`) as the
/// agent's `altId` and the network address, which the client's copy leaves out.
pub fn for_supervisor(entry: &AccessEntry) -> Value {
    let mut event = audit_event(entry);
    let r = &entry.record;
    if let Some(agent) = event["agent"].get_mut(0) {
        if let Some(subject) = &r.subject {
            agent["altId"] = json!(subject);
        }
        if let Some(address) = &r.address {
            // Type 2: an IP address.
            agent["network"] = json!({"address": address, "type": "2"});
        }
    }
    event
}

/// Entries as a FHIR `collection` Bundle.
pub fn collection(resources: Vec<Value>) -> Value {
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": resources.into_iter().map(|resource| json!({"resource": resource})).collect::<Vec<_>>(),
    })
}
