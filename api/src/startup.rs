//! Building the application once, for the binary and the tests alike: connect and migrate
//! the database, set up authentication, bind the listener, and assemble the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Condition, ErrorHandlers};
use actix_web::{App, HttpMessage, HttpServer, web};
use herstelbrug_domain::{ReferralTerms, WmoClocks};
use herstelbrug_persistence::feed::signal::spawn_pg_listener;
use herstelbrug_persistence::{
    AccessLog, AccessWriter, AftercareStore, AlertStore, CatalogStore, ConsentStore, Database,
    FeedSignal, OfferStore, OrganisationStore, OverviewStore, ReferralStore, RoutingStore,
    Scheduler, TeamStore, TrajectoryStore, WebhookStore, connect_with,
};
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::dev_secret::{self, SecretError};
use crate::auth::{AuthError, Authenticator};
use crate::bsn_vault::BsnVault;
use crate::clock::{Clock, OffsetClock, SystemClock};
use crate::config::Config;
use crate::delivery::dispatcher::Dispatcher;
use crate::http::{extractors, fallback};
use crate::metrics::Metrics;
use crate::openapi_doc;
use crate::state::{AppState, WebhookSettings};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] herstelbrug_persistence::DbErr),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("authentication set-up: {0}")]
    Auth(#[from] AuthError),
    #[error("webhook client: {0}")]
    Http(String),
    #[error(transparent)]
    Unconfigured(#[from] crate::config::MissingSecrets),
    #[error("configuration: {0}")]
    Config(String),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
}

pub struct Application {
    port: u16,
    metrics_port: Option<u16>,
    server: Server,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let clock: Arc<dyn Clock> = match config.clock_offset_seconds {
            0 => Arc::new(SystemClock),
            offset => Arc::new(OffsetClock(chrono::Duration::seconds(offset))),
        };
        Self::build_with_clock(config, clock).await
    }

    pub async fn build_with_clock(
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        config.check_production_secrets()?;
        let db = open_database(&config).await?;
        let secret = dev_secret::resolve(&config)?;
        let auth = Authenticator::new(
            config.jwt_issuer.clone(),
            config.jwt_audience.clone(),
            config.jwt_max_lifetime_seconds,
            secret.as_deref(),
            config.jwks_file.as_deref(),
        )?;
        let bsn_secret = match &config.bsn_secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => dev_secret::read_or_create(&config.bsn_secret_file())?,
        };
        let bsn = BsnVault::new(&bsn_secret).map_err(|e| StartupError::Http(e.to_string()))?;
        let bsn_secret_for_people = bsn_secret.clone();
        let rounding_key = crate::bsn_vault::figures_rounding_key(&bsn_secret)
            .map_err(|e| StartupError::Config(e.to_string()))?;
        let cursor_key = crate::bsn_vault::cursor_key(&bsn_secret)
            .map_err(|e| StartupError::Config(e.to_string()))?;
        let listen_error = |source| StartupError::Listen {
            address: config.listen.clone(),
            source,
        };
        let listener = TcpListener::bind(&config.listen).map_err(listen_error)?;
        let port = listener.local_addr().map_err(listen_error)?.port();
        let public_base = config.public_base(port).map_err(StartupError::Config)?;
        let people =
            crate::person::setup::person_sign_in(&config, &public_base, &bsn_secret_for_people)
                .map_err(StartupError::Config)?;
        let person_auth = people.auth.map(web::Data::new);
        let dev_issuer = web::Data::new(people.dev);
        let sign_in = web::Data::new(people.page);
        let terms = ReferralTerms {
            clocks: WmoClocks {
                assessment_days: config.wmo_assessment_days,
                decision_days: config.wmo_decision_days,
            },
            followup_after_closure_days: config.followup_after_closure_days,
        };
        let policy = config.continuity_policy();
        let signal = Arc::new(FeedSignal::default());
        spawn_pg_listener(&db.conn, signal.clone());
        let metrics = Metrics::new().map_err(|e| StartupError::Http(e.to_string()))?;
        if config.scheduler == "on" {
            let scheduler = Scheduler::new(
                db.conn.clone(),
                signal.clone(),
                policy,
                config.scheduler_batch.max(1),
                chrono::Duration::seconds(i64::from(config.scheduler_lease_seconds.max(1))),
            )
            .with_rounding_key(rounding_key);
            spawn_scheduler(
                scheduler,
                clock.clone(),
                Duration::from_millis(config.scheduler_interval_ms.max(10)),
                metrics.timers_fired.clone(),
            );
        }
        let webhooks = WebhookStore::new(db.conn.clone());
        if config.scheduler == "on" {
            crate::housekeeping::Housekeeping {
                heartbeat_after: (config.webhook_heartbeat_seconds > 0).then(|| {
                    chrono::Duration::seconds(
                        i64::try_from(config.webhook_heartbeat_seconds).unwrap_or(i64::MAX),
                    )
                }),
                event_retention: chrono::Duration::days(i64::from(config.event_retention_days)),
                feed_retention: chrono::Duration::days(i64::from(config.feed_retention_days)),
            }
            .spawn(
                webhooks.clone(),
                db.conn.clone(),
                clock.clone(),
                Duration::from_millis(config.housekeeping_interval_ms.max(10)),
            );
        }
        if config.dispatcher == "on" {
            let dispatcher = Dispatcher::new(
                webhooks.clone(),
                clock.clone(),
                Duration::from_secs(config.webhook_timeout_seconds.max(1)),
                chrono::Duration::seconds(i64::from(config.dispatcher_lease_seconds.max(1))),
                config.dispatcher_batch.max(1),
                config.webhooks_allow_http_loopback,
            )
            .map_err(|e| StartupError::Http(e.to_string()))?
            .counting_failures(metrics.delivery_failures.clone());
            dispatcher.spawn(Duration::from_millis(config.dispatcher_interval_ms.max(10)));
        }
        spawn_sealer(
            AccessLog::new(db.conn.clone()),
            Duration::from_millis(config.access_log_seal_interval_ms.max(10)),
        );
        if config.scheduler == "on" && config.retention_interval_seconds > 0 {
            crate::retention::job::spawn(
                herstelbrug_persistence::RetentionStore::new(
                    db.conn.clone(),
                    config.retention_policy(),
                ),
                clock.clone(),
                Duration::from_secs(config.retention_interval_seconds),
                config.retention_batch,
                metrics.retention_removed.clone(),
            );
        }
        match crate::access_log::keys::configured(&config).map_err(StartupError::Config)? {
            Some(key) => crate::access_log::checkpointer::spawn(
                AccessLog::new(db.conn.clone()),
                key,
                crate::access_log::anchor::Anchor::from_config(&config)
                    .map_err(StartupError::Config)?,
                clock.clone(),
                Duration::from_secs(config.audit_checkpoint_interval_seconds.max(1)),
            ),
            None => tracing::warn!(
                "no HERSTELBRUG_AUDIT_KEY_FILE: the access log is not checkpointed, so a cut tail would not show in `herstelbrug audit verify`"
            ),
        }
        let catalog = CatalogStore::new(db.conn.clone(), config.waiting_policy(), signal.clone());
        // Figures from before the per-grouping rollups of rounded cells: built once.
        herstelbrug_persistence::FiguresStore::new(db.conn.clone())
            .with_rounding_key(rounding_key)
            .regroup_if_needed()
            .await
            .map_err(|e| StartupError::Config(format!("regrouping the figures: {e}")))?;
        let state = web::Data::new(AppState {
            trajectories: TrajectoryStore::new(&db, signal.clone(), policy),
            referrals: ReferralStore::new(&db, signal.clone(), terms, policy),
            consents: ConsentStore::new(&db, signal.clone(), terms, policy),
            offers: OfferStore::new(&db, signal.clone(), terms, policy),
            alerts: AlertStore::new(db.conn.clone(), signal.clone()),
            webhooks,
            catalog: catalog.clone(),
            routing: RoutingStore::new(db.conn.clone(), catalog),
            team: TeamStore::new(db.conn.clone(), signal.clone(), policy),
            overview: OverviewStore::new(db.conn.clone()),
            aftercare: AftercareStore::new(db.conn.clone(), signal.clone(), policy),
            figures: herstelbrug_persistence::FiguresStore::new(db.conn.clone())
                .reading_from(db.reader.clone())
                .with_rounding_key(rounding_key),
            identifiers: herstelbrug_persistence::IdentifierStore::new(db.conn.clone()),
            persons: herstelbrug_persistence::PersonStore::new(db.conn.clone()),
            retention: herstelbrug_persistence::RetentionStore::new(
                db.conn.clone(),
                config.retention_policy(),
            ),
            waiting_policy: config.waiting_policy(),
            offer_policy: config.offer_policy(),
            organisations: OrganisationStore::new(db.conn.clone(), config.waiting_policy()),
            access: AccessLog::new(db.conn.clone()),
            access_writer: AccessWriter::spawn(db.conn.clone()),
            bsn,
            webhook_settings: WebhookSettings {
                allow_http_loopback: config.webhooks_allow_http_loopback,
                secret_overlap: chrono::Duration::hours(i64::from(
                    config.webhook_secret_overlap_hours,
                )),
                event_retention: chrono::Duration::days(i64::from(config.event_retention_days)),
            },
            db,
            auth,
            clock,
            limiter: std::num::NonZeroU32::new(config.rate_limit_per_minute)
                .map(|n| governor::RateLimiter::keyed(governor::Quota::per_minute(n))),
            public_base,
            cursor_key,
        });
        if config.jwks_file.is_some() {
            let reloading = state.clone();
            let every = Duration::from_secs(config.jwks_reload_seconds.max(1));
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(every);
                loop {
                    ticker.tick().await;
                    match reloading.auth.reload_if_changed() {
                        Ok(true) => tracing::info!("JWKS reloaded"),
                        Ok(false) => {}
                        Err(e) => {
                            tracing::error!(error = %e, "JWKS file changed but does not load; keeping the old keys")
                        }
                    }
                }
            });
        }
        if let (Some(people), Some(_)) = (&person_auth, &config.person_jwks_file) {
            let reloading = people.clone();
            let every = Duration::from_secs(config.jwks_reload_seconds.max(1));
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(every);
                loop {
                    ticker.tick().await;
                    match reloading.reload_if_changed() {
                        Ok(true) => tracing::info!("person issuer JWKS reloaded"),
                        Ok(false) => {}
                        Err(e) => {
                            tracing::error!(error = %e, "person issuer JWKS file changed but does not load; keeping the old keys")
                        }
                    }
                }
            });
        }
        let gate: web::Data<dyn crate::auth::Gatekeeper> =
            web::Data::from(state.clone().into_inner() as Arc<dyn crate::auth::Gatekeeper>);
        let state_for_metrics = (state.clone(), web::Data::new(metrics.clone()));
        let timeout = crate::http::timeout::RequestTimeout(Duration::from_secs(
            config.request_timeout_seconds.max(1),
        ));
        let metrics_on = config.metrics == "on";
        let metrics_here = metrics_on && config.metrics_listen.is_none();
        let metrics_data = web::Data::new(metrics.clone());
        let dev_login = web::Data::new(crate::dashboard::DevLogin::from_config(&config));
        let document = openapi_doc::document();
        let mut server = HttpServer::new(move || {
            let (app, mut doc) =
                openapi_doc::documented_routes(App::new().into_utoipa_app()).split_for_parts();
            openapi_doc::add_shared_problems(&mut doc);
            let routes = web::Data::new(fallback::RouteTable::from_openapi(&doc));
            let app = if metrics_here {
                app.route("/metrics", web::get().to(crate::metrics::scrape))
            } else {
                app
            };
            let app = match &person_auth {
                Some(people) => app.app_data(people.clone()),
                None => app,
            };
            app.app_data(state.clone())
                .app_data(gate.clone())
                .app_data(metrics_data.clone())
                .app_data(routes)
                .app_data(web::Data::new(timeout))
                .app_data(extractors::path_config())
                // No outside validator: opening /docs never sends the document anywhere.
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        .external_url_unchecked("/openapi.json", document.clone())
                        .config(utoipa_swagger_ui::Config::default().validator_url("none")),
                )
                .service(web::redirect("/docs", "/docs/"))
                .app_data(dev_login.clone())
                .app_data(dev_issuer.clone())
                .app_data(sign_in.clone())
                .configure(crate::dashboard::register)
                .configure(crate::person::page::register)
                .configure(crate::person::dev_issuer::register)
                .configure(crate::fhir::register)
                .default_service(web::to(fallback::unmatched))
                .wrap(actix_web::middleware::from_fn(crate::http::timeout::limit))
                .wrap(ErrorHandlers::new().default_handler(fallback::ensure_problem))
                .wrap_fn(|req, srv| {
                    let id = req.extensions().get::<RequestId>().copied();
                    let response = srv.call(req);
                    async move {
                        let mut response = response.await?;
                        if let Some(value) =
                            id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok())
                        {
                            response.headers_mut().insert(REQUEST_ID, value);
                        }
                        Ok(response)
                    }
                })
                .wrap(TracingLogger::<crate::http::bsn_guard::MaskedRootSpan>::new())
                .wrap(actix_web::middleware::from_fn(
                    crate::http::bsn_guard::refuse_in_query,
                ))
                .wrap(Condition::new(metrics_on, metrics.requests.clone()))
        })
        .listen(listener)
        .map_err(listen_error)?
        .shutdown_timeout(30)
        // A client that sends its request head this slowly is cut off (slowloris).
        .client_request_timeout(Duration::from_secs(10));
        if let Some(workers) = config.workers {
            server = server.workers(workers.max(1));
        }
        let metrics_port = match (&config.metrics_listen, metrics_on) {
            (Some(address), true) => Some(serve_metrics_apart(address, state_for_metrics)?),
            _ => None,
        };
        tracing::info!(port, database = %redacted(&config.database_url), "herstelbrug listening");
        Ok(Self {
            port,
            metrics_port,
            server: server.run(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the separate `/metrics` listener, when one is configured.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// Serves until SIGTERM or SIGINT, then finishes in-flight requests (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Serves only `/metrics` on `address`, apart from the API; returns the bound port.
fn serve_metrics_apart(
    address: &str,
    state: (web::Data<AppState>, web::Data<Metrics>),
) -> Result<u16, StartupError> {
    let listen_error = |source| StartupError::Listen {
        address: address.to_owned(),
        source,
    };
    let listener = TcpListener::bind(address).map_err(listen_error)?;
    let port = listener.local_addr().map_err(listen_error)?.port();
    let (app_state, metrics) = state;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(app_state.clone())
            .app_data(metrics.clone())
            .route("/metrics", web::get().to(crate::metrics::scrape))
    })
    .workers(1)
    .listen(listener)
    .map_err(listen_error)?
    .run();
    tokio::spawn(server);
    Ok(port)
}

/// Ticks the scheduler every `interval`, draining full batches at once.
fn spawn_scheduler(
    scheduler: Scheduler,
    clock: Arc<dyn Clock>,
    interval: Duration,
    fired: prometheus::IntCounter,
) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            loop {
                let tick = scheduler.tick(clock.now()).await;
                if let Ok(report) = &tick {
                    fired.inc_by(report.fired as u64);
                }
                match tick {
                    Ok(report) if report.claimed >= scheduler.batch() as usize => continue,
                    Ok(report) => {
                        if report.fired > 0 {
                            tracing::info!(fired = report.fired, "deadline timers fired");
                        }
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "scheduler tick failed");
                        break;
                    }
                }
            }
        }
    });
}

