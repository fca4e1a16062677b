//! Herstelbrug's HTTP API: handlers, DTOs, authentication, error mapping, and the
//! application that the `herstelbrug` binary and the integration tests start.

pub mod auth;
pub mod bsn_vault;
pub mod catalog_cli;
pub mod cli;
pub mod clock;
pub mod config;
pub mod dashboard;
pub mod delivery;
pub mod demo;
pub mod dto;
pub mod error;
pub mod housekeeping;
pub mod hsds;
pub mod http;
pub mod metrics;
pub mod openapi_doc;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use clock::{Clock, SystemClock};
pub use config::Config;
pub use startup::{Application, StartupError};
