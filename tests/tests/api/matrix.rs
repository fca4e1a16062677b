//! The authorization matrix: two providers, two municipalities, an informal organisation,
//! a dashboard and an administrator call every `/v1` and `/fhir` operation with provider A's (and Nijmegen's) ids. Only
//! the cells the policy allows succeed; another organisation's object is always 404 (an
//! administrator reads across organisations by design); lists and feeds never contain
//! foreign ids. Refused cells run before the allowed ones and the allowed change then
//! succeeds with the original version, which shows the refused ones changed nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{AMSTERDAM, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, TestDatabase, token};

const ROTTERDAM: &str = "gemeente:0599";
const ADMIN_ORG: &str = "agb:00000001";
/// The `n`th BSN that passes the 11-proef: one client per world, since a provider holds
/// one open trajectory per BSN.
fn bsn(n: usize) -> String {
    (0u64..)
        .map(|k| 20_000_000 + (n as u64) * 97 + k)
        .find_map(|base| {
            let digits: Vec<u64> = base
                .to_string()
                .bytes()
                .map(|b| u64::from(b - b'0'))
                .collect();
            let weighted: u64 = digits.iter().zip((2..=9).rev()).map(|(d, w)| d * w).sum();
            let last = weighted % 11;
            (last < 10 && weighted != last).then(|| format!("{base}{last}"))
        })
        .expect("a valid BSN")
}

/// The callers, in the order every row runs them: refused ones first.
const ACTORS: [(&str, &str, &str); 7] = [
    ("provider B", PROVIDER_B, "provider"),
    ("Amsterdam", AMSTERDAM, "municipality"),
    // An informal organisation the registry does not know.
    ("community", "informeel:000001", "community"),
    ("dashboard", ROTTERDAM, "dashboard"),
    ("admin", ADMIN_ORG, "admin"),
    ("provider A", PROVIDER_A, "provider"),
    ("Nijmegen", NIJMEGEN, "municipality"),
];

/// Provider A's objects (and the referral to Nijmegen), plus provider B's for contrast.
struct World {
    client_ref: String,
    trajectory: String,
    consent: String,
    referral: String,
    alert: String,
    subscription: String,
    dead_message: String,
    b_trajectory: String,
    b_referral: String,
    /// A catalog service of provider A.
    service: String,
    /// An open client invitation on provider A's trajectory.
    invitation: String,
    /// An offer of provider A (peer support, to Nijmegen and A itself).
    offer: String,
    /// A case manager in provider A's team.
    participant: String,
    /// A warm-handoff meeting of the referral to Nijmegen.
    meeting: String,
}