/// Chains new access-log entries; entries are written unchained so requests never queue
/// behind one another for the chain's head.
fn spawn_sealer(log: AccessLog, interval: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(e) = log.seal().await {
                tracing::warn!(error = %e, "sealing the access log failed; retrying");
            }
        }
    });
}

/// Connects, and applies pending migrations unless `--migrate-on-start off`.
pub async fn open_database(config: &Config) -> Result<Database, StartupError> {
    let url = config
        .database_url_with_password()
        .map_err(StartupError::Config)?;
    let db = connect_with(
        &url,
        config.db_max_connections,
        Some(Duration::from_millis(config.db_acquire_timeout_ms)),
    )
    .await?;
    if config.migrate_on_start == "on" {
        db.migrate().await?;
    }
    Ok(db)
}

/// The database URL without its password, for logs.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn passwords_are_not_logged() {
        assert_eq!(
            redacted("postgres://hb:secret@db:5432/hb"),
            "postgres://hb:***@db:5432/hb"
        );
        assert_eq!(
            redacted("postgres://postgres@db/hb"),
            "postgres://postgres@db/hb"
        );
        assert_eq!(
            redacted("sqlite://herstelbrug.db?mode=rwc"),
            "sqlite://herstelbrug.db?mode=rwc"
        );
    }
}
