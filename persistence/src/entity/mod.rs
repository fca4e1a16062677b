//! sea-orm entities: the table rows, kept apart from the domain types and the API DTOs.

pub mod access_log;
pub mod access_log_disclosure;
pub mod access_log_seal;
pub mod alert;
pub mod consent;
pub mod feed_entry;
pub mod handoff_meeting;
pub mod idempotency_key;
pub mod informal_organisation;
pub mod offer;
pub mod outcome_check;
pub mod participant;
pub mod referral;
pub mod referral_event;
pub mod service;
pub mod service_area;
pub mod service_event;
pub mod timer;
pub mod trajectory;
pub mod trajectory_event;
pub mod trajectory_step;
pub mod webhook_attempt;
pub mod webhook_message;
pub mod webhook_subscription;
