//! The catalog at the size of the country: 10,000 services over 342 municipalities, with a
//! referral history behind their measured waiting times. Store level (no HTTP): the search
//! a referrer runs (a kind in one municipality, active, a page of 50 with measured waiting
//! times; in id order and sorted by measured wait across the result) at 16 concurrent
//! clients, a sorted search over one municipality's every kind, and the capacity post a
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
    AccessRecord, CatalogQuery, CatalogSort, CatalogStore, Database, FeedSignal, StoredResponse,
    WriteContext,
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

/// Which search the clients run.
#[derive(Debug, Clone, Copy)]
enum Search {
    /// A kind in one municipality, active, in id order.
    KindInMunicipality,
    /// The same, sorted by measured wait across the whole result.
    KindInMunicipalitySorted,
    /// Every active service of one municipality, sorted by measured wait.
    MunicipalitySorted,
}

impl Search {
    fn label(self) -> &'static str {
        match self {
            Search::KindInMunicipality => "kind + municipality + active, id order",
            Search::KindInMunicipalitySorted => {
                "kind + municipality + active, sorted by measured wait"
            }
            Search::MunicipalitySorted => {
                "municipality + active (all kinds), sorted by measured wait"
            }
        }
    }

    fn query(self, n: u64) -> CatalogQuery {
        let kind = Some(ReferralKind::ALL[(n >> 33) as usize % ReferralKind::ALL.len()]);
        let (kind, sort) = match self {
            Search::KindInMunicipality => (kind, CatalogSort::Id),
            Search::KindInMunicipalitySorted => (kind, CatalogSort::MeasuredWait),
            Search::MunicipalitySorted => (None, CatalogSort::MeasuredWait),
        };
        CatalogQuery {
            kind,
            serves: Some(municipality(n >> 40)),
            status: Some(ServiceStatus::Active),
            sort,
            limit: 50,
            ..CatalogQuery::default()
        }
    }
}

async fn timed_searches(
    store: &CatalogStore,
    search: Search,
    concurrency: usize,
    seconds: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..concurrency {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = c as u64;
            let mut found = 0usize;
            let mut measured = 0usize;
            while Instant::now() < deadline {
                n = n
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let t = Instant::now();
                let (page, _) = store.search(&search.query(n), Utc::now()).await?;
                latencies.push(t.elapsed());
                found += page.len();
                measured += page
                    .iter()
                    .filter(|e| {
                        matches!(
                            e.waiting.to_acceptance,
                            herstelbrug_domain::catalog::Measured::Figure(_)
                        )
                    })
                    .count();
            }
            Ok::<_, herstelbrug_persistence::StoreError>((latencies, found, measured))
        }));
    }
    let mut latencies = Vec::new();
    let (mut found, mut measured) = (0, 0);
    for task in tasks {
        let (mine, n, m) = task.await??;
        latencies.extend(mine);
        found += n;
        measured += m;
    }
    latencies.sort();
    let searches = latencies.len().max(1) as f64;
    println!(
        "search ({}), page of 50 with waiting times, {concurrency} clients, {seconds} s: \
         {} searches ({:.0}/s), {:.1} services per page ({:.1} with a measured figure); p50 {:.2} ms, p99 {:.2} ms",
        search.label(),
        latencies.len(),
        latencies.len() as f64 / seconds as f64,
        found as f64 / searches,
        measured as f64 / searches,
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
    );
    Ok(())
}

pub async fn run(
    db: &Database,
    services: u64,
    concurrency: usize,
    seconds: u64,
    updates: u64,
    history: u64,
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
            org: (*owner).into(),
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

    let seeded = Instant::now();
    crate::seed::referral_history(&db.conn, history, Utc::now()).await?;
    println!(
        "seeded {history} answered referrals per service ({} in all) in {:.1} s",
        history * ids.len() as u64,
        seeded.elapsed().as_secs_f64()
    );

    for search in [
        Search::KindInMunicipality,
        Search::KindInMunicipalitySorted,
        Search::MunicipalitySorted,
    ] {
        timed_searches(&store, search, concurrency, seconds).await?;
    }

    // Capacity posts, one after another.
    let actor = Actor {
        subject: Subject::parse("bench")?,
        org: ids[0].1.into(),
    };
    let record = audit();
    let mut posts = Vec::new();
    for k in 0..updates {
        let (id, owner) = ids[(k as usize * 37) % ids.len()];
        let actor = Actor {
            org: owner.into(),
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
            .set_capacity(
                id,
                owner,
                capacity,
                Some((k % 60) as u32),
                herstelbrug_persistence::Write {
                    context: write,
                    respond: &plain,
                },
            )
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
