//! The person's own door: who a signed-in person is to which trajectories (matched by the
//! keyed hash of a BSN, or linked by a redeemed invitation), the invitations themselves,
//! naasten's links, and everything the person's page and copy read.

pub mod file;
pub mod row;
pub mod store;
