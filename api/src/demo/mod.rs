//! `herstelbrug demo`: fills an empty database with a clearly fictional year for the three
//! regions of the research. The plan is carried out through the API itself (an in-process
//! server on a loopback port, its clock moved through the year), so every figure, alert
//! and waiting time comes from the same code as real traffic would.

pub mod organisations;
mod person;
mod plan;

pub use organisations::DEMO_ORGANISATIONS;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_persistence::{FeedSignal, Scheduler};
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::config::Config;
use crate::startup::{Application, open_database};
use plan::{MUNICIPAL_KINDS, REGIONS, Recipient, Step, Story};

/// How many clients the demo year follows.
const CLIENTS: usize = 420;
/// The story is the same on every run.
const SEED: u64 = 20_261_202;

/// The clock the demo moves through its year.
struct DemoClock(Mutex<DateTime<Utc>>);

impl DemoClock {
    fn set(&self, day: NaiveDate, minute: u32) {
        let at = day
            .and_hms_opt(9 + minute / 60 % 8, minute % 60, 0)
            .map(|t| t.and_utc());
        if let Some(at) = at {
            *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
        }
    }
}

impl Clock for DemoClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What was made.
pub struct Summary {
    pub trajectories: usize,
    pub referrals: usize,
    pub services: usize,
}

struct Driver {
    http: reqwest::Client,
    base: String,
    tokens: HashMap<(String, &'static str), String>,
    config: Config,
}

impl Driver {
    fn token(&mut self, org: &str, scope: &'static str) -> Result<String, String> {
        if let Some(t) = self.tokens.get(&(org.to_owned(), scope)) {
            return Ok(t.clone());
        }
        let ttl = self.config.jwt_max_lifetime_seconds.min(3600);
        let t = crate::auth::token::mint(&self.config, org, scope, "demo", ttl)?;
        self.tokens.insert((org.to_owned(), scope), t.clone());
        Ok(t)
    }

    /// Sends a request and returns the answer's JSON, failing on any other status.
    async fn send(
        &mut self,
        org: &str,
        scope: &'static str,
        path: &str,
        version: Option<i64>,
        body: Value,
        expect: u16,
    ) -> Result<Value, String> {
        let token = self.token(org, scope)?;
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(v) = version {
            request = request.header("If-Match", format!("\"{v}\""));
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| e.to_string())?;
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != expect {
            return Err(format!("POST {path} as {org}: {status} {answer}"));
        }
        Ok(answer)
    }
}

fn version(answer: &Value) -> i64 {
    answer["version"].as_i64().unwrap_or(0)
}

fn id(answer: &Value) -> String {
    answer["id"].as_str().unwrap_or_default().to_owned()
}

/// A client's state while the plan runs.
#[derive(Default)]
struct Progress {
    trajectory: String,
    version: i64,
    referrals: HashMap<usize, (String, i64, String)>,
}

/// Fills the database `config` names; refuses one that holds trajectories unless `force`.
pub async fn run(mut config: Config, force: bool) -> Result<Summary, String> {
    let db = open_database(&config).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let existing = db.trajectory_count().await.map_err(|e| e.to_string())?;
    if existing > 0 && !force {
        return Err(format!(
            "the database already holds {existing} trajectories; the demo fills only an empty one (use --force to add to it anyway)"
        ));
    }
    let today = Utc::now().date_naive();
    let clock = Arc::new(DemoClock(Mutex::new(Utc::now())));
    config.listen = "127.0.0.1:0".to_owned();
    config.metrics_listen = None;
    config.scheduler = "off".to_owned();
    config.dispatcher = "off".to_owned();
    config.rate_limit_per_minute = 0;
    let app = Application::build_with_clock(config.clone(), clock.clone())
        .await
        .map_err(|e| e.to_string())?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let server = tokio::spawn(app.run_until_stopped());
    // The demo fires the deadline timers itself, at each new day, on its own clock.
    let scheduler = Scheduler::new(
        db.conn.clone(),
        Arc::new(FeedSignal::default()),
        config.continuity_policy(),
        500,
        chrono::Duration::seconds(60),
    );
    let mut driver = Driver {
        http: reqwest::Client::new(),
        base,
        tokens: HashMap::new(),
        config,
    };
    let run_tag = if existing > 0 {
        format!("-{}", existing)
    } else {
        String::new()
    };
    let services = services(&mut driver, &clock, today).await?;
    let mut stories = plan::stories(CLIENTS, today, SEED);
    for s in &mut stories {
        s.client_ref.push_str(&run_tag);
    }
    let mut agenda: Vec<(NaiveDate, usize, usize)> = stories
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.steps
                .iter()
                .enumerate()
                .map(move |(k, (d, _))| (*d, i, k))
        })
        .collect();
    agenda.sort();
    let mut progress: Vec<Progress> = stories.iter().map(|_| Progress::default()).collect();
    let mut referrals = 0;
    let mut current: Option<NaiveDate> = None;
    for (minute, (day, story, step)) in agenda.into_iter().enumerate() {
        if current != Some(day) {
            clock.set(day, 0);
            tick(&scheduler, clock.now()).await?;
            current = Some(day);
        }
        clock.set(day, u32::try_from(minute % 480).unwrap_or(0));
        let step = stories[story].steps[step].1.clone();
        if matches!(step, Step::Refer { .. }) {
            referrals += 1;
        }
        act(
            &mut driver,
            &stories,
            &mut progress,
            &services,
            story,
            &step,
        )
        .await?;
    }
    clock.set(today, 0);
    if existing == 0 {
        let housing = services.get(&("gemeente:0268".to_owned(), 2));
        person::sanne(&mut driver, housing, today).await?;
    }
    tick(&scheduler, Utc::now()).await?;
    server.abort();
    Ok(Summary {
        trajectories: stories.len(),
        referrals,
        services: services.len(),
    })
}

