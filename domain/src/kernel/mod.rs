//! The shared kernel: values every capability uses (ids, organisations, actors, bounded
//! text, dates, the errors of parsing them). It names no capability, so all may depend on it.

#[macro_use]
pub(crate) mod string_enum;

pub mod actor;
pub mod bsn;
pub mod calendar;
pub mod client_ref;
pub mod ids;
pub mod org_id;
pub mod precondition;
pub mod text;
pub mod value;
