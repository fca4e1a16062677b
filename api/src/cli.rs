//! The `herstelbrug` command line: serve (the default), migrate, token, openapi.

use std::process::ExitCode;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use herstelbrug_domain::access_log::BundleScope;

use crate::auth::token::mint;
use crate::config::Config;
use crate::startup::{Application, open_database};
use crate::{openapi_doc, telemetry};

/// Herstelbrug: the shared record of each addiction-care client's path from treatment to
/// social-domain support, and the alarm when that path breaks.
///
/// Without a command it serves the API. Every setting below can also be given through
/// the environment variable shown with it.
#[derive(Debug, Parser)]
#[command(name = "herstelbrug", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API (the default): migrates the database first.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate {
        /// PostgreSQL: the existing role the server runs as. It is granted read and
        /// write on every table except the access log, which it may only read and append.
        #[arg(long)]
        app_role: Option<String>,
    },
    /// Print a development access token signed with the configured HS256 secret.
    Token {
        /// The organisation the token acts for: `agb:NNNNNNNN`, `gemeente:NNNN` or
        /// `informeel:NNNNNN`.
        #[arg(long)]
        org: String,
        /// Scopes, comma- or space-separated: provider, municipality, community, dashboard,
        /// admin.
        #[arg(long, default_value = "provider")]
        scope: String,
        /// The subject (user or system) the token names.
        #[arg(long, default_value = "dev-user")]
        sub: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
    /// Print the OpenAPI document (commit it as openapi/openapi.json).
    Openapi,
    /// Fill an empty database with a clearly fictional year for Amsterdam, Nijmegen and
    /// 's-Hertogenbosch: providers, services, some hundreds of trajectories through every
    /// phase, referrals accepted, rejected and waited for, gaps closed and not.
    Demo {
        /// Add the demo year even if the database already holds trajectories.
        #[arg(long)]
        force: bool,
    },
    /// Access-log maintenance.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Retention: remove what has passed its term now (the server does it daily).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// The building-block catalog in Open Referral HSDS 3 JSON.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// The registry of informal organisations (self-help groups, peer experts).
    Organisations {
        #[command(subcommand)]
        command: OrganisationsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum OrganisationsCommand {
    /// Register an informal organisation; prints its new `informeel:NNNNNN` id, which its
    /// tokens name in `org` (with scope `community`).
    Register {
        /// Its name as the catalog shows it.
        #[arg(long)]
        name: String,
    },
    /// Print the registry, one organisation a line.
    List,
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Import `{"services": [...]}` for one owner: every service, or (on any error, each
    /// named by record and field) none.
    Import {
        /// The HSDS 3 JSON file.
        file: std::path::PathBuf,
        /// The organisation that will own the services: `agb:…` or `gemeente:…`.
        #[arg(long)]
        owner: String,
    },
    /// Print the catalog (or one owner's part) as HSDS 3 JSON.
    Export {
        #[arg(long)]
        owner: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// One round: closed trajectories past their term lose their personal details,
    /// idempotency records past theirs go. Resumes where a stopped round left off.
    Run,
    /// Print the retention terms in force, with the reason for each default.
    Terms,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the access log's hash chain and check it against every signed checkpoint, in
    /// the database and in the outside copy; name what does not verify (exit 1).
    Verify {
        /// The outside copy of the checkpoints [default: HERSTELBRUG_AUDIT_CHECKPOINT_FILE].
        #[arg(long)]
        checkpoints: Option<PathBuf>,
        /// A public key (PEM) to trust besides the configured key; repeatable.
        #[arg(long = "public-key")]
        public_keys: Vec<PathBuf>,
    },
    /// Sign a checkpoint of the chain's head now, and write it outside the database too.
    Checkpoint,
    /// Write a period's entries as a signed, self-contained bundle (or as FHIR AuditEvents).
    Export {
        /// First day (2026-01-01) or instant (RFC 3339) of the period.
        #[arg(long)]
        from: String,
        /// The day or instant the period ends before.
        #[arg(long)]
        to: String,
        /// Only entries of requests made on behalf of this organisation.
        #[arg(long, conflicts_with = "client")]
        org: Option<String>,
        /// Only entries about this client reference's trajectories and referrals.
        #[arg(long)]
        client: Option<String>,
        /// `bundle` (signed, for `verify-export`) or `fhir` (a Bundle of AuditEvents).
        #[arg(long, default_value = "bundle", value_parser = ["bundle", "fhir"])]
        format: String,
        /// The file to write [default: standard output].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check an exported bundle offline, with only the exporter's public key.
    VerifyExport {
        bundle: PathBuf,
        /// The public key (PEM) to trust; repeatable.
        #[arg(long = "public-key", required = true)]
        public_keys: Vec<PathBuf>,
    },
    /// Make a new signing key: the private key goes to `--out`, the public key is printed.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the configured signing key's public key (PEM), for verifiers.
    PublicKey,
    /// Continue the chain under a new key: a checkpoint signed by the current key and the
    /// new one. Then configure the new key.
    Rotate {
        #[arg(long)]
        new_key: PathBuf,
    },
}

/// Runs the command line; the binary's `main` calls only this.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.command {
        Some(Command::Demo { .. }) => "warn",
        _ => "info",
    };
    telemetry::init_at(&cli.config.log_format, level);
    let result = actix_web::rt::System::new().block_on(run(cli));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("herstelbrug: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(cli.config)
                .await
                .map_err(|e| e.to_string())?;
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate { app_role } => {
            let db = open_database(&cli.config)
                .await
                .map_err(|e| e.to_string())?;
            db.migrate().await.map_err(|e| e.to_string())?;
            if let Some(role) = app_role {
                db.grant_app_role(&role).await.map_err(|e| e.to_string())?;
                tracing::info!(
                    role,
                    "application role granted; access log is append-only for it"
                );
            }
            db.close().await.map_err(|e| e.to_string())?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Token {
            org,
            scope,
            sub,
            ttl,
        } => {
            let token = mint(&cli.config, &org, &scope, &sub, ttl)?;
            println!("{token}");
            Ok(())
        }
        Command::Retention { command } => {
            println!("{}", retention(&cli.config, command).await?);
            Ok(())
        }
        Command::Audit { command } => {
            println!("{}", audit(&cli.config, command).await?);
            Ok(())
        }
        Command::Catalog {
            command: CatalogCommand::Import { file, owner },
        } => {
            let imported = crate::catalog_cli::import(&cli.config, &file, &owner).await?;
            println!("imported {imported} service(s) for {owner}");
            Ok(())
        }
        Command::Catalog {
            command: CatalogCommand::Export { owner },
        } => {
            println!(
                "{}",
                crate::catalog_cli::export(&cli.config, owner.as_deref()).await?
            );
            Ok(())
        }
        Command::Organisations { command } => {
            let db = open_database(&cli.config)
                .await
                .map_err(|e| e.to_string())?;
            let store = herstelbrug_persistence::OrganisationStore::new(
                db.conn.clone(),
                cli.config.waiting_policy(),
            );
            match command {
                OrganisationsCommand::Register { name } => {
                    let name = herstelbrug_domain::BoundedText::parse("--name", &name, 200)
                        .map_err(|e| e.to_string())?;
                    let org = store
                        .register(&name, "herstelbrug-cli", chrono::Utc::now())
                        .await
                        .map_err(|e| e.to_string())?;
                    println!("{}", org.id);
                }
                OrganisationsCommand::List => {
                    for org in store.all_informal().await.map_err(|e| e.to_string())? {
                        println!(
                            "{}\t{}\t{}",
                            org.id,
                            org.registered_at.to_rfc3339(),
                            org.name
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Demo { force } => {
            let made = crate::demo::run(cli.config, force).await?;
            println!(
                "demo: {} trajectories, {} referrals, {} services (all fictional)",
                made.trajectories, made.referrals, made.services
            );
            println!(
                "start the server (`cargo run --release`) and open http://127.0.0.1:8080/dashboard"
            );
            Ok(())
        }
        Command::Openapi => {
            let json = serde_json::to_string_pretty(&openapi_doc::document())
                .map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
    }
}

async fn audit(config: &Config, command: AuditCommand) -> Result<String, String> {
    use crate::access_log::commands;
    match command {
        AuditCommand::Verify {
            checkpoints,
            public_keys,
        } => commands::verify(config, checkpoints, &public_keys).await,
        AuditCommand::Checkpoint => commands::checkpoint(config).await,
        AuditCommand::Export {
            from,
            to,
            org,
            client,
            format,
            out,
        } => {
            let scope = match (org, client) {
                (Some(org), _) => BundleScope::Organisation(org),
                (None, Some(client)) => BundleScope::Client(client),
                (None, None) => BundleScope::All,
            };
            let request = commands::ExportRequest {
                from: commands::moment(&from).map_err(|e| format!("--from {e}"))?,
                to: commands::moment(&to).map_err(|e| format!("--to {e}"))?,
                scope,
                fhir: format == "fhir",
            };
            let (body, summary) = commands::export(config, request).await?;
            match out {
                Some(path) => {
                    std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
                    Ok(format!("wrote {}: {summary}", path.display()))
                }
                None => {
                    eprintln!("{summary}");
                    Ok(body.trim_end().to_owned())
                }
            }
        }
        AuditCommand::VerifyExport {
            bundle,
            public_keys,
        } => commands::verify_export(&bundle, &public_keys),
        AuditCommand::Keygen { out } => commands::keygen(&out),
        AuditCommand::PublicKey => commands::public_key(config),
        AuditCommand::Rotate { new_key } => commands::rotate(config, &new_key).await,
    }
}

async fn retention(config: &Config, command: RetentionCommand) -> Result<String, String> {
    match command {
        RetentionCommand::Terms => {
            let policy = config.retention_policy();
            let days = [
                policy.closed_trajectory_days,
                policy.notification_days,
                policy.idempotency_days,
            ];
            let terms = herstelbrug_domain::retention::RETENTION;
            Ok(terms
                .iter()
                .enumerate()
                .map(|(i, term)| {
                    let now = days
                        .get(i)
                        .map_or_else(|| "kept".to_owned(), |d| format!("{d} days"));
                    format!(
                        "{:?}: {now} ({}, default {} days): {}\n  why: {}",
                        term.kind, term.setting, term.default_days, term.then, term.why
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        RetentionCommand::Run => {
            let db = open_database(config).await.map_err(|e| e.to_string())?;
            let store = herstelbrug_persistence::RetentionStore::new(
                db.conn.clone(),
                config.retention_policy(),
            );
            let clock =
                crate::clock::OffsetClock(chrono::Duration::seconds(config.clock_offset_seconds));
            let done =
                crate::retention::job::round(&store, &clock, config.retention_batch, None).await?;
            Ok(format!(
                "retention: {} closed trajectories pseudonymised, {} idempotency records removed",
                done.trajectories_pseudonymised, done.idempotency_records_removed
            ))
        }
    }
}
