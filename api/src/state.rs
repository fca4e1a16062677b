//! What every handler shares: the stores, the authenticator and the clock.

use std::sync::Arc;

use herstelbrug_persistence::{
    AccessLog, AccessWriter, AftercareStore, AlertStore, CatalogStore, ConsentStore, Database,
    FiguresStore, OfferStore, OrganisationStore, OverviewStore, ReferralStore, RoutingStore,
    TeamStore, TrajectoryStore, WebhookStore,
};

use crate::auth::Authenticator;
use crate::clock::Clock;

/// Requests per organisation, in memory per process.
pub type OrgRateLimiter = governor::DefaultKeyedRateLimiter<String>;

pub struct AppState {
    pub db: Database,
    pub trajectories: TrajectoryStore,
    pub referrals: ReferralStore,
    pub consents: ConsentStore,
    pub offers: OfferStore,
    pub alerts: AlertStore,
    pub webhooks: WebhookStore,
    pub catalog: CatalogStore,
    pub organisations: OrganisationStore,
    pub routing: RoutingStore,
    pub team: TeamStore,
    pub overview: OverviewStore,
    pub aftercare: AftercareStore,
    pub figures: FiguresStore,
    pub identifiers: herstelbrug_persistence::IdentifierStore,
    /// People and their links to trajectories (the person's own door).
    pub persons: herstelbrug_persistence::PersonStore,
    /// Legal holds and erasure on request.
    pub retention: herstelbrug_persistence::RetentionStore,
    /// The Treeknorm waiting times figures are held to.
    pub waiting_policy: herstelbrug_domain::catalog::WaitingPolicy,
    /// How long offers wait for an acceptance.
    pub offer_policy: herstelbrug_domain::routing::OfferPolicy,
    pub access: AccessLog,
    /// Stores the entries of reads and refusals in shared batches.
    pub access_writer: AccessWriter,
    pub bsn: crate::bsn_vault::BsnVault,
    pub webhook_settings: WebhookSettings,
    pub auth: Authenticator,
    pub clock: Arc<dyn Clock>,
    /// Absent when the limit is turned off.
    pub limiter: Option<OrgRateLimiter>,
    /// The base of absolute links (`Config::public_base`), never taken from a request.
    pub public_base: String,
    /// Seals page cursors to their query (`http::cursor::Seal`).
    pub cursor_key: [u8; 32],
}

/// What the webhook routes need to know of the configuration.
#[derive(Debug, Clone, Copy)]
pub struct WebhookSettings {
    pub allow_http_loopback: bool,
    pub secret_overlap: chrono::Duration,
    /// How long events stay readable for catch-up.
    pub event_retention: chrono::Duration,
}

impl crate::auth::Gatekeeper for AppState {
    fn authenticate(&self, token: &str) -> Result<crate::auth::Principal, String> {
        self.auth.authenticate(token).map_err(|err| err.to_string())
    }

    fn admit(&self, org: &herstelbrug_domain::OrgId) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&org.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            wait.as_secs().max(1)
        })
    }
}
