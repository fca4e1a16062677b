//! One access as the API describes it, and how it becomes a row and a hashed entry.

use chrono::{DateTime, SubsecRound, Utc};
use herstelbrug_domain::access_log::LoggedEntry;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::EntityTrait;
use sea_orm::QueryTrait as _;
use uuid::Uuid;

use crate::db::write_txn::WriteTxn;
use crate::entity::access_log;

/// One access, as the API describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    /// The operation, e.g. `GET /v1/trajectories/{id}`.
    pub event: String,
    /// NEN 7513 action: C(reate), R(ead), U(pdate), D(elete) or E(xecute).
    pub action: char,
    /// `success`, `denied`, `not_found`, `refused` (bad input) or `failed`.
    pub outcome: String,
    pub status: u16,
    pub client_ref: Option<String>,
    pub trajectory_id: Option<Uuid>,
    pub referral_id: Option<Uuid>,
    pub subject: Option<String>,
    pub role: Option<String>,
    pub org: Option<String>,
    pub address: Option<String>,
    pub request_id: Option<String>,
    pub purpose: String,
    /// The trajectories whose data the response showed, beyond the one its path names
    /// (a feed page, a list of alerts): the client's access report finds the entry
    /// through each of them.
    pub disclosed: Vec<Uuid>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: i64,
    pub recorded_at: DateTime<Utc>,
    pub record: AccessRecord,
}

pub(super) fn record_of(row: &access_log::Model) -> AccessRecord {
    AccessRecord {
        event: row.event.clone(),
        action: row.action.chars().next().unwrap_or('?'),
        outcome: row.outcome.clone(),
        status: u16::try_from(row.status).unwrap_or_default(),
        client_ref: row.client_ref.clone(),
        trajectory_id: row.trajectory_id,
        referral_id: row.referral_id,
        subject: row.subject.clone(),
        role: row.role.clone(),
        org: row.org.clone(),
        address: row.address.clone(),
        request_id: row.request_id.clone(),
        purpose: row.purpose.clone(),
        disclosed: row
            .disclosed
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default(),
    }
}

/// `text` as a column of at most `max` characters can always hold it: control characters
/// (NUL, which PostgreSQL refuses in text, among them) are written as `\u{..}` escapes and
/// an over-long value is cut with a marker. An entry must never fail for what a caller
/// put in a path or header: the log has to show the attempt, not lose it.
pub fn storable(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut chars = 0;
    for c in text.chars() {
        let piece = if c.is_control() {
            format!("\\u{{{:x}}}", u32::from(c))
        } else {
            c.to_string()
        };
        let len = piece.chars().count();
        if chars + len > max {
            // Keep room for the marker that says the value was cut.
            while chars + 1 > max {
                if out.pop().is_none() {
                    break;
                }
                chars -= 1;
            }
            out.push('…');
            return out;
        }
        out.push_str(&piece);
        chars += len;
    }
    out
}

fn storable_opt(text: &Option<String>, max: usize) -> Option<String> {
    text.as_deref().map(|t| storable(t, max))
}

/// Writes one entry, unchained, in a write's own transaction, so the change and its
/// entry commit or fail together. `status` is the answer being given.
pub(crate) fn defer(txn: &WriteTxn, record: &AccessRecord, status: u16, now: DateTime<Utc>) {
    txn.defer(access_log::Entity::insert(row(record, status, now)).into_query());
}

pub(super) fn row(
    record: &AccessRecord,
    status: u16,
    now: DateTime<Utc>,
) -> access_log::ActiveModel {
    let r = record;
    access_log::ActiveModel {
        id: NotSet,
        recorded_at: Set(now.trunc_subsecs(0)),
        event: Set(storable(&r.event, 120)),
        action: Set(if r.action.is_ascii_uppercase() {
            r.action
        } else {
            'E'
        }
        .to_string()),
        outcome: Set(storable(&r.outcome, 16)),
        status: Set(i32::from(status)),
        client_ref: Set(storable_opt(&r.client_ref, 64)),
        trajectory_id: Set(r.trajectory_id),
        referral_id: Set(r.referral_id),
        subject: Set(storable_opt(&r.subject, 255)),
        role: Set(storable_opt(&r.role, 100)),
        org: Set(storable_opt(&r.org, 16)),
        address: Set(storable_opt(&r.address, 64)),
        request_id: Set(storable_opt(&r.request_id, 64)),
        purpose: Set(storable(&r.purpose, 100)),
        tx_id: NotSet,
        disclosed: Set((!r.disclosed.is_empty())
            .then(|| herstelbrug_domain::access_log::entry::disclosed_json(&r.disclosed))),
    }
}

/// A row as the chain hashes it.
pub(super) fn logged(row: &access_log::Model) -> LoggedEntry {
    let r = record_of(row);
    LoggedEntry {
        id: row.id,
        recorded_at: row.recorded_at,
        event: r.event,
        action: r.action,
        outcome: r.outcome,
        status: r.status,
        client_ref: r.client_ref,
        trajectory_id: r.trajectory_id,
        referral_id: r.referral_id,
        subject: r.subject,
        role: r.role,
        org: r.org,
        address: r.address,
        request_id: r.request_id,
        purpose: r.purpose,
        disclosed: r.disclosed,
    }
}

/// The entries of removals the server makes by itself (the retention job): one per
/// trajectory, action D, in the removal's own transaction.
pub(crate) fn removals(trajectories: &[Uuid], now: DateTime<Utc>) -> Vec<access_log::ActiveModel> {
    trajectories
        .iter()
        .map(|id| {
            let record = AccessRecord {
                event: "retention: personal details removed".to_owned(),
                action: 'D',
                outcome: "success".to_owned(),
                status: 200,
                client_ref: None,
                trajectory_id: Some(*id),
                referral_id: None,
                subject: Some("herstelbrug-retention".to_owned()),
                role: Some("system".to_owned()),
                org: None,
                address: None,
                request_id: None,
                purpose: "retention".to_owned(),
                disclosed: Vec::new(),
            };
            row(&record, 200, now)
        })
        .collect()
}
