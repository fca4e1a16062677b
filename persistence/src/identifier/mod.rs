//! External identifiers: the numbers other systems know our trajectories, referrals and
//! services by, attached and looked up per owning organisation.

pub mod store;
