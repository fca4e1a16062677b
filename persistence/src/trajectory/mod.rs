//! Trajectories: registering a client, moving them through the phases, and reading
//! their path (one trajectory, the list, history, and the overview of every step).

pub mod overview;
pub(crate) mod row;
pub mod store;
