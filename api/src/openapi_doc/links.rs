//! OpenAPI links: how an answer leads to the next call (a created id to its item, an
//! `ETag` to the next `If-Match`, a `next_cursor` to `after`), for clients and for
//! stateful testing.

use serde_json::{Value, json};

/// (operation, status, link name, target operation, [(parameter, runtime expression)]).
type Link = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const BODY_ID: &str = "$response.body#/id";
const ETAG: &str = "$response.header.ETag";
const CURSOR: &str = "$response.body#/next_cursor";

pub const LINKS: &[Link] = &[
    (
        "register_trajectory",
        "201",
        "GetTrajectory",
        "get_trajectory",
        &[("id", BODY_ID)],
    ),
    (
        "register_trajectory",
        "201",
        "TransitionTrajectory",
        "transition_trajectory",
        &[("id", BODY_ID), ("If-Match", ETAG)],
    ),
    (
        "get_trajectory",
        "200",
        "TransitionTrajectory",
        "transition_trajectory",
        &[("id", "$request.path.id"), ("If-Match", ETAG)],
    ),
    (
        "transition_trajectory",
        "200",
        "GetTrajectory",
        "get_trajectory",
        &[("id", BODY_ID)],
    ),
    (
        "transition_trajectory",
        "200",
        "TransitionAgain",
        "transition_trajectory",
        &[("id", BODY_ID), ("If-Match", ETAG)],
    ),
    (
        "list_trajectories",
        "200",
        "NextPage",
        "list_trajectories",
        &[("after", CURSOR)],
    ),
    (
        "record_consent",
        "201",
        "GetConsent",
        "get_consent",
        &[("id", "$request.path.id"), ("cid", BODY_ID)],
    ),
    (
        "get_consent",
        "200",
        "WithdrawConsent",
        "withdraw_consent",
        &[
            ("id", "$request.path.id"),
            ("cid", "$request.path.cid"),
            ("If-Match", ETAG),
        ],
    ),
    (
        "create_referral",
        "201",
        "GetReferral",
        "get_referral",
        &[("rid", BODY_ID)],
    ),
    (
        "get_referral",
        "200",
        "ActOnReferral",
        "act_on_referral",
        &[("rid", "$request.path.rid"), ("If-Match", ETAG)],
    ),
    (
        "act_on_referral",
        "200",
        "GetReferral",
        "get_referral",
        &[("rid", BODY_ID)],
    ),
    (
        "poll_referral_inbox",
        "200",
        "NextPage",
        "poll_referral_inbox",
        &[("after", CURSOR)],
    ),
    (
        "poll_referral_outbox_feed",
        "200",
        "NextPage",
        "poll_referral_outbox_feed",
        &[("after", CURSOR)],
    ),
    (
        "list_alerts",
        "200",
        "NextPage",
        "list_alerts",
        &[("after", CURSOR)],
    ),
    (
        "poll_alert_feed",
        "200",
        "NextPage",
        "poll_alert_feed",
        &[("after", CURSOR)],
    ),
    (
        "get_alert",
        "200",
        "AcknowledgeAlert",
        "acknowledge_alert",
        &[("id", "$request.path.id"), ("If-Match", ETAG)],
    ),
    (
        "get_alert",
        "200",
        "ResolveAlert",
        "resolve_alert",
        &[("id", "$request.path.id"), ("If-Match", ETAG)],
    ),
    (
        "create_service",
        "201",
        "GetService",
        "get_service",
        &[("id", BODY_ID)],
    ),
    (
        "get_service",
        "200",
        "UpdateService",
        "update_service",
        &[("id", "$request.path.id"), ("If-Match", ETAG)],
    ),
    (
        "search_services",
        "200",
        "NextPage",
        "search_services",
        &[("after", CURSOR)],
    ),
    (
        "follow_catalog",
        "200",
        "NextPage",
        "follow_catalog",
        &[("after", CURSOR)],
    ),
    (
        "create_offer",
        "201",
        "GetOffer",
        "get_offer",
        &[("oid", BODY_ID)],
    ),
    (
        "create_referral",
        "201",
        "ActOnReferral",
        "act_on_referral",
        &[("rid", BODY_ID), ("If-Match", ETAG)],
    ),
    (
        "add_participant",
        "201",
        "LeaveTeam",
        "leave_participant",
        &[
            ("id", "$request.path.id"),
            ("pid", BODY_ID),
            ("If-Match", ETAG),
        ],
    ),
    (
        "plan_handoff_meeting",
        "201",
        "RecordMeeting",
        "record_handoff_meeting",
        &[
            ("rid", "$request.path.rid"),
            ("mid", BODY_ID),
            ("If-Match", ETAG),
        ],
    ),
];

/// Where each operation id is, so links can be added to it.
fn find<'a>(doc: &'a mut Value, operation_id: &str) -> Option<&'a mut Value> {
    super::operations(doc)
        .map(|(_, _, op)| op)
        .find(|op| op["operationId"] == operation_id)
}

pub fn apply(doc: &mut Value) {
    for (source, status, name, target, parameters) in LINKS {
        let parameters: serde_json::Map<String, Value> = parameters
            .iter()
            .map(|(p, e)| ((*p).to_owned(), json!(e)))
            .collect();
        if let Some(op) = find(doc, source) {
            op["responses"][*status]["links"][*name] =
                json!({"operationId": target, "parameters": parameters});
        }
    }
}
