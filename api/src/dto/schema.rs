//! OpenAPI schemas for domain types, which the `domain` crate keeps free of utoipa. The
//! enum values come from the domain's own lists, so the document cannot drift from them.

use herstelbrug_domain::{Change, ClosureOutcome, EndReason, Phase, ReadmissionReason};
use utoipa::openapi::schema::{Array, ArrayBuilder, Object, ObjectBuilder, Type};

fn string_enum(description: &str, values: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .build()
}

/// Like [`string_enum`], but `null` is a value too (an absent reason, say).
fn nullable_string_enum(
    description: &str,
    values: impl IntoIterator<Item = &'static str>,
) -> Object {
    let mut all: Vec<serde_json::Value> = values.into_iter().map(Into::into).collect();
    all.push(serde_json::Value::Null);
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .description(Some(description))
        .enum_values(Some(all))
        .build()
}

pub fn phase() -> Object {
    string_enum("A trajectory phase.", Phase::NAMES.iter().copied())
}

pub fn phases() -> Array {
    ArrayBuilder::new().items(phase()).build()
}

pub fn event_kind() -> Object {
    let mut all: Vec<&'static str> = Change::KINDS.to_vec();
    all.extend(herstelbrug_domain::ReferralChange::KINDS);
    string_enum("What kind of change the event records.", all)
}

pub fn end_reason() -> Object {
    nullable_string_enum(
        "Why treatment ended; null while it has not.",
        EndReason::NAMES.iter().copied(),
    )
}

pub fn closure_outcome() -> Object {
    nullable_string_enum(
        "How a trajectory in social support was closed; null until then.",
        ClosureOutcome::NAMES.iter().copied(),
    )
}

pub fn any_reason() -> Object {
    let mut all: Vec<&'static str> = EndReason::NAMES.to_vec();
    all.extend(ReadmissionReason::NAMES);
    all.extend(ClosureOutcome::NAMES);
    all.sort_unstable();
    all.dedup();
    let list = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ending: Vec<&str> = EndReason::NAMES
        .iter()
        .copied()
        .filter(|n| *n != "deceased")
        .collect();
    string_enum(
        &format!(
            "Which reasons go with which move (anything else is 422):\n\n\
             | from → to | `reason` |\n|---|---|\n\
             | treatment → transition | none (`planned_end_on` is required) |\n\
             | transition → treatment | none (treatment extended) |\n\
             | treatment or transition → social_support | an end reason: {} |\n\
             | treatment or transition → closed | an end reason: {} |\n\
             | social_support → treatment | {} |\n\
             | social_support → closed | an outcome: {} |",
            list(&ending),
            list(EndReason::NAMES),
            list(ReadmissionReason::NAMES),
            list(ClosureOutcome::NAMES),
        ),
        all,
    )
}

fn pattern_string(description: &str, pattern: &str, example: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
        .examples([example])
        .build()
}

/// An organisation: `agb:` and 8 digits, `gemeente:` and 4 (not `0000`), `informeel:` and
/// 6 (not `000000`); what `OrgId` parses (a test holds the two together).
pub const ORG_PATTERN: &str = "^(agb:[0-9]{8}|gemeente:([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})|informeel:([0-9]{5}[1-9]|[0-9]{4}[1-9][0-9]|[0-9]{3}[1-9][0-9]{2}|[0-9]{2}[1-9][0-9]{3}|[0-9][1-9][0-9]{4}|[1-9][0-9]{5}))$";

/// A municipality: `gemeente:` and 4 digits, not `0000`.
pub const MUNICIPALITY_PATTERN: &str =
    "^gemeente:([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})$";

pub fn org_id() -> Object {
    pattern_string(
        "An organisation: `agb:` and 8 digits (a care provider), `gemeente:` and 4 digits (a \
         municipality), or `informeel:` and 6 digits (a registered informal organisation).",
        ORG_PATTERN,
        "agb:12345678",
    )
}

pub fn municipality() -> Object {
    pattern_string(
        "A municipality: `gemeente:` and its 4-digit CBS code.",
        MUNICIPALITY_PATTERN,
        "gemeente:0268",
    )
}

pub fn client_ref() -> Object {
    pattern_string(
        "The provider's own pseudonymous client reference; never a BSN or a name.",
        "^[A-Za-z0-9._:-]{1,64}$",
        "client-0042",
    )
}