impl World {
    /// The ids a caller of another organisation must never see.
    fn of_a(&self) -> [&str; 6] {
        [
            &self.trajectory,
            &self.consent,
            &self.referral,
            &self.alert,
            &self.subscription,
            &self.dead_message,
        ]
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

async fn world(app: &TestApp, db: &TestDatabase, n: usize) -> World {
    let a = token(PROVIDER_A, "provider");
    let client_ref = format!("matrix-{n}");
    let registered = app
        .post(
            "/v1/trajectories",
            &a,
            &json!({"client_ref": client_ref, "municipality": NIJMEGEN,
                    "started_on": "2026-01-05", "bsn": bsn(n)}),
        )
        .await;
    assert_eq!(registered.status(), 201);
    let trajectory = id(&registered.json().await.expect("json"));
    // Ending treatment with nothing in place opens an alert for provider A.
    app.transition_ok(
        &a,
        &trajectory,
        1,
        &json!({"to": "social_support", "reason": "planned_completion"}),
    )
    .await;
    let consent = id(&app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await);
    let referral = app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await;
    assert_eq!(referral.status(), 201);
    let referral = id(&referral.json().await.expect("json"));
    let alert = app
        .alerts(&a, &format!("?trajectory={trajectory}"))
        .await
        .into_iter()
        .find(|alert| alert["trajectory_id"] == trajectory.as_str())
        .map(|alert| id(&alert))
        .expect("an alert for the ended treatment");
    let subscribed = app
        .post(
            "/v1/webhook-subscriptions",
            &a,
            &json!({"url": "http://127.0.0.1:9/matrix", "event_types": ["alert.opened"]}),
        )
        .await;
    assert_eq!(subscribed.status(), 201);
    let subscription = id(&subscribed.json().await.expect("json"));
    let queued = app
        .post(
            &format!("/v1/webhook-subscriptions/{subscription}/test"),
            &a,
            &json!(null),
        )
        .await;
    assert_eq!(queued.status(), 202);
    let queued: Value = queued.json().await.expect("json");
    let dead_message = queued["message_id"].as_str().expect("message").to_owned();
    // The dispatcher is off in this app: declare the test message dead, as after 3 days.
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    sea_orm::ConnectionTrait::execute_unprepared(
        &conn.conn,
        "UPDATE webhook_messages SET status = 'dead'",
    )
    .await
    .expect("dead letter");

    let offer = app
        .post(
            &format!("/v1/trajectories/{trajectory}/offers"),
            &a,
            &offer_body(),
        )
        .await;
    assert_eq!(offer.status(), 201);
    let offer = id(&offer.json().await.expect("json"));
    let participant = app
        .post(
            &format!("/v1/trajectories/{trajectory}/participants"),
            &a,
            &json!({"role": "case_manager", "name": "M. de Vries", "organisation": PROVIDER_A}),
        )
        .await;
    assert_eq!(participant.status(), 201);
    let participant = id(&participant.json().await.expect("json"));
    let meeting = app
        .post(
            &format!("/v1/referrals/{referral}/warm-handoff/meetings"),
            &a,
            &json!({"planned_at": "2026-12-20T10:00:00Z", "participants": [participant]}),
        )
        .await;
    assert_eq!(meeting.status(), 201);
    let meeting = id(&meeting.json().await.expect("json"));
    let service = app.post("/v1/services", &a, &service_body()).await;
    assert_eq!(service.status(), 201);
    let service = id(&service.json().await.expect("json"));
    let invitation = app
        .post(
            &format!("/v1/trajectories/{trajectory}/invitations"),
            &a,
            &json!({}),
        )
        .await;
    assert_eq!(invitation.status(), 201);
    let invitation = id(&invitation.json().await.expect("json"));
    let b_trajectory = id(&app.register(PROVIDER_B, &format!("matrix-b-{n}")).await);
    app.consent(PROVIDER_B, &b_trajectory, AMSTERDAM).await;
    let b_referral = app
        .refer(PROVIDER_B, &b_trajectory, "housing", AMSTERDAM)
        .await;
    assert_eq!(b_referral.status(), 201);
    let b_referral = id(&b_referral.json().await.expect("json"));
    World {
        client_ref,
        trajectory,
        consent,
        referral,
        alert,
        subscription,
        dead_message,
        b_trajectory,
        b_referral,
        service,
        invitation,
        offer,
        participant,
        meeting,
    }
}

fn offer_body() -> Value {
    json!({"kind": "peer_support", "needs": "Lotgenotencontact",
           "candidates": [{"recipient": NIJMEGEN}, {"recipient": PROVIDER_A}]})
}

fn service_body() -> Value {
    json!({"name": "Nazorggroep", "kind": "aftercare", "serves": [NIJMEGEN]})
}

/// One operation: how to call it against a world, and what each actor (in `ACTORS`
/// order) gets: `O` 2xx, `F` 403, `N` 404, `P` 412 (allowed, but an allowed caller before
/// it changed the object's version), `V` 422 (allowed, refused by a rule of the domain).
struct Row {
    method: Method,
    pattern: &'static str,
    expect: &'static str,
}

const fn row(method: Method, pattern: &'static str, expect: &'static str) -> Row {
    Row {
        method,
        pattern,
        expect,
    }
}

//                          provider B, Amsterdam, community, dashboard, admin, provider A, Nijmegen
fn rows() -> Vec<Row> {
    vec![
        row(Method::POST, "/v1/trajectories", "OFFFFOF"),
        row(Method::GET, "/v1/trajectories", "OFFFOOF"),
        row(Method::POST, "/v1/trajectories/search", "OFFFOOF"),
        row(Method::GET, "/v1/trajectories/{id}", "NFFFOOF"),
        row(Method::POST, "/v1/trajectories/{id}/transitions", "NFFFFOF"),
        row(Method::GET, "/v1/trajectories/{id}/events", "NFFFOOF"),
        row(
            Method::GET,
            "/v1/clients/{client_ref}/access-log",
            "NFFFOOF",
        ),
        row(Method::POST, "/v1/trajectories/{id}/consents", "NFFFFOF"),
        // The client's invitation codes: the treating provider's only.
        row(Method::POST, "/v1/trajectories/{id}/invitations", "NFFFFOF"),
        row(Method::GET, "/v1/trajectories/{id}/invitations", "NFFFFOF"),
        row(
            Method::POST,
            "/v1/trajectories/{id}/invitations/{iid}/revoke",
            "NFFFFOF",
        ),
        row(Method::GET, "/v1/trajectories/{id}/consents", "NFFFFOF"),
        // External identifiers: each organisation's own, on what it may see.
        row(Method::GET, "/v1/trajectories/{id}/identifiers", "NFFFFOF"),
        row(Method::PUT, "/v1/trajectories/{id}/identifiers", "NFFFFOF"),
        row(Method::GET, "/v1/referrals", "OOOFFOO"),
        row(Method::GET, "/v1/referrals/{rid}/identifiers", "NNNFFOO"),
        row(Method::PUT, "/v1/referrals/{rid}/identifiers", "NNNFFOO"),
        row(Method::GET, "/v1/services/{id}/identifiers", "NNNFFON"),
        row(Method::PUT, "/v1/services/{id}/identifiers", "NNNFFON"),
        row(
            Method::GET,
            "/v1/trajectories/{id}/consents/{cid}",
            "NFFFFOF",
        ),
        row(
            Method::POST,
            "/v1/trajectories/{id}/consents/{cid}/withdraw",
            "NFFFFOF",
        ),
        row(Method::POST, "/v1/trajectories/{id}/referrals", "NFFFFOF"),
        row(Method::GET, "/v1/trajectories/{id}/referrals", "NFFFFOF"),
        row(Method::POST, "/v1/trajectories/{id}/offers", "NFFFFOF"),
        row(Method::GET, "/v1/trajectories/{id}/offers", "NFFFFOF"),
        row(Method::GET, "/v1/offers/{oid}", "NFFFFOF"),
        row(
            Method::POST,
            "/v1/trajectories/{id}/participants",
            "NFFFFOF",
        ),
        row(Method::GET, "/v1/trajectories/{id}/participants", "NFFFFOF"),
        row(
            Method::POST,
            "/v1/trajectories/{id}/participants/{pid}/leave",
            "NFFFFOF",
        ),
        // Both parties of a referral see (their part of) the team and its handoff.
        row(Method::GET, "/v1/referrals/{rid}/participants", "NNNFFOO"),
        row(Method::GET, "/v1/trajectories/{id}/overview", "NFFFFOF"),
        // The world's trajectory is not closed: provider A passes the checks of who may,
        // then the rule refuses (no check is owed).
        row(
            Method::POST,
            "/v1/trajectories/{id}/outcome-checks",
            "NFFFFVF",
        ),
        row(
            Method::GET,
            "/v1/trajectories/{id}/outcome-checks",
            "NFFFFOF",
        ),
        row(Method::GET, "/v1/referrals/{rid}/overview", "NNNFFOO"),
        row(
            Method::POST,
            "/v1/referrals/{rid}/warm-handoff/meetings",
            "NNNFFOO",
        ),
        row(
            Method::GET,
            "/v1/referrals/{rid}/warm-handoff/meetings",
            "NNNFFOO",
        ),
        row(
            Method::POST,
            "/v1/referrals/{rid}/warm-handoff/meetings/{mid}/outcome",
            "NNNFFOP",
        ),
        // Alternatives are the requester's: the recipient is refused (403).
        row(Method::GET, "/v1/referrals/{rid}/alternatives", "NFFFFOF"),
        row(Method::GET, "/v1/referrals/inbox", "OOOFFOO"),
        row(Method::GET, "/v1/referrals/outbox-feed", "OFFFFOF"),
        row(Method::GET, "/v1/referrals/{rid}", "NNNFFOO"),
        // Acknowledging is the recipient's action: the requester is refused (403).
        row(Method::POST, "/v1/referrals/{rid}/{action}", "NNNFFFO"),
        row(Method::GET, "/v1/alerts", "OOOOOOO"),
        row(Method::GET, "/v1/access-log", "OOOOOOO"),
        row(Method::GET, "/v1/alerts/feed", "OOOOFOO"),
        // Nijmegen is the client's municipality and named in its consent: it reads the
        // gap alert (minimised), and may not act on it (403, since it may read it).
        row(Method::GET, "/v1/alerts/{id}", "NNNNOOO"),
        row(Method::POST, "/v1/alerts/{id}/acknowledge", "NNNFFOF"),
        row(Method::POST, "/v1/alerts/{id}/resolve", "NNNFFOF"),
        row(Method::POST, "/v1/webhook-subscriptions", "OOOFFOO"),
        row(Method::GET, "/v1/webhook-subscriptions", "OOOFFOO"),
        row(
            Method::GET,
            "/v1/webhook-subscriptions/{id}/status",
            "NNNFFON",
        ),
        row(
            Method::GET,
            "/v1/webhook-subscriptions/{id}/events",
            "NNNFFON",
        ),
        row(Method::DELETE, "/v1/webhook-subscriptions/{id}", "NNNFFON"),
        row(
            Method::POST,
            "/v1/webhook-subscriptions/{id}/rotate-secret",
            "NNNFFON",
        ),
        row(
            Method::POST,
            "/v1/webhook-subscriptions/{id}/test",
            "NNNFFON",
        ),
        row(
            Method::GET,
            "/v1/webhook-subscriptions/{id}/deliveries",
            "NNNFFON",
        ),
        row(
            Method::POST,
            "/v1/webhook-subscriptions/{id}/deliveries/{did}/replay",
            "NNNFFON",
        ),
        // The catalog holds no client data: everyone reads it, only the owner changes it.
        row(Method::GET, "/v1/services", "OOOOOOO"),
        row(Method::GET, "/v1/services/feed", "OOOOOOO"),
        row(Method::GET, "/v1/services/{id}", "OOOOOOO"),
        row(Method::GET, "/v1/services/{id}/history", "OOOOOOO"),
        // An informal organisation must be registered before it owns a service.
        row(Method::POST, "/v1/services", "OOFFFOO"),
        row(Method::PUT, "/v1/services/{id}", "NNNFFON"),
        row(Method::POST, "/v1/services/{id}/capacity", "NNNFFON"),
        row(Method::GET, "/v1/organisations/{org}", "OOOOOOO"),
        // Aggregates: only dashboards (of a provider or municipality) and administrators.
        row(Method::GET, "/v1/figures/continuity", "FFFOOFF"),
        // The FHIR views follow the /v1 reads they mirror.
        row(Method::GET, "/fhir/Task", "OOOFFOO"),
        row(Method::GET, "/fhir/Task/{rid}", "NNNFFOO"),
        row(Method::GET, "/fhir/EpisodeOfCare", "OFFFOOF"),
        row(Method::GET, "/fhir/EpisodeOfCare/{id}", "NFFFOOF"),
        row(Method::GET, "/fhir/HealthcareService", "OOOOOOO"),
        row(Method::GET, "/fhir/HealthcareService/{id}", "OOOOOOO"),
        // Legal holds and erasure: administrators only; erasure last, since it removes
        // the world's personal details (its ids and facts stay).
        row(Method::GET, "/v1/trajectories/{id}/legal-hold", "FFFFOFF"),
        row(Method::PUT, "/v1/trajectories/{id}/legal-hold", "FFFFOFF"),
        row(
            Method::DELETE,
            "/v1/trajectories/{id}/legal-hold",
            "FFFFOFF",
        ),
        row(Method::POST, "/v1/trajectories/{id}/erasure", "FFFFOFF"),
    ]
}

/// The concrete request of `row` against `w`: path, If-Match, body.
fn request(row: &Row, w: &World, n: usize) -> (String, Option<&'static str>, Value) {
    let id = if row.pattern.starts_with("/v1/alerts/") {
        &w.alert
    } else if row.pattern.starts_with("/v1/services/")
        || row.pattern.starts_with("/fhir/HealthcareService/")
    {
        &w.service
    } else if row.pattern.starts_with("/v1/webhook-subscriptions/") {
        &w.subscription
    } else {
        &w.trajectory
    };
    let path = row
        .pattern
        .replace("{id}", id)
        .replace("{cid}", &w.consent)
        .replace("{rid}", &w.referral)
        .replace("{action}", "acknowledge")
        .replace("{did}", &w.dead_message)
        .replace("{client_ref}", &w.client_ref)
        .replace("{org}", NIJMEGEN)
        .replace("{oid}", &w.offer)
        .replace("{pid}", &w.participant)
        .replace("{mid}", &w.meeting)
        .replace("{iid}", &w.invitation);
    let (if_match, body) = match (row.method.as_str(), row.pattern) {
        ("POST", "/v1/trajectories") => (
            None,
            json!({"client_ref": format!("matrix-new-{n}"), "municipality": NIJMEGEN,
                   "started_on": "2026-01-05"}),
        ),
        ("POST", "/v1/trajectories/search") => (None, json!({"bsn": bsn(n)})),
        ("POST", "/v1/trajectories/{id}/transitions") => (
            Some("\"2\""),
            json!({"to": "treatment", "reason": "relapse"}),
        ),
        ("POST", "/v1/trajectories/{id}/consents") => (
            None,
            json!({"organisation": AMSTERDAM, "purpose": "Schuldhulpverlening"}),
        ),
        ("POST", "/v1/trajectories/{id}/referrals") => (
            None,
            json!({"kind": "income_and_debt", "recipient": NIJMEGEN, "needs": "Schulden",
                   "requested_start_on": "2026-12-15",
                   "client": {"name": "J. Jansen"}, "referrer": {"name": "M. de Vries"}}),
        ),
        ("POST", "/v1/referrals/{rid}/{action}") => (Some("\"1\""), Value::Null),
        // Version 2: the consent for Nijmegen shared the alert with it after it opened.
        ("POST", "/v1/alerts/{id}/resolve") => {
            (Some("\"2\""), json!({"reason": "Handled by phone"}))
        }
        ("POST", "/v1/alerts/{id}/acknowledge") => (Some("\"2\""), Value::Null),
        ("POST", "/v1/trajectories/{id}/consents/{cid}/withdraw") => (Some("\"1\""), Value::Null),
        ("POST", "/v1/trajectories/{id}/offers") => (
            None,
            json!({"kind": "work_and_daytime_activity", "needs": "Dagbesteding",
                   "candidates": [{"recipient": NIJMEGEN}, {"recipient": PROVIDER_A}]}),
        ),
        ("POST", "/v1/trajectories/{id}/participants") => (
            None,
            json!({"role": "peer_expert", "name": "P. Peer", "organisation": PROVIDER_A}),
        ),
        ("POST", "/v1/trajectories/{id}/participants/{pid}/leave") => (Some("\"1\""), Value::Null),
        ("POST", "/v1/referrals/{rid}/warm-handoff/meetings") => {
            (None, json!({"planned_at": "2026-12-21T10:00:00Z"}))
        }
        ("POST", "/v1/referrals/{rid}/warm-handoff/meetings/{mid}/outcome") => (
            Some("\"1\""),
            json!({"outcome": "postponed", "planned_at": "2026-12-22T10:00:00Z"}),
        ),
        ("POST", "/v1/trajectories/{id}/outcome-checks") => {
            (None, json!({"after_days": 30, "outcome": "stable"}))
        }
        ("POST", "/v1/services") => (None, service_body()),
        ("PUT", "/v1/services/{id}") => (Some("\"1\""), service_body()),
        ("PUT", p) if p.ends_with("/identifiers") => (
            None,
            json!({"items": [{"system": "urn:matrix:ids", "value": format!("m-{n}")}]}),
        ),
        ("POST", "/v1/services/{id}/capacity") => (None, json!({"availability": "yes"})),
        ("PUT", "/v1/trajectories/{id}/legal-hold") => {
            (None, json!({"reason": "Verzoek van de inspectie"}))
        }
        ("POST", "/v1/webhook-subscriptions") => (
            None,
            json!({"url": "http://127.0.0.1:9/other", "event_types": ["alert.opened"]}),
        ),
        _ => (None, Value::Null),
    };
    let path = if row.pattern == "/v1/referrals" {
        format!("{path}?identifier=urn:matrix:ids|m-1")
    } else if row.pattern.ends_with("/events") {
        format!("{path}?since=0")
    } else {
        path
    };
    (path, if_match, body)
}

/// The ids `who` may never see in a list or feed.
fn forbidden_ids<'w>(who: &str, w: &'w World) -> Vec<&'w str> {
    let b = [w.b_trajectory.as_str(), w.b_referral.as_str()];
    match who {
        "provider A" => b.to_vec(),
        "Nijmegen" => vec![
            &w.subscription,
            &w.dead_message,
            &w.consent,
            &w.b_trajectory,
            &w.b_referral,
        ],
        "admin" => Vec::new(),
        _ => w.of_a().to_vec(),
    }
}