async fn tick(scheduler: &Scheduler, now: DateTime<Utc>) -> Result<(), String> {
    loop {
        let report = scheduler.tick(now).await.map_err(|e| e.to_string())?;
        if report.claimed < scheduler.batch() as usize && report.folded == 0 {
            return Ok(());
        }
    }
}

/// Each municipality's services per kind, and each provider's aftercare group.
async fn services(
    driver: &mut Driver,
    clock: &DemoClock,
    today: NaiveDate,
) -> Result<HashMap<(String, usize), String>, String> {
    clock.set(today - chrono::Duration::days(430), 0);
    let mut made = HashMap::new();
    for region in &REGIONS {
        for (k, (kind, name, wait)) in MUNICIPAL_KINDS.iter().enumerate() {
            let answer = driver
                .send(
                    region.municipality,
                    "municipality",
                    "/v1/services",
                    None,
                    json!({"name": format!("{name} {} (fictief)", region.name), "kind": kind,
                           "serves": [region.municipality], "stated_wait_days": wait}),
                    201,
                )
                .await?;
            made.insert((region.municipality.to_owned(), k), id(&answer));
        }
        for provider in region.providers {
            let answer = driver
                .send(
                    provider,
                    "provider",
                    "/v1/services",
                    None,
                    json!({"name": format!("Nazorggroep {} (fictief)", &provider[4..]), "kind": "aftercare",
                           "serves": [region.municipality], "stated_wait_days": 7}),
                    201,
                )
                .await?;
            made.insert(((*provider).to_owned(), usize::MAX), id(&answer));
        }
    }
    Ok(made)
}

