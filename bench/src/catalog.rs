//! The catalog at the size of the country: 10,000 services over 342 municipalities. Store
//! level (no HTTP): the search a referrer runs (a kind in one municipality, active, a page
//! of 50 with measured waiting times) at 16 concurrent clients, and the capacity post a
//! provider's system makes every few minutes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use herstelbrug_domain::catalog::{
    Capacity, CapacityUnit, Eligibility, ServiceDetails, ServiceStatus, WaitingPolicy,
};
use herstelbrug_domain::{
    Actor, AgbCode, BoundedText, GemeenteCode, OrgId, ReferralKind, ServiceId, Subject,
};
use herstelbrug_persistence::{
    AccessRecord, CatalogQuery, CatalogStore, Database, FeedSignal, StoredResponse, WriteContext,
};

use crate::{ms, percentile};

fn municipality(n: u64) -> GemeenteCode {
    GemeenteCode::parse(&format!("{:04}", n % 342 + 1)).unwrap_or_else(|_| unreachable!())
}

fn details(n: u64) -> Result<ServiceDetails, Box<dyn std::error::Error>> {
    let kinds = ReferralKind::ALL;
    let serves: Vec<GemeenteCode> = (0..(n % 3 + 1)).map(|k| municipality(n + k * 7)).collect();
    Ok(ServiceDetails {
        name: BoundedText::parse("name", &format!("Dienst {n}"), 200)?,
        description: None,
        kind: kinds[(n as usize) % kinds.len()],
        status: if n.is_multiple_of(10) {
            ServiceStatus::Inactive
        } else {
            ServiceStatus::Active
        },
        serves,
        eligibility: Eligibility::new(None, Some(18), None, n.is_multiple_of(2))?,
        how_to_apply: None,
        public_phone: None,
        public_email: None,
        website: None,
        languages: Vec::new(),
        assured_on: None,
        stated_wait_days: Some((n % 90) as u32),
    }
    .validated()?)
}

fn audit() -> AccessRecord {
    AccessRecord {
        event: "bench".to_owned(),
        action: 'U',
        outcome: "success".to_owned(),
        status: 200,
        client_ref: None,
        trajectory_id: None,
        referral_id: None,
        subject: None,
        role: None,
        org: None,
        address: None,
        request_id: None,
        purpose: "bench".to_owned(),
        disclosed: Vec::new(),
    }
}

fn plain(_: &herstelbrug_domain::catalog::Service) -> StoredResponse {
    StoredResponse {
        status: 200,
        body: serde_json::Value::Null,
        etag: None,
        location: None,
    }
}

pub async fn run(
    db: &Database,
    services: u64,
    concurrency: usize,
    seconds: u64,
    updates: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = CatalogStore::new(
        db.conn.clone(),
        WaitingPolicy::default(),
        Arc::new(FeedSignal::default()),
    );
    // 200 owners, each importing its share in one transaction.
    let owners: Vec<OrgId> = (0..200u64)
        .map(|o| AgbCode::parse(&format!("{:08}", 10_000_000 + o)).map(OrgId::Agb))
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let mut ids: Vec<(ServiceId, OrgId)> = Vec::new();
    for (o, owner) in owners.iter().enumerate() {
        let mine: Vec<ServiceDetails> = (0..services)
            .filter(|n| n % 200 == o as u64)
            .map(details)
            .collect::<Result<_, _>>()?;
        let actor = Actor {
            subject: Subject::parse("bench")?,
            org: *owner,
        };
        for id in store.import(*owner, mine, &actor, Utc::now()).await? {
            ids.push((id, *owner));
        }
    }
    println!(
        "seeded {} services over 342 municipalities in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );

    // The referrer's search, at `concurrency` clients for `seconds`.
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..concurrency {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = c as u64;
            let mut found = 0usize;
            while Instant::now() < deadline {
                n = n
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let query = CatalogQuery {
                    kind: Some(ReferralKind::ALL[(n >> 33) as usize % ReferralKind::ALL.len()]),
                    serves: Some(municipality(n >> 40)),
                    status: Some(ServiceStatus::Active),
                    limit: 50,
                    ..CatalogQuery::default()
                };
                let t = Instant::now();
                let (page, _) = store.search(&query, Utc::now()).await?;
                latencies.push(t.elapsed());
                found += page.len();
            }
            Ok::<_, herstelbrug_persistence::StoreError>((latencies, found))
        }));
    }
    let mut latencies = Vec::new();
    let mut found = 0;
    for task in tasks {
        let (mine, n) = task.await??;
        latencies.extend(mine);
        found += n;
    }
    latencies.sort();
    println!(
        "search (kind + municipality + active, page of 50 with waiting times), {concurrency} clients, {seconds} s: \
         {} searches ({:.0}/s), {:.1} services per page on average; p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / seconds as f64,
        found as f64 / latencies.len().max(1) as f64,
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
    );

    // Capacity posts, one after another.
    let actor = Actor {
        subject: Subject::parse("bench")?,
        org: ids[0].1,
    };
    let record = audit();
    let mut posts = Vec::new();
    for k in 0..updates {
        let (id, owner) = ids[(k as usize * 37) % ids.len()];
        let actor = Actor {
            org: owner,
            ..actor.clone()
        };
        let capacity = Capacity::counted(CapacityUnit::Places, (k % 12) as u32, 12, Utc::now())?;
        let write = WriteContext {
            actor: &actor,
            now: Utc::now(),
            audit: &record,
            key: None,
        };
        let t = Instant::now();
        store
            .set_capacity(id, owner, capacity, Some((k % 60) as u32), write, &plain)
            .await?;
        posts.push(t.elapsed());
    }
    posts.sort();
    println!(
        "capacity post (one client, {updates} posts): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&posts, 0.5)),
        ms(percentile(&posts, 0.99)),
    );
    Ok(())
}
