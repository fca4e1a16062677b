//! The server's configuration: one struct, read from flags or the environment, with
//! defaults that run out of the box on an embedded SQLite database.

use std::path::PathBuf;

/// Settings shared by `serve`, `migrate` and `token`. Every flag can also be set through
/// the environment variable named beside it.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "HERSTELBRUG_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Database: `sqlite://FILE?mode=rwc` (embedded, the default) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://herstelbrug.db?mode=rwc"
    )]
    pub database_url: String,

    /// The database password, put into `DATABASE_URL` percent-encoded (so any character
    /// works): keeps the password out of the URL in deployment files.
    #[arg(long, env = "HERSTELBRUG_DATABASE_PASSWORD", hide_env_values = true)]
    pub database_password: Option<String>,

    /// Maximum pooled connections (PostgreSQL; SQLite uses one writer and three readers).
    #[arg(long, env = "HERSTELBRUG_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,

    /// Milliseconds a request waits for a PostgreSQL connection before it answers 503
    /// (with the database out of reach, every request answers within about this time).
    #[arg(
        long,
        env = "HERSTELBRUG_DB_ACQUIRE_TIMEOUT_MS",
        default_value_t = 1000
    )]
    pub db_acquire_timeout_ms: u64,

    /// Expected `iss` of access tokens.
    #[arg(
        long,
        env = "HERSTELBRUG_JWT_ISSUER",
        default_value = "herstelbrug-dev"
    )]
    pub jwt_issuer: String,

    /// Expected `aud` of access tokens.
    #[arg(long, env = "HERSTELBRUG_JWT_AUDIENCE", default_value = "herstelbrug")]
    pub jwt_audience: String,

    /// HS256 signing secret for local use (at least 32 bytes). When neither this nor a JWKS
    /// file is set, a secret is generated into the secret file on first start.
    #[arg(long, env = "HERSTELBRUG_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Where the generated development secret lives [default: `.herstelbrug-jwt-secret`
    /// next to the SQLite file, or in the working directory for PostgreSQL].
    #[arg(long, env = "HERSTELBRUG_JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,

    /// JWKS file with the public keys (RS256, ES256, EdDSA) that verify tokens, selected by
    /// `kid`. When set without HERSTELBRUG_JWT_SECRET, HS256 tokens are not accepted.
    #[arg(long, env = "HERSTELBRUG_JWKS_FILE")]
    pub jwks_file: Option<PathBuf>,

    /// Days a municipality has for its Wmo assessment after receiving a referral (Wmo 2015 art. 2.3.2).
    #[arg(long, env = "HERSTELBRUG_WMO_ASSESSMENT_DAYS", default_value_t = 42)]
    pub wmo_assessment_days: u32,

    /// Days after closure in which the treating provider may still refer a client (the way
    /// out of `treatment_ended_without_followup` on a closed trajectory; not after death).
    #[arg(
        long,
        env = "HERSTELBRUG_FOLLOWUP_AFTER_CLOSURE_DAYS",
        default_value_t = 90
    )]
    pub followup_after_closure_days: u32,

    /// Days a municipality has to decide after an application (Wmo 2015 art. 2.3.5).
    #[arg(long, env = "HERSTELBRUG_WMO_DECISION_DAYS", default_value_t = 14)]
    pub wmo_decision_days: u32,

    /// Days before a planned treatment end without follow-up that the early warning opens.
    #[arg(long, env = "HERSTELBRUG_EARLY_WARNING_DAYS", default_value_t = 14)]
    pub early_warning_days: u32,

    /// Working days a recipient has to acknowledge a referral (iWmo: 5).
    #[arg(
        long,
        env = "HERSTELBRUG_ACKNOWLEDGE_WORKING_DAYS",
        default_value_t = 5
    )]
    pub acknowledge_working_days: u32,

    /// The longest acceptable wait, in days, from accepting a referral to its planned start.
    #[arg(long, env = "HERSTELBRUG_START_NORM_DAYS", default_value_t = 28)]
    pub start_norm_days: u32,

    /// Days back that measured waiting times cover (61: the two months of the NZa/Vektis
    /// publication).
    #[arg(long, env = "HERSTELBRUG_WAITING_WINDOW_DAYS", default_value_t = 61, value_parser = clap::value_parser!(u32).range(1..=730))]
    pub waiting_window_days: u32,

    /// Treeknorm for request to acceptance (aanmeldwachttijd), in days: 4 weeks.
    #[arg(
        long,
        env = "HERSTELBRUG_NORM_TO_ACCEPTANCE_DAYS",
        default_value_t = 28
    )]
    pub norm_to_acceptance_days: u32,

    /// Treeknorm for acceptance to start (behandelwachttijd), in days: 10 weeks.
    #[arg(long, env = "HERSTELBRUG_NORM_TO_START_DAYS", default_value_t = 70)]
    pub norm_to_start_days: u32,

    /// Treeknorm for request to start in total, in days: 14 weeks.
    #[arg(long, env = "HERSTELBRUG_NORM_TOTAL_DAYS", default_value_t = 98)]
    pub norm_total_days: u32,

    /// Working days an offer to several candidates waits for an acceptance before it
    /// expires (its open candidates are cancelled and a warning alert opens).
    #[arg(long, env = "HERSTELBRUG_OFFER_EXPIRY_WORKING_DAYS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=260))]
    pub offer_expiry_working_days: u32,

    /// Days before the planned end of treatment by which an accepted referral's warm
    /// handoff should be planned (`warm_handoff_missing` after that).
    #[arg(long, env = "HERSTELBRUG_HANDOFF_DAYS", default_value_t = 7)]
    pub handoff_days: u32,

    /// Days after a closure with follow-up in place that the first outcome check is due.
    #[arg(
        long,
        env = "HERSTELBRUG_OUTCOME_CHECK_FIRST_DAYS",
        default_value_t = 30
    )]
    pub outcome_check_first_days: u32,

    /// Days after that closure that the second outcome check is due.
    #[arg(
        long,
        env = "HERSTELBRUG_OUTCOME_CHECK_SECOND_DAYS",
        default_value_t = 90
    )]
    pub outcome_check_second_days: u32,

    /// Days past its due date after which an unrecorded outcome check raises a warning.
    #[arg(
        long,
        env = "HERSTELBRUG_OUTCOME_CHECK_OVERDUE_DAYS",
        default_value_t = 14
    )]
    pub outcome_check_overdue_days: u32,

    /// Hours after which an unacknowledged critical alert escalates (once).
    #[arg(long, env = "HERSTELBRUG_ESCALATE_AFTER_HOURS", default_value_t = 24)]
    pub escalate_after_hours: u32,

    /// Apply pending migrations when serving starts (`on` or `off`). Turn it off when the
    /// server logs in as an application role without DDL rights (see `migrate --app-role`).
    #[arg(long, env = "HERSTELBRUG_MIGRATE_ON_START", default_value = "on", value_parser = ["on", "off"])]
    pub migrate_on_start: String,

    /// Serve `GET /metrics` in the Prometheus text format (`on` or `off`).
    #[arg(long, env = "HERSTELBRUG_METRICS", default_value = "on", value_parser = ["on", "off"])]
    pub metrics: String,

    /// Serve `/metrics` on this address instead of the API's (e.g. `127.0.0.1:9100`, on a
    /// network only the monitoring reaches).
    #[arg(long, env = "HERSTELBRUG_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,

    /// Run the deadline scheduler in this process (`on` or `off`).
    #[arg(long, env = "HERSTELBRUG_SCHEDULER", default_value = "on", value_parser = ["on", "off"])]
    pub scheduler: String,

    /// Milliseconds between scheduler ticks.
    #[arg(
        long,
        env = "HERSTELBRUG_SCHEDULER_INTERVAL_MS",
        default_value_t = 1000
    )]
    pub scheduler_interval_ms: u64,

    /// How often new access-log entries are chained into the hash chain (milliseconds).
    #[arg(
        long,
        env = "HERSTELBRUG_ACCESS_LOG_SEAL_INTERVAL_MS",
        default_value_t = 1000
    )]
    pub access_log_seal_interval_ms: u64,

    /// Timers claimed per scheduler batch.
    #[arg(long, env = "HERSTELBRUG_SCHEDULER_BATCH", default_value_t = 100)]
    pub scheduler_batch: u32,

    /// Seconds a claimed timer stays leased; a crashed replica's timers are taken over after it.
    #[arg(
        long,
        env = "HERSTELBRUG_SCHEDULER_LEASE_SECONDS",
        default_value_t = 30
    )]
    pub scheduler_lease_seconds: u32,

    /// Run the webhook dispatcher in this process (`on` or `off`).
    #[arg(long, env = "HERSTELBRUG_DISPATCHER", default_value = "on", value_parser = ["on", "off"])]
    pub dispatcher: String,

    /// Milliseconds between dispatcher ticks.
    #[arg(
        long,
        env = "HERSTELBRUG_DISPATCHER_INTERVAL_MS",
        default_value_t = 500
    )]
    pub dispatcher_interval_ms: u64,

    /// Webhook messages claimed (and sent concurrently) per dispatcher batch.
    #[arg(long, env = "HERSTELBRUG_DISPATCHER_BATCH", default_value_t = 50)]
    pub dispatcher_batch: u32,

    /// Seconds a claimed message stays leased; a crashed dispatcher's messages are sent by another after it.
    #[arg(
        long,
        env = "HERSTELBRUG_DISPATCHER_LEASE_SECONDS",
        default_value_t = 60
    )]
    pub dispatcher_lease_seconds: u32,

    /// Seconds a webhook receiver has to answer.
    #[arg(
        long,
        env = "HERSTELBRUG_WEBHOOK_TIMEOUT_SECONDS",
        default_value_t = 10
    )]
    pub webhook_timeout_seconds: u64,

    /// Hours the old secret keeps signing after a rotation.
    #[arg(
        long,
        env = "HERSTELBRUG_WEBHOOK_SECRET_OVERLAP_HOURS",
        default_value_t = 24
    )]
    pub webhook_secret_overlap_hours: u32,

    /// Seconds without an event after which a subscription gets a `webhook.heartbeat`
    /// (0: never).
    #[arg(
        long,
        env = "HERSTELBRUG_WEBHOOK_HEARTBEAT_SECONDS",
        default_value_t = 3600
    )]
    pub webhook_heartbeat_seconds: u64,

    /// Days a subscription's delivered and dead events stay readable for catch-up.
    #[arg(long, env = "HERSTELBRUG_EVENT_RETENTION_DAYS", default_value_t = 30)]
    pub event_retention_days: u32,

    /// Days a change stays in the referral, alert and catalog feeds.
    #[arg(long, env = "HERSTELBRUG_FEED_RETENTION_DAYS", default_value_t = 30)]
    pub feed_retention_days: u32,

    /// How often heartbeats are sent and expired events and feed entries pruned (milliseconds).
    #[arg(
        long,
        env = "HERSTELBRUG_HOUSEKEEPING_INTERVAL_MS",
        default_value_t = 10_000
    )]
    pub housekeeping_interval_ms: u64,

    /// Allow plain-http webhook URLs to loopback addresses. For local development and
    /// tests only: never in production.
    #[arg(
        long,
        env = "HERSTELBRUG_WEBHOOKS_ALLOW_HTTP_LOOPBACK",
        default_value_t = false
    )]
    pub webhooks_allow_http_loopback: bool,

    /// Shifts this process's clock by this many seconds. For drills and tests only: it
    /// lets a restarted server act as if time had passed.
    #[arg(
        long,
        env = "HERSTELBRUG_CLOCK_OFFSET_SECONDS",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub clock_offset_seconds: i64,

    /// The longest lifetime (`exp` - `iat`, seconds) an access token may have.
    #[arg(
        long,
        env = "HERSTELBRUG_JWT_MAX_LIFETIME_SECONDS",
        default_value_t = 86_400
    )]
    pub jwt_max_lifetime_seconds: u64,

    /// Seconds between checks of the JWKS file for new keys.
    #[arg(long, env = "HERSTELBRUG_JWKS_RELOAD_SECONDS", default_value_t = 10)]
    pub jwks_reload_seconds: u64,

    /// Requests per minute one organisation may make (its tokens share the budget); 0 turns
    /// the limit off. Over it: 429 with Retry-After.
    #[arg(
        long,
        env = "HERSTELBRUG_RATE_LIMIT_PER_MINUTE",
        default_value_t = 1200
    )]
    pub rate_limit_per_minute: u32,

    /// Secret (at least 32 bytes) from which the BSN hashing and encryption keys are
    /// derived. Required on PostgreSQL (the server refuses to start without it: a key kept
    /// apart from the database would make every stored BSN useless when lost); on the
    /// embedded SQLite default one is generated next to the database on first start.
    #[arg(long, env = "HERSTELBRUG_BSN_SECRET", hide_env_values = true)]
    pub bsn_secret: Option<String>,

    /// Seconds a request may take before it is answered 503 (above the 30 s long-poll).
    #[arg(
        long,
        env = "HERSTELBRUG_REQUEST_TIMEOUT_SECONDS",
        default_value_t = 60
    )]
    pub request_timeout_seconds: u64,

    /// HTTP worker threads [default: one per CPU core].
    #[arg(long, env = "HERSTELBRUG_WORKERS")]
    pub workers: Option<usize>,

    /// The absolute URL clients reach this server at (`https://herstelbrug.example.nl`),
    /// for the links the server hands out (FHIR `fullUrl` and paging links). Request
    /// headers (`Host`, `X-Forwarded-*`, `Forwarded`) are never trusted for them; behind a
    /// proxy, set this. Default: `http://` and the listening address.
    #[arg(long, env = "HERSTELBRUG_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The OpenID Connect issuer people sign in at (in the Netherlands a DigiD broker):
    /// the expected `iss` of person tokens. Unset on the embedded default: the local
    /// development issuer (loopback only) stands in.
    #[arg(long, env = "HERSTELBRUG_PERSON_ISSUER")]
    pub person_issuer: Option<String>,

    /// The expected `aud` of person tokens: never the organisations' audience, so neither
    /// kind of token opens the other's routes.
    #[arg(
        long,
        env = "HERSTELBRUG_PERSON_AUDIENCE",
        default_value = "herstelbrug-mijn"
    )]
    pub person_audience: String,

    /// HS256 secret the person issuer signs with (at least 32 bytes), for an issuer that
    /// signs with a shared secret; otherwise give its JWKS file.
    #[arg(long, env = "HERSTELBRUG_PERSON_JWT_SECRET", hide_env_values = true)]
    pub person_jwt_secret: Option<String>,

    /// JWKS file with the person issuer's public keys (selected by `kid`).
    #[arg(long, env = "HERSTELBRUG_PERSON_JWKS_FILE")]
    pub person_jwks_file: Option<PathBuf>,

    /// The issuer's authorization endpoint, for the `/mijn/` page (code flow with PKCE).
    #[arg(long, env = "HERSTELBRUG_PERSON_AUTHORIZE_URL")]
    pub person_authorize_url: Option<String>,

    /// The issuer's token endpoint, for the `/mijn/` page.
    #[arg(long, env = "HERSTELBRUG_PERSON_TOKEN_URL")]
    pub person_token_url: Option<String>,

    /// The `client_id` the `/mijn/` page is registered with at the issuer.
    #[arg(
        long,
        env = "HERSTELBRUG_PERSON_CLIENT_ID",
        default_value = "herstelbrug-mijn"
    )]
    pub person_client_id: String,

    /// The lowest level of assurance (`acr`) a person's sign-in must have: `low`,
    /// `substantial` or `high`. Health data asks at least `substantial`.
    #[arg(long, env = "HERSTELBRUG_PERSON_MIN_ACR", default_value = "substantial", value_parser = ["low", "substantial", "high"])]
    pub person_min_acr: String,

    /// Days after closing that a trajectory keeps its personal details (then the daily
    /// retention job removes or pseudonymises them; a legal hold keeps them).
    #[arg(
        long,
        env = "HERSTELBRUG_RETENTION_CLOSED_TRAJECTORY_DAYS",
        default_value_t = 730
    )]
    pub retention_closed_trajectory_days: u32,

    /// Days an `Idempotency-Key`'s stored answer is kept (a retry after it is new).
    #[arg(
        long,
        env = "HERSTELBRUG_RETENTION_IDEMPOTENCY_DAYS",
        default_value_t = 7
    )]
    pub retention_idempotency_days: u32,

    /// Seconds between rounds of the retention job (0: the server runs none; run
    /// `herstelbrug retention run` from a scheduler instead).
    #[arg(
        long,
        env = "HERSTELBRUG_RETENTION_INTERVAL_SECONDS",
        default_value_t = 86_400
    )]
    pub retention_interval_seconds: u64,

    /// Trajectories per retention transaction.
    #[arg(long, env = "HERSTELBRUG_RETENTION_BATCH", default_value_t = 500)]
    pub retention_batch: u64,

    /// The Ed25519 key that signs the access log's checkpoints: a file holding it as PEM
    /// (`herstelbrug audit keygen` writes one) or base64 of its 32 bytes. Keep it where
    /// the database's owner cannot reach it. On the embedded SQLite default one is
    /// generated next to the database on first start.
    #[arg(long, env = "HERSTELBRUG_AUDIT_KEY_FILE")]
    pub audit_key_file: Option<PathBuf>,

    /// The same key given as a value (PEM or base64) instead of a file.
    #[arg(long, env = "HERSTELBRUG_AUDIT_KEY", hide_env_values = true)]
    pub audit_key: Option<String>,

    /// Where every checkpoint is also appended as one JSON line, outside the database: a
    /// file (on storage the database's owner cannot rewrite), or `-` for standard output.
    /// On the embedded default: `herstelbrug-checkpoints.jsonl` next to the database.
    #[arg(long, env = "HERSTELBRUG_AUDIT_CHECKPOINT_FILE")]
    pub audit_checkpoint_file: Option<PathBuf>,

    /// A URL every new checkpoint is also POSTed to as JSON (a transparency log, a SIEM).
    #[arg(long, env = "HERSTELBRUG_AUDIT_CHECKPOINT_URL")]
    pub audit_checkpoint_url: Option<String>,

    /// Seconds between checkpoints; one is signed only when the log moved.
    #[arg(
        long,
        env = "HERSTELBRUG_AUDIT_CHECKPOINT_INTERVAL_SECONDS",
        default_value_t = 900
    )]
    pub audit_checkpoint_interval_seconds: u64,

    /// Log format: `text` or `json`. Levels come from RUST_LOG (default `info`).
    #[arg(long, env = "HERSTELBRUG_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

