//! Herstelbrug's storage: sea-orm entities and migrations, and the stores that load and
//! save domain objects, on SQLite (embedded default) and PostgreSQL from the same code.

pub mod access_log;
pub mod admin;
pub mod aftercare_store;
mod alert_row;
pub mod alert_store;
mod catalog_row;
pub mod catalog_store;
pub mod connect;
mod consent_store;
mod continuity;
mod entity;
pub mod error;
pub mod feed;
pub mod feed_retention;
pub mod feed_signal;
pub mod figures_store;
mod group_commit;
pub mod idempotency;
pub mod identifier_store;
pub mod migration;
pub mod notification_store;
mod offer_row;
pub mod offer_store;
pub mod ops_stats;
pub mod organisation_store;
mod outbox;
pub mod overview_store;
mod paging;
mod referral_row;
pub mod referral_search;
pub mod referral_store;
pub mod routing_store;
pub mod scheduler;
#[cfg(test)]
mod scratch_table;
mod team_row;
pub mod team_store;
mod trajectory_row;
pub mod trajectory_store;
pub mod webhook_store;
mod write_txn;

pub use access_log::{AccessEntry, AccessLog, AccessRecord, AccessWriter};
pub use aftercare_store::{AftercareStore, OwedCheck, RecordCheck};
pub use alert_store::{AlertFeedItem, AlertFilter, AlertReader, AlertStore};
pub use catalog_store::{
    CatalogEntry, CatalogFeedItem, CatalogPosition, CatalogQuery, CatalogSort, CatalogStore,
    ServiceChange, ServiceUpdate,
};
pub use connect::{DEFAULT_ACQUIRE_TIMEOUT, Database, connect, connect_with};
pub use consent_store::Withdrawal as ConsentWithdrawal;
pub use error::StoreError;
pub use feed::{FeedCursor, FeedItem, FeedPage, FeedQuery, Page, Stream};
pub use feed_signal::FeedSignal;
pub use figures_store::{FigureScope, FiguresStore};
pub use idempotency::{IdempotencyKey, Replayable, Respond, StoredResponse, WriteContext};
pub use identifier_store::{IdentifiedObject, IdentifierStore};
pub use notification_store::{EventPage, NumberedEvent, SubscriptionStatus};
pub use offer_store::{NewOffer, OfferRecord};
pub use organisation_store::{InformalOrganisation, OrganisationStore, RecipientFigures};
pub use overview_store::{Earlier, Overview, OverviewStore, ReferralOverview, Step};
pub use referral_search::{ReferralPage, ReferralSearch};
pub use referral_store::{ReferralRecord, ReferralStore};
pub use routing_store::{RoutingStore, Suggestion};
pub use scheduler::{Scheduler, TickReport};
pub use team_store::{Leave, PlanMeeting, RecordMeeting, TeamStore};
pub use trajectory_store::{
    TrajectoryFilter, TrajectoryHistory, TrajectoryPage, TrajectoryStore, Visibility,
};
pub use webhook_store::{
    Attempt, Claimed, NewSubscription, Outcome, Rotation, Subscription, WebhookStore,
};

/// Re-exported so callers can hold a connection without naming sea-orm themselves.
pub use sea_orm::{DatabaseConnection, DbErr};
