//! Reading and handling alerts: filtered pages, the alert feed, acknowledging and
//! resolving by hand. Each organisation sees the alerts that concern it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use herstelbrug_domain::VersionMatch;
use herstelbrug_domain::{
    Alert, AlertId, AlertStatus, BoundedText, ClientContact, GemeenteCode, OrgId, Resolution, Rule,
    Severity, TrajectoryId,
};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

use crate::continuity::alert_row::{alert_from_row, alert_to_row};
use crate::continuity::evaluate::append_alert;
use crate::db::idempotency::Write;
use crate::db::idempotency::{Replayable, Respond, WriteContext, keyed_write_about};
use crate::db::paging;
use crate::db::write_txn::WriteTxn;
use crate::entity::{alert, referral};
use crate::error::StoreError;
use crate::feed::signal::FeedSignal;
use crate::feed::{self, FeedCursor, FeedQuery, Page};

/// Which alert a hand change is for, and what it expects.
struct AlertChange {
    id: AlertId,
    org: OrgId,
    if_match: VersionMatch,
    kind: &'static str,
}

/// Whose alerts a reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertReader {
    /// Those that concern one organisation (treating provider, or recipient of the referral).
    Org(OrgId),
    /// All (administrators).
    All,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub status: Option<AlertStatus>,
    pub rule: Option<Rule>,
    pub severity: Option<Severity>,
    pub trajectory: Option<TrajectoryId>,
    pub municipality: Option<GemeenteCode>,
    /// Only alerts concerning this organisation (useful to administrators).
    pub organisation: Option<OrgId>,
    pub after: Option<AlertId>,
    pub limit: u64,
}

/// One change in an alert feed, with the alert as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFeedItem {
    pub position: FeedCursor,
    pub change: String,
    pub recorded_at: DateTime<Utc>,
    pub alert: Alert,
}

#[derive(Clone, Debug)]
pub struct AlertStore {
    conn: DatabaseConnection,
    signal: Arc<FeedSignal>,
}

/// The alerts `org` acts on: as treating provider, or as recipient of the referral.
fn acting_on(org: OrgId) -> Condition {
    Condition::any()
        .add(alert::Column::TreatingProvider.eq(org.to_string()))
        .add(alert::Column::Recipient.eq(org.to_string()))
}

/// Whether `org` acts on `alert` (as in [`acting_on`]).
fn acts_on(alert: &Alert, org: OrgId) -> bool {
    let name = org.to_string();
    alert.treating_provider.to_string() == name
        || matches!(alert.subject, herstelbrug_domain::AlertSubject::Referral { recipient, .. } if recipient == org)
}

/// The alerts `org` reads: those it acts on, and for a municipality the gap alerts about
/// its residents that their consent lets it see (read only: acknowledging and resolving
/// stay with the parties of the care).
fn concerning(org: OrgId) -> Condition {
    let mut any = acting_on(org);
    if let OrgId::Gemeente(_) = org {
        // The gap alerts about its residents that their consent lets it see.
        any = any.add(
            Condition::all()
                .add(alert::Column::Municipality.eq(org.to_string()))
                .add(alert::Column::InformsMunicipality.eq(true)),
        );
    }
    any
}

fn visible(select: Select<alert::Entity>, reader: AlertReader) -> Select<alert::Entity> {
    match reader {
        AlertReader::Org(org) => select.filter(concerning(org)),
        AlertReader::All => select,
    }
}

impl AlertStore {
    pub fn new(conn: DatabaseConnection, signal: Arc<FeedSignal>) -> Self {
        Self { conn, signal }
    }