pub fn referral_kind() -> Object {
    string_enum(
        "The kind of follow-up support.",
        herstelbrug_domain::ReferralKind::NAMES.iter().copied(),
    )
}

pub fn referral_status() -> Object {
    string_enum(
        "Where a referral stands.",
        herstelbrug_domain::ReferralStatus::NAMES.iter().copied(),
    )
}

pub fn delivery_state() -> Object {
    string_enum(
        "How deliveries to a subscription stand, worst first: `disabled` (the receiver \
         answered 410), `retrying` (a message failed and waits for its next attempt), \
         `dead_letters` (messages ran out of attempts; replay them), `ok`.",
        herstelbrug_domain::notification::DeliveryState::NAMES
            .iter()
            .copied(),
    )
}

pub fn rejection_reason() -> Object {
    nullable_string_enum(
        "Why the recipient rejected the referral, as a code (`other` comes with a `reason`).",
        herstelbrug_domain::RejectionReason::NAMES.iter().copied(),
    )
}

pub fn system_cancellation() -> Object {
    nullable_string_enum(
        "Why the system cancelled the referral: another candidate of the offer was selected, \
         the offer expired, or the client withdrew consent.",
        [
            herstelbrug_domain::routing::NOT_SELECTED_REASON,
            herstelbrug_domain::routing::EXPIRED_REASON,
            herstelbrug_domain::CONSENT_WITHDRAWN_REASON,
        ],
    )
}

pub fn check_outcome() -> Object {
    string_enum(
        "How the client is doing at an outcome check after closure.",
        herstelbrug_domain::aftercare::CheckOutcome::NAMES
            .iter()
            .copied(),
    )
}

pub fn check_outcome_or_null() -> Object {
    nullable_string_enum(
        "How the client was doing at the check; `null` until it is recorded.",
        herstelbrug_domain::aftercare::CheckOutcome::NAMES
            .iter()
            .copied(),
    )
}

pub fn participant_role() -> Object {
    string_enum(
        "A participant's role: regiebehandelaar, casemanager, ervaringsdeskundige, wijkteam \
         or Wmo consultant, huisarts, or naaste (relative).",
        herstelbrug_domain::team::ParticipantRole::NAMES
            .iter()
            .copied(),
    )
}

pub fn meeting_status() -> Object {
    string_enum(
        "Where a warm-handoff meeting stands.",
        herstelbrug_domain::team::MeetingStatus::NAMES
            .iter()
            .copied(),
    )
}

pub fn offer_status() -> Object {
    string_enum(
        "Where an offer stands.",
        herstelbrug_domain::routing::OfferStatus::NAMES
            .iter()
            .copied(),
    )
}

pub fn referral_action() -> Object {
    string_enum(
        "An action on a referral.",
        herstelbrug_domain::ReferralAction::NAMES.iter().copied(),
    )
}

fn life_domain() -> Object {
    string_enum(
        "A life domain a client needs help in: housing (wonen), income_and_debts, \
         work_and_daytime_activity, social_network, physical_health, mental_health, \
         substance_use.",
        herstelbrug_domain::LifeDomain::NAMES.iter().copied(),
    )
}

/// Life domains a referral asks help in: each at most once.
pub fn life_domains() -> Array {
    ArrayBuilder::new()
        .items(life_domain())
        .max_items(Some(herstelbrug_domain::LifeDomain::ALL.len()))
        .build()
}

pub fn referral_actions() -> Array {
    ArrayBuilder::new().items(referral_action()).build()
}

pub fn feed_change() -> Object {
    let mut all: Vec<&'static str> = herstelbrug_domain::ReferralChange::KINDS.to_vec();
    all.push("consent_withdrawn");
    string_enum("What changed.", all)
}

pub fn alert_rule() -> Object {
    string_enum(
        "The rule that raised the alert.",
        herstelbrug_domain::Rule::NAMES.iter().copied(),
    )
}

pub fn severity() -> Object {
    string_enum(
        "warning, critical, or escalated (a critical alert nobody acknowledged in time).",
        herstelbrug_domain::Severity::NAMES.iter().copied(),
    )
}

pub fn alert_status() -> Object {
    string_enum(
        "The alert's lifecycle.",
        herstelbrug_domain::AlertStatus::NAMES.iter().copied(),
    )
}

