//! Continuity figures: the fold of trajectory facts into rounded rollups, and reading them.

pub mod store;
