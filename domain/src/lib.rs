//! Herstelbrug's domain: pure types and rules, no I/O, no web, no database.
//!
//! Everything that crosses the edge of the system is parsed into these types first, so
//! the rest of the code cannot hold an invalid organisation id, phase or transition.

#[macro_use]
pub mod kernel;

pub mod access_log;
pub mod aftercare;
pub mod catalog;
pub mod consent;
pub mod continuity;
pub mod disclosure;
pub mod error;
pub mod fhir;
pub mod figures;
pub mod identifier;
pub mod notification;
pub mod person;
pub mod referral;
pub mod retention;
pub mod routing;
pub mod team;
#[cfg(test)]
mod test_support;
pub mod trajectory;

pub use catalog::error::CatalogError;
pub use consent::error::ConsentError;
pub use consent::{Consent, ConsentGrant, Withdrawal};
pub use continuity::error::AlertError;
pub use continuity::{
    Alert, AlertChange, AlertStatus, ContinuityPolicy, Resolution, Rule, Severity, Situation,
    Subject as AlertSubject,
};
pub use error::DomainError;
pub use identifier::{IdentifiedKind, Identifier};
pub use kernel::actor::{Actor, Affiliation, PersonRole, Subject};
pub use kernel::client_ref::ClientRef;
pub use kernel::ids::{
    AlertId, ConsentId, MeetingId, MessageId, OfferId, ParticipantId, ReferralId, ServiceId,
    SubscriptionId,
};
pub use kernel::org_id::{AgbCode, GemeenteCode, InformalId, OrgId};
pub use kernel::precondition::VersionMatch;
pub use kernel::text::BoundedText;
pub use kernel::value::{FieldError, InvalidValue, UnknownValue};
pub use kernel::{bsn, calendar};
pub use notification::webhook::EventType;
pub use referral::error::ReferralError;
pub use referral::{CONSENT_WITHDRAWN_REASON, ReferralTerms, takes_referrals};
pub use referral::{
    ClientContact, Disclosure, LifeDomain, Party, Referral, ReferralAction, ReferralChange,
    ReferralCommand, ReferralEvent, ReferralKind, ReferralRequest, ReferralStatus, ReferrerContact,
    RejectionReason, WmoClocks,
};
pub use routing::error::OfferError;
pub use team::error::TeamError;
pub use trajectory::error::TrajectoryError;
pub use trajectory::event::{Change, TrajectoryEvent};
pub use trajectory::phase::Phase;
pub use trajectory::reason::{AfterTreatment, ClosureOutcome, EndReason, ReadmissionReason};
pub use trajectory::transition::{Move, TransitionCommand, allowed_targets, move_between};
pub use trajectory::{Registration, Trajectory, TrajectoryId};