    /// A page of alerts, newest id last; `next` is set when more follow.
    pub async fn list(
        &self,
        reader: AlertReader,
        filter: &AlertFilter,
    ) -> Result<(Vec<Alert>, Option<AlertId>), StoreError> {
        use alert::Column;
        let mut select = visible(alert::Entity::find(), reader);
        if let Some(status) = filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(rule) = filter.rule {
            select = select.filter(Column::Rule.eq(rule.as_str()));
        }
        if let Some(severity) = filter.severity {
            select = select.filter(Column::Severity.eq(severity.as_str()));
        }
        if let Some(trajectory) = filter.trajectory {
            select = select.filter(Column::TrajectoryId.eq(trajectory.as_uuid()));
        }
        if let Some(municipality) = filter.municipality {
            select = select.filter(Column::Municipality.eq(municipality.to_string()));
        }
        if let Some(org) = filter.organisation {
            select = select.filter(concerning(org));
        }
        if let Some(after) = filter.after {
            select = select.filter(Column::Id.gt(after.as_uuid()));
        }
        let (alerts, more) =
            paging::page(select, Column::Id, filter.limit, &self.conn, alert_from_row).await?;
        let next = if more {
            alerts.last().map(|a| a.id)
        } else {
            None
        };
        Ok((alerts, next))
    }

    pub async fn get(&self, id: AlertId, reader: AlertReader) -> Result<Alert, StoreError> {
        let row = visible(alert::Entity::find_by_id(id.as_uuid()), reader)
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        alert_from_row(row)
    }

    /// Acknowledges an alert that concerns `org`, if its current version satisfies `if_match`.
    pub async fn acknowledge(
        &self,
        id: AlertId,
        org: OrgId,
        if_match: VersionMatch,
        write: WriteContext<'_>,
        respond: Respond<'_, Alert>,
    ) -> Result<Replayable, StoreError> {
        let (actor, now) = (write.actor.clone(), write.now);
        let change = AlertChange {
            id,
            org,
            if_match,
            kind: "alert_acknowledged",
        };
        self.change(change, write, respond, |alert| {
            alert.acknowledge(actor, now)
        })
        .await
    }

    /// Resolves an alert that concerns `org` by hand, with a reason, if its current
    /// version satisfies `if_match`.
    pub async fn resolve(
        &self,
        id: AlertId,
        org: OrgId,
        if_match: VersionMatch,
        reason: BoundedText,
        write: Write<'_, Alert>,
    ) -> Result<Replayable, StoreError> {
        let Write {
            context: write,
            respond,
        } = write;
        let (actor, now) = (write.actor.clone(), write.now);
        let change = AlertChange {
            id,
            org,
            if_match,
            kind: "alert_resolved",
        };
        self.change(change, write, respond, |alert| {
            alert.resolve(Resolution::ByHand { actor, reason }, now)
        })
        .await
    }

    async fn change(
        &self,
        change: AlertChange,
        write: WriteContext<'_>,
        respond: Respond<'_, Alert>,
        apply: impl FnOnce(&mut Alert) -> Result<(), herstelbrug_domain::AlertError>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let respond = |(alert, _): &(Alert, Vec<String>)| respond(alert);
        let keyed = keyed_write_about(
            &self.conn,
            &write,
            &respond,
            |(alert, _)| Some(alert.trajectory_id.as_uuid()),
            async |txn: &WriteTxn| {
                let row = alert::Entity::find_by_id(change.id.as_uuid())
                    .filter(concerning(change.org))
                    .lock_exclusive()
                    .one(txn)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let mut alert = alert_from_row(row)?;
                // Readable but not its to change: say so (403), since it may read it.
                if !acts_on(&alert, change.org) {
                    return Err(StoreError::ReadOnly {
                        detail: "the municipality is informed of this gap alert; acknowledging \
                                 and resolving it stay with the parties of the care"
                            .to_owned(),
                    });
                }
                let before = alert.version;
                if !change.if_match.admits(before) {
                    return Err(StoreError::VersionMismatch { current: before });
                }
                apply(&mut alert)?;
                let updated = alert::Entity::update_many()
                    .set(alert_to_row(&alert))
                    .filter(alert::Column::Id.eq(change.id.as_uuid()))
                    .filter(
                        alert::Column::Version.eq(crate::trajectory::row::stored_version(before)),
                    )
                    .exec(txn)
                    .await?;
                if updated.rows_affected == 0 {
                    return Err(StoreError::VersionMismatch {
                        current: before + 1,
                    });
                }
                if alert.status == herstelbrug_domain::AlertStatus::Resolved {
                    let closed: Vec<_> = herstelbrug_domain::figures::fact::gap_closed(&alert)
                        .into_iter()
                        .collect();
                    crate::figures::store::record_facts(txn, &closed);
                }
                let woken = append_alert(txn, &alert, change.kind, now).await?;
                Ok((alert, woken))
            },
        )
        .await?;
        if let Some((_, woken)) = &keyed.written {
            for org in woken {
                self.signal.notify(org);
            }
        }
        Ok(keyed.outcome)
    }