async fn act(
    driver: &mut Driver,
    stories: &[Story],
    progress: &mut [Progress],
    services: &HashMap<(String, usize), String>,
    index: usize,
    step: &Step,
) -> Result<(), String> {
    let story = &stories[index];
    let provider = story.provider;
    let municipality = REGIONS[story.region].municipality;
    match step {
        Step::Register => {
            let previous = story.previous.map(|p| progress[p].trajectory.clone());
            let mut body = json!({"client_ref": story.client_ref, "municipality": municipality,
                                  "started_on": story.started_on.to_string()});
            if let Some(p) = previous {
                body["previous_trajectory"] = json!(p);
            }
            let answer = driver
                .send(provider, "provider", "/v1/trajectories", None, body, 201)
                .await?;
            let p = &mut progress[index];
            p.trajectory = id(&answer);
            p.version = version(&answer);
        }
        Step::Consent => {
            let path = format!("/v1/trajectories/{}/consents", progress[index].trajectory);
            driver
                .send(provider, "provider", &path, None,
                      json!({"organisation": municipality, "purpose": "Aanmelding vervolgondersteuning"}), 201)
                .await?;
        }
        Step::Wind { planned_end_on } => {
            transition(
                driver,
                &mut progress[index],
                provider,
                json!({"to": "transition", "planned_end_on": planned_end_on.to_string()}),
            )
            .await?;
        }
        Step::End {
            to,
            reason,
            no_follow_up,
        } => {
            let mut body = json!({"to": to, "reason": reason});
            if *no_follow_up {
                body["no_follow_up_reason"] = json!("Herstel stabiel; huisarts volgt de cliënt");
            }
            transition(driver, &mut progress[index], provider, body).await?;
        }
        Step::Close { outcome } => {
            transition(
                driver,
                &mut progress[index],
                provider,
                json!({"to": "closed", "reason": outcome}),
            )
            .await?;
        }
        Step::Refer { slot, to } => {
            let (recipient, kind, service) = match to {
                Recipient::Municipality(k) => (
                    municipality.to_owned(),
                    MUNICIPAL_KINDS[*k].0,
                    services.get(&(municipality.to_owned(), *k)),
                ),
                Recipient::OwnAftercare => (
                    provider.to_owned(),
                    "aftercare",
                    services.get(&(provider.to_owned(), usize::MAX)),
                ),
            };
            let path = format!("/v1/trajectories/{}/referrals", progress[index].trajectory);
            let answer = driver
                .send(
                    provider,
                    "provider",
                    &path,
                    None,
                    json!({"kind": kind, "recipient": recipient, "service": service,
                             "needs": "Ondersteuning na afronding van de behandeling (fictief)",
                             "client": {"name": format!("Cliënt {} (fictief)", story.client_ref)},
                             "referrer": {"name": "Behandelaar (fictief)"}}),
                    201,
                )
                .await?;
            progress[index]
                .referrals
                .insert(*slot, (id(&answer), version(&answer), recipient));
        }
        Step::Acknowledge { slot } => {
            answer(
                driver,
                &mut progress[index],
                *slot,
                "acknowledge",
                json!({}),
            )
            .await?
        }
        Step::Accept {
            slot,
            planned_start_on,
        } => {
            answer(
                driver,
                &mut progress[index],
                *slot,
                "accept",
                json!({"planned_start_on": planned_start_on.to_string()}),
            )
            .await?;
        }
        Step::Reject { slot, reason_code } => {
            answer(
                driver,
                &mut progress[index],
                *slot,
                "reject",
                json!({"reason_code": reason_code}),
            )
            .await?;
        }
        Step::Start { slot } => {
            answer(driver, &mut progress[index], *slot, "start", json!({})).await?
        }
    }
    Ok(())
}

async fn transition(
    driver: &mut Driver,
    p: &mut Progress,
    provider: &str,
    body: Value,
) -> Result<(), String> {
    let path = format!("/v1/trajectories/{}/transitions", p.trajectory);
    let answer = driver
        .send(provider, "provider", &path, Some(p.version), body, 200)
        .await?;
    p.version = version(&answer);
    Ok(())
}

/// The recipient's `action` on the referral in `slot`.
async fn answer(
    driver: &mut Driver,
    p: &mut Progress,
    slot: usize,
    action: &str,
    body: Value,
) -> Result<(), String> {
    let Some((rid, v, recipient)) = p.referrals.get(&slot).cloned() else {
        return Ok(());
    };
    let scope = if recipient.starts_with("gemeente:") {
        "municipality"
    } else {
        "provider"
    };
    let path = format!("/v1/referrals/{rid}/{action}");
    let answer = driver
        .send(&recipient, scope, &path, Some(v), body, 200)
        .await?;
    p.referrals.insert(slot, (rid, version(&answer), recipient));
    Ok(())
}
