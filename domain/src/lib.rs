//! Herstelbrug's domain: pure types and rules, no I/O, no web, no database.
//!
//! Everything that crosses the edge of the system is parsed into these types first, so
//! the rest of the code cannot hold an invalid organisation id, phase or transition.

#[macro_use]
mod string_enum;

pub mod actor;
pub mod aftercare;
pub mod bsn;
pub mod calendar;
pub mod catalog;
pub mod client_ref;
pub mod consent;
pub mod continuity;
pub mod disclosure;
pub mod error;
pub mod event;
pub mod fhir;
pub mod figures;
pub mod identifier;
pub mod ids;
pub mod notification;
pub mod org_id;
pub mod phase;
pub mod precondition;
pub mod reason;
pub mod referral;
pub mod routing;
pub mod team;
#[cfg(test)]
mod test_support;
pub mod text;
pub mod trajectory;
pub mod transition;
pub mod webhook;

pub use actor::{Actor, Subject};
pub use client_ref::ClientRef;
pub use consent::{Consent, ConsentGrant, Withdrawal};
pub use continuity::{
    Alert, AlertChange, AlertStatus, ContinuityPolicy, Resolution, Rule, Severity, Situation,
    Subject as AlertSubject,
};
pub use error::{DomainError, InvalidValue, UnknownValue};
pub use event::{Change, TrajectoryEvent};
pub use identifier::{IdentifiedKind, Identifier};
pub use ids::{
    AlertId, ConsentId, MeetingId, MessageId, OfferId, ParticipantId, ReferralId, ServiceId,
    SubscriptionId,
};
pub use org_id::{AgbCode, GemeenteCode, InformalId, OrgId};
pub use phase::Phase;
pub use precondition::VersionMatch;
pub use reason::{AfterTreatment, ClosureOutcome, EndReason, ReadmissionReason};
pub use referral::{CONSENT_WITHDRAWN_REASON, ReferralTerms, takes_referrals};
pub use referral::{
    ClientContact, Disclosure, LifeDomain, Party, Referral, ReferralAction, ReferralChange,
    ReferralCommand, ReferralEvent, ReferralKind, ReferralRequest, ReferralStatus, ReferrerContact,
    RejectionReason, WmoClocks,
};
pub use text::BoundedText;
pub use trajectory::{Registration, Trajectory, TrajectoryId};
pub use transition::{Move, TransitionCommand, allowed_targets, move_between};
pub use webhook::EventType;