/// Long-polls `org`'s inbox from the start until it holds `referral`.
async fn await_in_inbox(app: &TestApp, org: &str, referral: &str) {
    let reader = token(org, "municipality");
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let path = match &cursor {
            Some(c) => format!("/v1/referrals/inbox?wait=2&after={c}"),
            None => "/v1/referrals/inbox?wait=2".to_owned(),
        };
        let page: Value = app.get(&path, &reader).await.json().await.expect("json");
        if page["items"].to_string().contains(referral) {
            return;
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    panic!("{referral} never reached {org}'s inbox");
}

#[tokio::test]
async fn every_operation_by_every_kind_of_caller_against_provider_a_objects() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on_with(&db, |config| config.dispatcher = "off".to_owned()).await;
    let rows = rows();
    let policy: Vec<(&str, &str)> = herstelbrug_api::auth::policy::POLICY
        .iter()
        .map(|(m, p, _)| (*m, *p))
        .collect();
    assert_eq!(rows.len(), policy.len(), "one row per policy entry");
    for row in &rows {
        assert!(
            policy.contains(&(row.method.as_str(), row.pattern)),
            "{} {} is not a route",
            row.method,
            row.pattern
        );
    }
    let mut cells = 0;
    for (n, row) in rows.iter().enumerate() {
        let w = world(&app, &db, n).await;
        // Feeds show a change once it is readable; wait for the readers' own first.
        await_in_inbox(&app, NIJMEGEN, &w.referral).await;
        await_in_inbox(&app, AMSTERDAM, &w.b_referral).await;
        for ((who, org, scope), expected) in ACTORS.iter().zip(row.expect.chars()) {
            let (path, if_match, body) = request(row, &w, n);
            let mut call = app.request(row.method.clone(), &path, &token(org, scope));
            if let Some(tag) = if_match {
                call = call.header("If-Match", tag);
            }
            if !body.is_null() {
                call = call.json(&body);
            }
            let response = call.send().await.expect("sent");
            let status = response.status().as_u16();
            let text = response.text().await.expect("body");
            let ok = match expected {
                'O' => (200..300).contains(&status),
                'F' => status == 403,
                'N' => status == 404,
                'P' => status == 412,
                'V' => status == 422,
                other => panic!("unknown expectation {other}"),
            };
            assert!(
                ok,
                "{} {} as {who}: expected {expected}, got {status}: {text}",
                row.method, row.pattern
            );
            if expected == 'O' && row.method == Method::GET {
                for foreign in forbidden_ids(who, &w) {
                    assert!(
                        !text.contains(foreign),
                        "{} {} as {who} shows a foreign id: {text}",
                        row.method,
                        row.pattern
                    );
                }
            }
            cells += 1;
        }
    }
    assert_eq!(cells, rows.len() * ACTORS.len());
}

