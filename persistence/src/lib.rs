//! Herstelbrug's storage: sea-orm entities and migrations, and the stores that load and
//! save domain objects, on SQLite (embedded default) and PostgreSQL from the same code.

pub mod access_log;
pub mod aftercare;
pub mod catalog;
pub mod consent;
pub mod continuity;
pub mod db;
mod entity;
pub mod error;
pub mod feed;
pub mod figures;
pub mod identifier;
pub mod notification;
pub mod person;
pub mod referral;
pub mod retention;
pub mod routing;
pub mod scheduler;
pub mod team;
pub mod trajectory;

pub use access_log::{AccessEntry, AccessLog, AccessRecord, AccessWriter, ExportQuery};
pub use aftercare::store::{AftercareStore, OwedCheck, RecordCheck};
pub use catalog::organisation::{InformalOrganisation, OrganisationStore, RecipientFigures};
pub use catalog::store::{
    CatalogEntry, CatalogFeedItem, CatalogPosition, CatalogQuery, CatalogSort, CatalogStore,
    ServiceChange, ServiceUpdate,
};
pub use consent::store::{ConsentStore, Withdrawal as ConsentWithdrawal};
pub use continuity::alert_store::{AlertFeedItem, AlertFilter, AlertReader, AlertStore};
pub use db::connect::{DEFAULT_ACQUIRE_TIMEOUT, Database, connect, connect_with};
pub use db::idempotency::{
    IdempotencyKey, Replayable, Respond, StoredResponse, Write, WriteContext,
};
pub use error::StoreError;
pub use feed::signal::FeedSignal;
pub use feed::{FeedCursor, FeedItem, FeedPage, FeedQuery, Page, Stream};
pub use figures::store::{FigureScope, FiguresStore};
pub use identifier::store::{IdentifiedObject, IdentifierStore};
pub use notification::store::{EventPage, NumberedEvent, SubscriptionStatus};
pub use notification::webhook_store::{
    Attempt, AttemptResult, Claimed, NewSubscription, Outcome, Rotation, Subscription, WebhookStore,
};
pub use person::file::PersonFile;
pub use person::row::{InvitationFor, InvitationRecord, LinkRecord};
pub use person::store::{NewInvitation, PersonKey, PersonStore, Stand};
pub use referral::row::ReferralRecord;
pub use referral::store::{NewReferral, PartyAction, ReferralStore};
pub use referral::store::{ReferralPage, ReferralSearch};
pub use retention::{ErasureOutcome, HoldState, RetentionRound, RetentionStore};
pub use routing::offer_store::{NewOffer, OfferRecord, OfferStore};
pub use routing::store::{RoutingStore, Suggestion};
pub use scheduler::{Scheduler, TickReport};
pub use team::store::{Leave, PlanMeeting, RecordMeeting, TeamStore};
pub use trajectory::overview::{Earlier, Overview, OverviewStore, ReferralOverview, Step};
pub use trajectory::store::{
    NewTrajectory, TrajectoryFilter, TrajectoryHistory, TrajectoryMove, TrajectoryPage,
    TrajectoryStore, Visibility,
};

/// Re-exported so callers can hold a connection without naming sea-orm themselves.
pub use sea_orm::{DatabaseConnection, DbErr};