pub fn alert_change() -> Object {
    string_enum(
        "What happened to the alert.",
        [
            "alert_opened",
            "alert_escalated",
            "alert_acknowledged",
            "alert_resolved",
            "alert_sharing_changed",
        ],
    )
}

pub fn event_types() -> Array {
    ArrayBuilder::new()
        .items(string_enum(
            "A webhook event type.",
            herstelbrug_domain::EventType::NAMES.iter().copied(),
        ))
        .build()
}

pub fn service_status() -> Object {
    string_enum(
        "HSDS 3 service status.",
        herstelbrug_domain::catalog::ServiceStatus::NAMES
            .iter()
            .copied(),
    )
}

pub fn catalog_sort() -> Object {
    string_enum(
        "Order of the page: by measured wait to acceptance (unmeasured last) or stated wait.",
        ["measured_wait", "stated_wait"],
    )
}

pub fn catalog_form() -> Object {
    string_enum(
        "`minimal`: id and last change only; `full` (the default): the whole record.",
        ["minimal", "full"],
    )
}

pub fn figure_interval() -> Object {
    string_enum(
        "How finely figures are split over time [default: `month`].",
        herstelbrug_domain::figures::Interval::NAMES.iter().copied(),
    )
}

pub fn figure_grouping() -> Object {
    string_enum(
        "What figures are split by [default: `municipality`]. By `kind` or `service`, the \
         trajectory-wide figures (endings, gaps, alerts, dropouts, re-admissions) are in the \
         total only.",
        herstelbrug_domain::figures::Grouping::NAMES.iter().copied(),
    )
}

pub fn figure_rejection_reason() -> Object {
    let mut names: Vec<&'static str> = herstelbrug_domain::RejectionReason::NAMES.to_vec();
    names.push("unspecified");
    string_enum(
        "Why referrals were rejected (`unspecified`: rejected before reasons were coded).",
        names,
    )
}

/// The enums the document names as components, so generated clients get one type each
/// instead of one per use. The document's enum pass replaces every inline enum with the
/// same values by a reference to its name (and `oneOf [$ref, null]` where `null` is
/// allowed).
pub fn named_enums() -> Vec<(&'static str, Object)> {
    use herstelbrug_domain as d;
    let names = |values: &[&'static str]| values.to_vec();
    vec![
        ("Phase", phase()),
        ("EventKind", event_kind()),
        (
            "EndReason",
            string_enum("Why treatment ended.", names(EndReason::NAMES)),
        ),
        (
            "ClosureOutcome",
            string_enum(
                "How a trajectory in social support was closed.",
                names(ClosureOutcome::NAMES),
            ),
        ),
        ("TransitionReason", any_reason()),
        ("ReferralKind", referral_kind()),
        ("LifeDomain", life_domain()),
        ("ReferralStatus", referral_status()),
        (
            "RejectionReason",
            string_enum(
                "Why the recipient rejected a referral (`other` comes with a `reason`).",
                names(d::RejectionReason::NAMES),
            ),
        ),
        (
            "SystemCancellation",
            string_enum(
                "Why the system cancelled a referral.",
                [
                    d::routing::NOT_SELECTED_REASON,
                    d::routing::EXPIRED_REASON,
                    d::CONSENT_WITHDRAWN_REASON,
                ],
            ),
        ),
        ("CheckOutcome", check_outcome()),
        ("ParticipantRole", participant_role()),
        ("MeetingStatus", meeting_status()),
        ("OfferStatus", offer_status()),
        ("ReferralAction", referral_action()),
        ("ReferralFeedChange", feed_change()),
        ("AlertRule", alert_rule()),
        ("Severity", severity()),
        ("AlertStatus", alert_status()),
        ("AlertChange", alert_change()),
        (
            "EventType",
            string_enum("A webhook event type.", names(d::EventType::NAMES)),
        ),
        ("ServiceStatus", service_status()),
        ("DeliveryState", delivery_state()),
        ("CatalogSort", catalog_sort()),
        ("CatalogForm", catalog_form()),
        ("FigureInterval", figure_interval()),
        ("FigureGrouping", figure_grouping()),
        ("FigureRejectionReason", figure_rejection_reason()),
    ]
}