#[tokio::test]
async fn lists_and_feeds_show_each_organisation_its_own_objects() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on_with(&db, |config| config.dispatcher = "off".to_owned()).await;
    let w = world(&app, &db, 0).await;
    let shows = |text: &str, id: &str| text.contains(id);
    let body = |path: &'static str, org: &'static str, scope: &'static str| {
        let app = &app;
        async move {
            let response = app.get(path, &token(org, scope)).await;
            assert_eq!(response.status(), 200, "{path} as {org} {scope}");
            response.text().await.expect("body")
        }
    };
    await_in_inbox(&app, NIJMEGEN, &w.referral).await;
    await_in_inbox(&app, AMSTERDAM, &w.b_referral).await;
    let amsterdam_inbox = body("/v1/referrals/inbox", AMSTERDAM, "municipality").await;
    assert!(shows(&amsterdam_inbox, &w.b_referral) && !shows(&amsterdam_inbox, &w.referral));
    let (outbox, _) = app
        // The referral and the offer's two candidates.
        .feed_collect("outbox-feed", &token(PROVIDER_A, "provider"), None, 3)
        .await;
    assert!(shows(&json!(outbox).to_string(), &w.referral));
    assert!(!shows(&json!(outbox).to_string(), &w.b_referral));
    let trajectories = body("/v1/trajectories", PROVIDER_A, "provider").await;
    assert!(shows(&trajectories, &w.trajectory) && !shows(&trajectories, &w.b_trajectory));
    let theirs = body("/v1/trajectories", PROVIDER_B, "provider").await;
    assert!(shows(&theirs, &w.b_trajectory) && !shows(&theirs, &w.trajectory));
    let everyone = body("/v1/trajectories", ADMIN_ORG, "admin").await;
    assert!(shows(&everyone, &w.trajectory) && shows(&everyone, &w.b_trajectory));
    let alerts = body("/v1/alerts", PROVIDER_A, "provider").await;
    assert!(shows(&alerts, &w.alert));
    let own_dashboard = body("/v1/alerts", PROVIDER_A, "dashboard").await;
    assert!(shows(&own_dashboard, &w.alert));
    let other_dashboard = body("/v1/alerts", ROTTERDAM, "dashboard").await;
    assert!(!shows(&other_dashboard, &w.alert));
    let own_log = body("/v1/access-log", PROVIDER_A, "provider").await;
    assert!(shows(&own_log, &w.trajectory));
    let other_log = body("/v1/access-log", PROVIDER_B, "provider").await;
    assert!(!shows(&other_log, &w.trajectory));
    let subscriptions = body("/v1/webhook-subscriptions", PROVIDER_A, "provider").await;
    assert!(shows(&subscriptions, &w.subscription));
    let not_theirs = body("/v1/webhook-subscriptions", PROVIDER_B, "provider").await;
    assert!(!shows(&not_theirs, &w.subscription));
}