/// What a server on PostgreSQL (production) must be given rather than generate.
#[derive(Debug, thiserror::Error)]
#[error(
    "on PostgreSQL the server needs {}; generated secrets are for the embedded SQLite default only",
    .missing.join(" and ")
)]
pub struct MissingSecrets {
    pub missing: Vec<&'static str>,
}

impl Config {
    /// The base of every absolute link the server hands out: `public_url` (an `http` or
    /// `https` URL without query or fragment) or, without it, the address it listens on
    /// (`port`, once bound); never anything a request says.
    pub fn public_base(&self, port: u16) -> Result<String, String> {
        let Some(text) = &self.public_url else {
            let host = self
                .listen
                .rsplit_once(':')
                .map_or(self.listen.as_str(), |(host, _)| host);
            let host = match host {
                "" | "0.0.0.0" | "[::]" => "localhost",
                other => other,
            };
            return Ok(format!("http://{host}:{port}"));
        };
        let url =
            url::Url::parse(text).map_err(|e| format!("HERSTELBRUG_PUBLIC_URL `{text}`: {e}"))?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host_str().is_none()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(format!(
                "HERSTELBRUG_PUBLIC_URL `{text}`: expected http(s)://host[:port][/path] without query or fragment"
            ));
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }

    /// Whether the database is the embedded SQLite file.
    pub fn is_embedded(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Refuses a production (PostgreSQL) set-up that would fall back to generated secrets:
    /// a BSN key generated next to the process is lost with its volume, and a generated
    /// token secret is a development convenience.
    pub fn check_production_secrets(&self) -> Result<(), MissingSecrets> {
        if self.is_embedded() {
            return Ok(());
        }
        let mut missing = Vec::new();
        if self.bsn_secret.is_none() {
            missing.push("HERSTELBRUG_BSN_SECRET");
        }
        if self.jwt_secret.is_none() && self.jwks_file.is_none() {
            missing.push("HERSTELBRUG_JWKS_FILE (or HERSTELBRUG_JWT_SECRET)");
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MissingSecrets { missing })
        }
    }