    /// A page of `query.org`'s alert feed, waiting up to `wait` for a change when empty.
    pub async fn feed(
        &self,
        query: &FeedQuery,
        wait: Duration,
    ) -> Result<Page<AlertFeedItem>, StoreError> {
        feed::wait_for(&self.signal, query.org, wait, || self.read_feed(query)).await
    }

    /// A page of the feed with only the alerts that concern the reader now: an entry
    /// written while a municipality was informed shows the alert as it is today, so once
    /// the client withdrew consent (or the alert stopped informing it) it is skipped.
    /// Pages that hold only skipped entries are read past at once.
    async fn read_feed(&self, query: &FeedQuery) -> Result<Page<AlertFeedItem>, StoreError> {
        let mut query = *query;
        loop {
            let (entries, next) = feed::read_entries(&self.conn, &query).await?;
            if entries.is_empty() {
                return Ok(Page {
                    items: Vec::new(),
                    next,
                });
            }
            let alerts: HashMap<uuid::Uuid, Alert> = alert::Entity::find()
                .filter(alert::Column::Id.is_in(entries.iter().map(|e| e.subject_id)))
                .all(&self.conn)
                .await?
                .into_iter()
                .map(|row| alert_from_row(row).map(|a| (a.id.as_uuid(), a)))
                .collect::<Result<_, _>>()?;
            let mut items = Vec::with_capacity(entries.len());
            for entry in entries {
                let alert = alerts.get(&entry.subject_id).cloned().ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "feed entry for missing alert {}",
                        entry.subject_id
                    ))
                })?;
                if !alert.concerns().contains(&query.org) {
                    continue;
                }
                items.push(AlertFeedItem {
                    position: FeedCursor {
                        tx_id: entry.tx_id,
                        id: entry.id,
                    },
                    change: entry.change,
                    recorded_at: entry.recorded_at,
                    alert,
                });
            }
            if !items.is_empty() {
                return Ok(Page { items, next });
            }
            query.after = next;
        }
    }

    /// For the alerts `reader` reads only as the client's informed municipality, whom they
    /// are about: the client's name and contact as last given on a referral of the
    /// trajectory (the municipality must be able to reach its resident; the disclosure
    /// table allows it while the client's consent to it holds, which `informs` says).
    /// One query for the whole page.
    pub async fn residents<'a>(
        &self,
        reader: OrgId,
        alerts: impl IntoIterator<Item = &'a Alert>,
    ) -> Result<HashMap<TrajectoryId, ClientContact>, StoreError> {
        use herstelbrug_domain::disclosure::{Field, Party, Situation, may_see};
        let informed: Vec<uuid::Uuid> = alerts
            .into_iter()
            .filter(|a| {
                OrgId::Gemeente(a.municipality) == reader
                    && !acts_on(a, reader)
                    && may_see(
                        Party::Municipality,
                        Field::ClientName,
                        Situation::trajectory(a.informs_municipality),
                    )
            })
            .map(|a| a.trajectory_id.as_uuid())
            .collect();
        if informed.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = referral::Entity::find()
            .filter(referral::Column::TrajectoryId.is_in(informed))
            .order_by_desc(referral::Column::Id)
            .all(&self.conn)
            .await?;
        let mut found = HashMap::new();
        for row in rows {
            let trajectory = TrajectoryId::from_uuid(row.trajectory_id);
            if found.contains_key(&trajectory) {
                continue;
            }
            let referral = crate::referral::row::referral_from_row(row)?;
            found.insert(trajectory, referral.client);
        }
        Ok(found)
    }
}
