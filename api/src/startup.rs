//! Building the application once, for the binary and the tests alike: connect and migrate
//! the database, set up authentication, bind the listener, and assemble the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::ErrorHandlers;
use actix_web::{App, HttpMessage, HttpServer, web};
use herstelbrug_domain::WmoClocks;
use herstelbrug_persistence::{Database, FeedSignal, ReferralStore, TrajectoryStore, connect};
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::dev_secret::{self, SecretError};
use crate::auth::{AuthError, Authenticator};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::http::{extractors, fallback};
use crate::openapi_doc;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] herstelbrug_persistence::DbErr),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("authentication set-up: {0}")]
    Auth(#[from] AuthError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
}

pub struct Application {
    port: u16,
    server: Server,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let db = open_database(&config).await?;
        let secret = dev_secret::resolve(&config)?;
        let auth = Authenticator::new(
            config.jwt_issuer.clone(),
            config.jwt_audience.clone(),
            secret.as_deref(),
            config.jwks_file.as_deref(),
        )?;
        let listen_error = |source| StartupError::Listen {
            address: config.listen.clone(),
            source,
        };
        let listener = TcpListener::bind(&config.listen).map_err(listen_error)?;
        let port = listener.local_addr().map_err(listen_error)?.port();
        let clocks = WmoClocks {
            assessment_days: config.wmo_assessment_days,
            decision_days: config.wmo_decision_days,
        };
        let state = web::Data::new(AppState {
            trajectories: TrajectoryStore::new(db.conn.clone()),
            referrals: ReferralStore::new(db.conn.clone(), Arc::new(FeedSignal::default()), clocks),
            db,
            auth,
            clock,
        });
        let mut server = HttpServer::new(move || {
            let (app, mut doc) =
                openapi_doc::documented_routes(App::new().into_utoipa_app()).split_for_parts();
            openapi_doc::add_shared_problems(&mut doc);
            let routes = web::Data::new(fallback::RouteTable::from_openapi(&doc));
            app.app_data(state.clone())
                .app_data(routes)
                .app_data(extractors::json_config())
                .app_data(extractors::query_config())
                .app_data(extractors::path_config())
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", doc))
                .service(web::redirect("/docs", "/docs/"))
                .default_service(web::to(fallback::unmatched))
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
                .wrap(TracingLogger::default())
        })
        .listen(listener)
        .map_err(listen_error)?
        .shutdown_timeout(30);
        if let Some(workers) = config.workers {
            server = server.workers(workers.max(1));
        }
        tracing::info!(port, database = %redacted(&config.database_url), "herstelbrug listening");
        Ok(Self {
            port,
            server: server.run(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, then finishes in-flight requests (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Connects and applies pending migrations.
pub async fn open_database(config: &Config) -> Result<Database, StartupError> {
    let db = connect(&config.database_url, config.db_max_connections).await?;
    db.migrate().await?;
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