    /// `DATABASE_URL` with `HERSTELBRUG_DATABASE_PASSWORD` put in, percent-encoded.
    pub fn database_url_with_password(&self) -> Result<String, String> {
        let Some(password) = &self.database_password else {
            return Ok(self.database_url.clone());
        };
        let mut url = url::Url::parse(&self.database_url)
            .map_err(|e| format!("DATABASE_URL does not parse: {e}"))?;
        url.set_password(Some(password))
            .map_err(|()| "DATABASE_URL takes no password".to_owned())?;
        Ok(url.to_string())
    }

    /// The thresholds of the continuity rules.
    pub fn continuity_policy(&self) -> herstelbrug_domain::ContinuityPolicy {
        herstelbrug_domain::ContinuityPolicy {
            early_warning_days: self.early_warning_days,
            acknowledge_working_days: self.acknowledge_working_days,
            start_norm_days: self.start_norm_days,
            escalate_after_hours: self.escalate_after_hours,
            handoff_days: self.handoff_days,
            outcome: herstelbrug_domain::aftercare::OutcomePolicy {
                check_days: [
                    self.outcome_check_first_days,
                    self.outcome_check_second_days,
                ],
                overdue_days: self.outcome_check_overdue_days,
            },
        }
    }

    /// The retention terms in force.
    pub fn retention_policy(&self) -> herstelbrug_domain::retention::RetentionPolicy {
        herstelbrug_domain::retention::RetentionPolicy {
            closed_trajectory_days: self.retention_closed_trajectory_days,
            notification_days: self.event_retention_days,
            idempotency_days: self.retention_idempotency_days,
        }
    }

