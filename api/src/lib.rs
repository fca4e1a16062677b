//! Herstelbrug's HTTP API: handlers, DTOs, authentication, error mapping, and the
//! application that the `herstelbrug` binary and the integration tests start.

pub mod access_log;
pub mod aftercare;
pub mod auth;
pub mod bsn_vault;
pub mod catalog;
pub mod catalog_cli;
pub mod cli;
pub mod clock;
pub mod config;
pub mod consent;
pub mod continuity;
pub mod dashboard;
pub mod delivery;
pub mod demo;
pub mod dto;
pub mod error;
pub mod fhir;
pub mod figures;
pub mod housekeeping;
pub mod hsds;
pub mod http;
pub mod identifier;
pub mod metrics;
pub mod notification;
pub mod openapi_doc;
pub mod person;
pub mod referral;
pub mod retention;
pub mod routes;
pub mod routing;
pub mod startup;
pub mod state;
pub mod team;
pub mod telemetry;
pub mod trajectory;

pub use clock::{Clock, SystemClock};
pub use config::Config;
pub use startup::{Application, StartupError};
