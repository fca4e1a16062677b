//! One integration-test binary: every module starts its own server and database.

mod access_log;
mod access_log_tenancy;
mod alerts;
mod auth;
mod catalog;
mod durability;
mod errors;
mod feeds;
mod health_and_docs;
mod helpers;
mod idempotency;
mod isolation;
mod logs;
mod matrix;
mod metrics;
mod organisations;
mod outage;
mod policy;
mod receiver;
mod referrals;
mod routing;
mod strict_input;
mod trajectories;
mod transitions;
mod webhooks;
mod write_semantics;