    /// How long an offer waits for an acceptance.
    pub fn offer_policy(&self) -> herstelbrug_domain::routing::OfferPolicy {
        herstelbrug_domain::routing::OfferPolicy {
            expiry_working_days: self.offer_expiry_working_days,
        }
    }

    /// The window and norms measured waiting times are held to.
    pub fn waiting_policy(&self) -> herstelbrug_domain::catalog::WaitingPolicy {
        herstelbrug_domain::catalog::WaitingPolicy {
            window_days: self.waiting_window_days,
            to_acceptance_norm_days: self.norm_to_acceptance_days,
            to_start_norm_days: self.norm_to_start_days,
            total_norm_days: self.norm_total_days,
        }
    }

    /// The file the development HS256 secret is read from, or generated into.
    pub fn secret_file(&self) -> PathBuf {
        if let Some(path) = &self.jwt_secret_file {
            return path.clone();
        }
        self.beside_database(".herstelbrug-jwt-secret")
    }

    /// The file a generated BSN secret is kept in.
    pub fn bsn_secret_file(&self) -> PathBuf {
        self.beside_database(".herstelbrug-bsn-secret")
    }

    /// The checkpoint signing key generated on the embedded default.
    pub fn audit_key_file_default(&self) -> PathBuf {
        self.beside_database(".herstelbrug-audit-key")
    }

