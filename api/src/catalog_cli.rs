//! `herstelbrug catalog import|export`: the catalog in Open Referral HSDS 3 JSON. An
//! import is checked whole before anything is written, every error names its record and
//! field, and it is written in one transaction: all of it or nothing.

use herstelbrug_domain::{Actor, OrgId};
use herstelbrug_persistence::{CatalogStore, FeedSignal};

use crate::config::Config;
use crate::hsds::{Document, HsdsService};
use crate::startup::open_database;

async fn store(config: &Config) -> Result<CatalogStore, String> {
    let db = open_database(config).await.map_err(|e| e.to_string())?;
    Ok(CatalogStore::new(
        db.conn.clone(),
        config.waiting_policy(),
        std::sync::Arc::new(FeedSignal::default()),
    ))
}

/// Reads and checks `file`; returns how many services it imported.
pub async fn import(config: &Config, file: &std::path::Path, owner: &str) -> Result<usize, String> {
    let owner: OrgId = owner.parse().map_err(|e| format!("--owner: {e}"))?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut reader = serde_json::Deserializer::from_str(&text);
    let document: Document = serde_path_to_error::deserialize(&mut reader)
        .map_err(|e| format!("{}: {}: {}", file.display(), e.path(), e.inner()))?;
    let today = chrono::Utc::now().date_naive();
    let mut errors = Vec::new();
    let mut services = Vec::new();
    for (n, service) in document.services.iter().enumerate() {
        let checked = service
            .to_request()
            .and_then(|r| r.into_details(today).map_err(|e| e.to_string()));
        match checked {
            Ok(details) => services.push(details),
            Err(e) => errors.push(format!("services[{n}] ({:?}): {e}", service.name)),
        }
    }
    if !errors.is_empty() {
        return Err(format!(
            "nothing imported; {} record(s) refused:\n  {}",
            errors.len(),
            errors.join("\n  ")
        ));
    }
    let actor = Actor {
        subject: herstelbrug_domain::Subject::parse("herstelbrug-catalog-import")
            .map_err(|e| format!("actor: {e}"))?,
        org: owner.into(),
    };
    let ids = store(config)
        .await?
        .import(owner, services, &actor, chrono::Utc::now())
        .await
        .map_err(|e| format!("nothing imported: {e}"))?;
    Ok(ids.len())
}

/// The catalog (or `owner`'s part) as an HSDS 3 document.
pub async fn export(config: &Config, owner: Option<&str>) -> Result<String, String> {
    let owner = owner
        .map(str::parse::<OrgId>)
        .transpose()
        .map_err(|e| format!("--owner: {e}"))?;
    let services = store(config)
        .await?
        .export(owner)
        .await
        .map_err(|e| e.to_string())?;
    let document = Document {
        services: services.iter().map(HsdsService::from_service).collect(),
    };
    serde_json::to_string_pretty(&document).map_err(|e| e.to_string())
}
