//! What every handler shares: the stores, the authenticator and the clock.

use std::sync::Arc;

use herstelbrug_persistence::{AlertStore, Database, ReferralStore, TrajectoryStore};

use crate::auth::Authenticator;
use crate::clock::Clock;

pub struct AppState {
    pub db: Database,
    pub trajectories: TrajectoryStore,
    pub referrals: ReferralStore,
    pub alerts: AlertStore,
    pub auth: Authenticator,
    pub clock: Arc<dyn Clock>,
}