    /// Where checkpoints are appended: the setting, or on the embedded default a file next
    /// to the database.
    pub fn checkpoint_file(&self) -> Option<PathBuf> {
        self.audit_checkpoint_file.clone().or_else(|| {
            self.is_embedded()
                .then(|| self.beside_database("herstelbrug-checkpoints.jsonl"))
        })
    }

    /// `name` next to the SQLite file, or in the working directory for PostgreSQL.
    fn beside_database(&self, name: &str) -> PathBuf {
        let sqlite_dir = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .map(|rest| rest.split('?').next().unwrap_or(rest))
            .filter(|file| !file.is_empty() && !file.starts_with(":memory:"))
            .map(|file| {
                PathBuf::from(file)
                    .parent()
                    .map(PathBuf::from)
                    .unwrap_or_default()
            });
        sqlite_dir.unwrap_or_default().join(name)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        config: Config,
    }

    fn config(args: &[&str]) -> Config {
        let mut argv = vec!["test"];
        argv.extend_from_slice(args);
        Wrapper::parse_from(argv).config
    }

    #[test]
    fn the_public_base_comes_from_the_setting_or_the_listening_address() {
        let listening = config(&["--listen", "0.0.0.0:8080"]);
        assert_eq!(
            listening.public_base(8080).as_deref(),
            Ok("http://localhost:8080")
        );
        let set = config(&["--public-url", "https://hb.example.nl/"]);
        assert_eq!(set.public_base(1).as_deref(), Ok("https://hb.example.nl"));
        for bad in [
            "javascript:alert(1)",
            "https://hb.example.nl/?x=1",
            "hb.example.nl",
        ] {
            assert!(
                config(&["--public-url", bad]).public_base(1).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn secret_lives_next_to_the_sqlite_file() {
        let c = config(&["--database-url", "sqlite://data/hb.db?mode=rwc"]);
        assert_eq!(
            c.secret_file(),
            PathBuf::from("data/.herstelbrug-jwt-secret")
        );
        let c = config(&["--database-url", "sqlite://hb.db?mode=rwc"]);
        assert_eq!(c.secret_file(), PathBuf::from(".herstelbrug-jwt-secret"));
        let c = config(&["--database-url", "postgres://postgres@localhost/hb"]);
        assert_eq!(c.secret_file(), PathBuf::from(".herstelbrug-jwt-secret"));
    }

    #[test]
    fn the_database_password_is_percent_encoded_into_the_url() {
        let c = config(&[
            "--database-url",
            "postgres://herstelbrug_app@db:5432/herstelbrug",
            "--database-password",
            "p@ss:w/rd #1",
        ]);
        assert_eq!(
            c.database_url_with_password().as_deref(),
            Ok("postgres://herstelbrug_app:p%40ss%3Aw%2Frd%20%231@db:5432/herstelbrug")
        );
        let plain = config(&["--database-url", "postgres://u@db/hb"]);
        assert_eq!(
            plain.database_url_with_password().as_deref(),
            Ok("postgres://u@db/hb")
        );
    }
}
