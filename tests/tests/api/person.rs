//! The client's own door: person sign-in checks, finding the client by BSN and by an
//! invitation code, a representative acting for the client, the client's consent
//! withdrawal and its effect on the recipient, the access overview, the copy, naasten at
//! two levels and their revocation, and 404 for everything that is not the person's.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    BSN_ANNA, BSN_JAN, BSN_KEES, BSN_SANNE, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp,
    person_token, person_token_with, problem, token,
};

/// A trajectory of PROVIDER_A registered with `bsn` (or without one).
async fn register(app: &TestApp, client_ref: &str, bsn: Option<&str>) -> String {
    let mut body =
        json!({"client_ref": client_ref, "municipality": NIJMEGEN, "started_on": "2026-01-05"});
    if let Some(bsn) = bsn {
        body["bsn"] = json!(bsn);
    }
    let response = app
        .post("/v1/trajectories", &token(PROVIDER_A, "provider"), &body)
        .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let (got, url) = (response.status().as_u16(), response.url().path().to_owned());
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{url}: {body}");
    body
}

/// Sanne's trajectory with consent for Nijmegen, a referral to it, a clinician and her
/// sister Anna as a naaste with the involvement consent.
struct Path {
    trajectory: String,
    referral: String,
    consent: String,
    anna: String,
}

async fn path(app: &TestApp) -> Path {
    let trajectory = register(app, "sanne", Some(BSN_SANNE)).await;
    let consent = app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let referral = json_of(
        app.refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await,
        201,
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let provider = token(PROVIDER_A, "provider");
    let team = format!("/v1/trajectories/{trajectory}/participants");
    json_of(
        app.post(
            &team,
            &provider,
            &json!({"role": "treating_clinician", "name": "Dr. L. Peters",
                    "organisation": PROVIDER_A, "phone": "024-7654321"}),
        )
        .await,
        201,
    )
    .await;
    let anna = json_of(
        app.post(
            &team,
            &provider,
            &json!({"role": "relative", "name": "Anna de Vries", "relation": "zus",
                    "phone": "06-11122233", "consent": {"share_with": []}}),
        )
        .await,
        201,
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    Path {
        trajectory,
        referral,
        consent,
        anna,
    }
}

#[tokio::test]
async fn sign_in_checks_issuer_audience_expiry_and_assurance() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let ok = app.get("/v1/me", &person_token(BSN_SANNE)).await;
    assert_eq!(ok.status(), 200);
    let refused = [
        (
            "wrong issuer",
            person_token_with(BSN_SANNE, |c| c["iss"] = json!("https://elsewhere.test")),
        ),
        (
            "wrong audience",
            person_token_with(BSN_SANNE, |c| c["aud"] = json!("herstelbrug")),
        ),
        (
            "expired",
            person_token_with(BSN_SANNE, |c| {
                c["iat"] = json!(now - 3600);
                c["exp"] = json!(now - 600);
            }),
        ),
        (
            "DigiD Midden is below substantial",
            person_token_with(BSN_SANNE, |c| {
                c["acr"] = json!("urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract")
            }),
        ),
        (
            "unknown acr",
            person_token_with(BSN_SANNE, |c| c["acr"] = json!("whatever")),
        ),
        (
            "no acr",
            person_token_with(BSN_SANNE, |c| {
                c.as_object_mut().expect("claims").remove("acr");
            }),
        ),
        ("not a BSN", person_token_with("123456789", |_| {})),
        ("an organisation's token", token(PROVIDER_A, "provider")),
    ];
    for (why, bad) in refused {
        let (status, body) = problem(app.get("/v1/me", &bad).await).await;
        assert_eq!(status, 401, "{why}: {body}");
    }
    // And a person's token opens no organisation route.
    let (status, _) = problem(app.get("/v1/trajectories", &person_token(BSN_SANNE)).await).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_client_is_found_by_bsn_and_linked_by_a_one_time_code() {
    let app = TestApp::spawn().await;
    let with_bsn = register(&app, "met-bsn", Some(BSN_SANNE)).await;
    let without = register(&app, "zonder-bsn", None).await;
    let sanne = person_token(BSN_SANNE);
    let me = json_of(app.get("/v1/me", &sanne).await, 200).await;
    let ids: Vec<&str> = me["trajectories"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(ids, [with_bsn.as_str()], "found by BSN only");
    assert_eq!(me["trajectories"][0]["standing"], "client");
    // Another person sees nothing.
    let jan = person_token(BSN_JAN);
    let nobody = json_of(app.get("/v1/me", &jan).await, 200).await;
    assert_eq!(nobody["trajectories"], json!([]));
    assert_eq!(
        app.get(&format!("/v1/me/trajectories/{with_bsn}"), &jan)
            .await
            .status(),
        404
    );

    // The provider invites the client of the trajectory without a BSN.
    let provider = token(PROVIDER_A, "provider");
    let invitations = format!("/v1/trajectories/{without}/invitations");
    let invitation = json_of(app.post(&invitations, &provider, &json!({})).await, 201).await;
    let code = invitation["code"]
        .as_str()
        .expect("code shown once")
        .to_owned();
    assert_eq!(code.replace('-', "").len(), 26, "128 bits in base32");
    let listed = json_of(app.get(&invitations, &provider).await, 200).await;
    assert!(
        listed["items"][0].get("code").is_none(),
        "never shown again"
    );
    assert_eq!(listed["items"][0]["status"], "open");
    // Another provider can neither invite nor list.
    let other = token(PROVIDER_B, "provider");
    assert_eq!(
        app.post(&invitations, &other, &json!({})).await.status(),
        404
    );
    assert_eq!(app.get(&invitations, &other).await.status(), 404);

    let redeem = |token: String, code: String| {
        let app = &app;
        async move {
            app.post("/v1/me/invitations/redeem", &token, &json!({"code": code}))
                .await
        }
    };
    // Typed in lower case with spaces: the same code.
    let typed = code.to_lowercase().replace('-', " ");
    let link = json_of(redeem(jan.clone(), typed).await, 201).await;
    assert_eq!(link["standing"], "client");
    let mine = json_of(app.get("/v1/me", &jan).await, 200).await;
    assert_eq!(mine["trajectories"][0]["id"], json!(without));
    // One use only.
    let (status, body) = problem(redeem(person_token(BSN_KEES), code.clone()).await).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["type"],
        "https://herstelbrug.nl/problems/invitation-closed"
    );

    // A revoked code and an expired one do not work.
    let revoked = json_of(app.post(&invitations, &provider, &json!({})).await, 201).await;
    let revoke = format!(
        "{invitations}/{}/revoke",
        revoked["id"].as_str().expect("id")
    );
    assert_eq!(
        json_of(app.post(&revoke, &provider, &json!({})).await, 200).await["status"],
        "revoked"
    );
    let (status, _) = problem(
        redeem(
            person_token(BSN_KEES),
            revoked["code"].as_str().expect("code").to_owned(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);
    let late = json_of(app.post(&invitations, &provider, &json!({})).await, 201).await;
    app.clock.advance(Duration::weeks(6));
    let (status, body) = problem(
        redeem(
            person_token(BSN_KEES),
            late["code"].as_str().expect("code").to_owned(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("expired")
    );
}

#[tokio::test]
async fn five_wrong_codes_lock_redemption_for_a_while() {
    let app = TestApp::spawn().await;
    let trajectory = register(&app, "zonder-bsn", None).await;
    let provider = token(PROVIDER_A, "provider");
    let invitation = json_of(
        app.post(
            &format!("/v1/trajectories/{trajectory}/invitations"),
            &provider,
            &json!({}),
        )
        .await,
        201,
    )
    .await;
    let guesser = person_token(BSN_JAN);
    for attempt in 1..=4 {
        let (status, body) = problem(
            app.post(
                "/v1/me/invitations/redeem",
                &guesser,
                &json!({"code": format!("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-A{attempt}")}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "wrong code {attempt}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("`code`")
        );
    }
    let fifth = app
        .post(
            "/v1/me/invitations/redeem",
            &guesser,
            &json!({"code": "not even a code"}),
        )
        .await;
    assert_eq!(fifth.status(), 429);
    let wait: u64 = fifth.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((890..=900).contains(&wait), "a quarter of an hour: {wait}");
    // Locked: even the right code waits.
    let right = json!({"code": invitation["code"]});
    let (status, _) = problem(
        app.post("/v1/me/invitations/redeem", &guesser, &right)
            .await,
    )
    .await;
    assert_eq!(status, 429);
    // Someone else is not locked out by it.
    assert_eq!(
        app.post(
            "/v1/me/invitations/redeem",
            &person_token(BSN_KEES),
            &json!({"code": "AAAA"})
        )
        .await
        .status(),
        422
    );
    app.clock.advance(Duration::minutes(16));
    let linked = app
        .post("/v1/me/invitations/redeem", &guesser, &right)
        .await;
    assert_eq!(linked.status(), 201, "the lock ends");
}

#[tokio::test]
async fn a_representative_acts_for_the_client_and_is_recorded_as_such() {
    let app = TestApp::spawn().await;
    let p = path(&app).await;
    let kees = person_token_with(BSN_KEES, |c| {
        c["represents"] = json!({"bsn": BSN_SANNE, "kind": "gemachtigde"})
    });
    let me = json_of(app.get("/v1/me", &kees).await, 200).await;
    assert_eq!(me["signed_in_as"], "vertegenwoordiger");
    assert_eq!(me["representation"], "gemachtigde");
    assert_eq!(me["trajectories"][0]["id"], json!(p.trajectory));
    assert_eq!(me["trajectories"][0]["standing"], "vertegenwoordiger");
    // Kees himself has no trajectory: acting for Sanne shows only hers.
    assert_eq!(
        json_of(app.get("/v1/me", &person_token(BSN_KEES)).await, 200).await["trajectories"],
        json!([])
    );
    let withdraw = format!(
        "/v1/me/trajectories/{}/consents/{}/withdraw",
        p.trajectory, p.consent
    );
    let withdrawn = json_of(app.post_at(&withdraw, &kees, 1, &json!({})).await, 200).await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(withdrawn["withdrawn_by"], "vertegenwoordiger");
    // The provider's own record of the consent says who acted and as what.
    let consent = json_of(
        app.get(
            &format!("/v1/trajectories/{}/consents/{}", p.trajectory, p.consent),
            &token(PROVIDER_A, "provider"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(consent["withdrawn_by"]["org"], "vertegenwoordiger");
    assert_eq!(
        consent["withdrawn_by"]["subject"],
        format!("person-{BSN_KEES}")
    );
    // And the access log records the representative as themselves.
    let log = json_of(
        app.get(
            "/v1/clients/sanne/access-log",
            &token(PROVIDER_A, "provider"),
        )
        .await,
        200,
    )
    .await;
    let entry = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["event"] == "POST /v1/me/trajectories/{id}/consents/{cid}/withdraw")
        .expect("the withdrawal is logged");
    assert_eq!(entry["role"], "vertegenwoordiger");
    assert_eq!(entry["subject"], format!("person-{BSN_KEES}"));
    assert_eq!(entry["org"], Value::Null);
}

#[tokio::test]
async fn the_clients_withdrawal_takes_effect_for_the_recipient_at_once() {
    let app = TestApp::spawn().await;
    let p = path(&app).await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let before = json_of(
        app.get(&format!("/v1/referrals/{}", p.referral), &nijmegen)
            .await,
        200,
    )
    .await
    .to_string();
    assert!(
        before.contains("J. Jansen"),
        "the recipient sees the client with consent"
    );
    let sanne = person_token(BSN_SANNE);
    let consents = json_of(
        app.get(
            &format!("/v1/me/trajectories/{}/consents", p.trajectory),
            &sanne,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(consents["items"][0]["recorded_by"], "zorgverlener");
    let withdraw = format!(
        "/v1/me/trajectories/{}/consents/{}/withdraw",
        p.trajectory, p.consent
    );
    let (status, _) = problem(
        app.request(Method::POST, &withdraw, &sanne)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(status, 428, "If-Match is needed");
    json_of(app.post_at(&withdraw, &sanne, 1, &json!({})).await, 200).await;
    let after = json_of(
        app.get(&format!("/v1/referrals/{}", p.referral), &nijmegen)
            .await,
        200,
    )
    .await;
    assert_eq!(after["status"], "cancelled");
    assert!(!after.to_string().contains("J. Jansen"), "{after}");
    let mine = json_of(
        app.get(&format!("/v1/me/trajectories/{}", p.trajectory), &sanne)
            .await,
        200,
    )
    .await;
    assert_eq!(mine["referrals"][0]["status"]["code"], "cancelled");
    assert_eq!(mine["referrals"][0]["status"]["label"], "Gestopt");
    // Giving consent again goes through the same store, recorded as the client's.
    let given = json_of(
        app.post(
            &format!("/v1/me/trajectories/{}/consents", p.trajectory),
            &sanne,
            &json!({"referral_id": p.referral}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(given["recorded_by"], "client");
    assert_eq!(given["organisation"]["id"], NIJMEGEN);
}

#[tokio::test]
async fn the_access_overview_lists_a_recipients_read_and_pages_on() {
    let app = TestApp::spawn().await;
    let p = path(&app).await;
    let nijmegen = token(NIJMEGEN, "municipality");
    assert_eq!(
        app.get(&format!("/v1/referrals/{}", p.referral), &nijmegen)
            .await
            .status(),
        200
    );
    let sanne = person_token(BSN_SANNE);
    let report = json_of(app.get("/v1/me/access-log?limit=500", &sanne).await, 200).await;
    let items = report["items"].as_array().expect("items");
    let read = items
        .iter()
        .find(|e| e["who"] == NIJMEGEN && e["action"] == "R")
        .expect("the municipality's read is listed");
    assert_eq!(read["what"], "Uw verwijzingen");
    assert_eq!(read["role"], "municipality");
    assert!(read.get("subject").is_none(), "no staff id for the client");
    // Paging with the cursor walks every entry once, newest first.
    let mut seen = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let path = match before {
            Some(b) => format!("/v1/me/access-log?limit=2&before={b}"),
            None => "/v1/me/access-log?limit=2".to_owned(),
        };
        let page = json_of(app.get(&path, &sanne).await, 200).await;
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|e| e["id"].as_i64().expect("id")),
        );
        match page["next_before"].as_i64() {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seen, sorted, "newest first, no entry twice");
    assert!(
        seen.len() >= items.len(),
        "the pages reach every entry listed at once"
    );
    for bad in ["limit=0", "limit=501", "before=0"] {
        let (status, body) =
            problem(app.get(&format!("/v1/me/access-log?{bad}"), &sanne).await).await;
        assert_eq!(status, 422, "{bad}");
        assert!(
            body["detail"].as_str().unwrap_or_default().starts_with('`'),
            "{body}"
        );
    }
    // As FHIR AuditEvents.
    let bundle = app
        .get("/v1/me/access-log/audit-events?limit=500", &sanne)
        .await;
    assert_eq!(
        bundle.headers()["content-type"].to_str().expect("type"),
        "application/fhir+json"
    );
    let bundle: Value = bundle.json().await.expect("json");
    assert_eq!(bundle["resourceType"], "Bundle");
    let events = bundle["entry"].as_array().expect("entries");
    assert!(events.iter().any(|e| {
        e["resource"]["resourceType"] == "AuditEvent"
            && e["resource"]["agent"][0]["who"]["identifier"]["value"] == "0268"
    }));
    // Someone else's report does not list it.
    let jan = json_of(
        app.get("/v1/me/access-log", &person_token(BSN_JAN)).await,
        200,
    )
    .await;
    assert_eq!(jan["items"], json!([]));
}

#[tokio::test]
async fn the_copy_holds_the_path_and_leaves_out_what_professionals_wrote_to_each_other() {
    let app = TestApp::spawn().await;
    let p = path(&app).await;
    let sanne = person_token(BSN_SANNE);
    let copy = app.get("/v1/me/copy", &sanne).await;
    assert_eq!(copy.status(), 200);
    assert!(
        copy.headers()["content-disposition"]
            .to_str()
            .expect("header")
            .starts_with("attachment")
    );
    let copy: Value = copy.json().await.expect("json");
    let trajectory = &copy["trajectories"][0];
    assert_eq!(trajectory["trajectory"]["id"], json!(p.trajectory));
    assert_eq!(trajectory["trajectory"]["client_ref"], "sanne");
    assert_eq!(trajectory["referrals"][0]["client"]["name"], "J. Jansen");
    assert!(trajectory["team"].as_array().expect("team").len() >= 2);
    assert!(!copy.to_string().contains("test-user"), "no staff id");
    let fhir: Value = json_of(app.get("/v1/me/copy/fhir", &sanne).await, 200).await;
    let kinds: Vec<&str> = fhir["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["resource"]["resourceType"].as_str())
        .collect();
    assert_eq!(kinds, ["EpisodeOfCare", "Task"]);
    // A naaste gets no copy of the client's data.
    let empty = json_of(app.get("/v1/me/copy", &person_token(BSN_ANNA)).await, 200).await;
    assert_eq!(empty["trajectories"], json!([]));
}

#[tokio::test]
async fn naasten_see_what_their_level_allows_until_the_client_revokes() {
    let app = TestApp::spawn().await;
    let p = path(&app).await;
    let sanne = person_token(BSN_SANNE);
    let anna = person_token(BSN_ANNA);
    let invite = format!("/v1/me/trajectories/{}/naasten/invitations", p.trajectory);
    // Only a naaste taking part with consent can be invited.
    let clinician = json_of(
        app.get(
            &format!("/v1/trajectories/{}/participants", p.trajectory),
            &token(PROVIDER_A, "provider"),
        )
        .await,
        200,
    )
    .await["current"]
        .as_array()
        .expect("current team")
        .iter()
        .find(|x| x["role"] == "treating_clinician")
        .expect("clinician")["id"]
        .clone();
    let (status, body) = problem(
        app.post(
            &invite,
            &sanne,
            &json!({"participant_id": clinician, "level": "contact"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = problem(
        app.post(
            &invite,
            &sanne,
            &json!({"participant_id": p.anna, "level": "everything"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);

    let contact = json_of(
        app.post(
            &invite,
            &sanne,
            &json!({"participant_id": p.anna, "level": "contact"}),
        )
        .await,
        201,
    )
    .await;
    let link = json_of(
        app.post(
            "/v1/me/invitations/redeem",
            &anna,
            &json!({"code": contact["code"]}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(link["standing"], "naaste");
    let seen = json_of(
        app.get(&format!("/v1/me/trajectories/{}", p.trajectory), &anna)
            .await,
        200,
    )
    .await;
    assert_eq!(seen["standing"], "naaste");
    assert_eq!(seen["level"], "contact");
    assert_eq!(seen["involved"][0]["name"], "Dr. L. Peters", "who to call");
    assert_eq!(
        seen["referrals"],
        json!([]),
        "no referrals at level contact"
    );
    assert_eq!(seen["naasten"], json!([]));
    assert!(!seen.to_string().contains("woonruimte"), "no request text");
    // A naaste looks; she does not steer.
    for (method, path) in [
        (
            Method::GET,
            format!("/v1/me/trajectories/{}/consents", p.trajectory),
        ),
        (
            Method::GET,
            format!("/v1/me/trajectories/{}/naasten", p.trajectory),
        ),
        (
            Method::POST,
            format!(
                "/v1/me/trajectories/{}/consents/{}/withdraw",
                p.trajectory, p.consent
            ),
        ),
    ] {
        let mut request = app
            .request(method.clone(), &path, &anna)
            .header("If-Match", "\"1\"");
        if method == Method::POST {
            request = request.json(&json!({}));
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), 403, "{method} {path}");
    }

    // Revoked, then invited again at level follow: she sees the referrals too.
    let revoked = json_of(
        app.request(
            Method::DELETE,
            &format!(
                "/v1/me/trajectories/{}/naasten/{}",
                p.trajectory,
                link["id"].as_str().expect("id")
            ),
            &sanne,
        )
        .send()
        .await
        .expect("sent"),
        200,
    )
    .await;
    assert_eq!(revoked.as_array().expect("list").len(), 1);
    assert_eq!(
        app.get(&format!("/v1/me/trajectories/{}", p.trajectory), &anna)
            .await
            .status(),
        404
    );
    let follow = json_of(
        app.post(
            &invite,
            &sanne,
            &json!({"participant_id": p.anna, "level": "follow"}),
        )
        .await,
        201,
    )
    .await;
    json_of(
        app.post(
            "/v1/me/invitations/redeem",
            &anna,
            &json!({"code": follow["code"]}),
        )
        .await,
        201,
    )
    .await;
    let seen = json_of(
        app.get(&format!("/v1/me/trajectories/{}", p.trajectory), &anna)
            .await,
        200,
    )
    .await;
    assert_eq!(seen["level"], "follow");
    assert_eq!(seen["referrals"][0]["status"]["code"], "requested");
    assert_eq!(seen["naasten"], json!([]), "never the other naasten");
    // An open invitation and the link go at once.
    let pending = json_of(
        app.post(
            &invite,
            &sanne,
            &json!({"participant_id": p.anna, "level": "contact"}),
        )
        .await,
        201,
    )
    .await;
    json_of(
        app.request(
            Method::DELETE,
            &format!("/v1/me/trajectories/{}/naasten", p.trajectory),
            &sanne,
        )
        .send()
        .await
        .expect("sent"),
        200,
    )
    .await;
    assert_eq!(
        app.get(&format!("/v1/me/trajectories/{}", p.trajectory), &anna)
            .await
            .status(),
        404
    );
    let listed = json_of(
        app.get(
            &format!("/v1/me/trajectories/{}/naasten", p.trajectory),
            &sanne,
        )
        .await,
        200,
    )
    .await;
    assert!(
        listed["links"]
            .as_array()
            .expect("links")
            .iter()
            .all(|l| !l["revoked_at"].is_null())
    );
    let pending_now = listed["invitations"]
        .as_array()
        .expect("invitations")
        .iter()
        .find(|i| i["id"] == pending["id"])
        .expect("listed");
    assert_eq!(pending_now["status"], "revoked");
}

/// Every `/v1/me` route with a trajectory in its path, answered 404 for a trajectory the
/// person does not stand in (someone else's, a representative of someone else, an id that
/// does not exist, and not an id at all), whichever way the person signed in.
#[tokio::test]
async fn every_other_trajectory_is_not_found_for_every_person() {
    let app = TestApp::spawn().await;
    let p = path(&app).await;
    let strangers = [
        ("another client", person_token(BSN_JAN)),
        (
            "a representative of another client",
            person_token_with(BSN_KEES, |c| {
                c["represents"] = json!({"bsn": BSN_JAN, "kind": "wettelijk_vertegenwoordiger"})
            }),
        ),
        ("a naaste not invited", person_token(BSN_ANNA)),
    ];
    let t = &p.trajectory;
    let missing = uuid::Uuid::now_v7().to_string();
    for id in [t.as_str(), missing.as_str(), "not-a-uuid"] {
        let routes = [
            (Method::GET, format!("/v1/me/trajectories/{id}")),
            (Method::GET, format!("/v1/me/trajectories/{id}/consents")),
            (Method::POST, format!("/v1/me/trajectories/{id}/consents")),
            (
                Method::POST,
                format!("/v1/me/trajectories/{id}/consents/{}/withdraw", p.consent),
            ),
            (Method::GET, format!("/v1/me/trajectories/{id}/naasten")),
            (
                Method::POST,
                format!("/v1/me/trajectories/{id}/naasten/invitations"),
            ),
            (
                Method::DELETE,
                format!("/v1/me/trajectories/{id}/naasten/{missing}"),
            ),
            (Method::DELETE, format!("/v1/me/trajectories/{id}/naasten")),
        ];
        for (who, person) in &strangers {
            for (method, path) in &routes {
                let body = if path.ends_with("/consents") {
                    json!({"referral_id": p.referral})
                } else if path.ends_with("/invitations") {
                    json!({"participant_id": p.anna, "level": "follow"})
                } else {
                    json!({})
                };
                let mut request = app
                    .request(method.clone(), path, person)
                    .header("If-Match", "\"1\"");
                if *method == Method::POST {
                    request = request.json(&body);
                }
                let response = request.send().await.expect("sent");
                assert_eq!(response.status(), 404, "{who}: {method} {path}");
            }
        }
    }
    // Nothing changed: the consent holds and nobody follows.
    let consents = json_of(
        app.get(
            &format!("/v1/me/trajectories/{t}/consents"),
            &person_token(BSN_SANNE),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(consents["items"].as_array().expect("items").len(), 1);
    assert_eq!(consents["items"][0]["status"], "active");
}

/// Picks a person at the development issuer: the code its redirect carries (and the state).
async fn authorize(app: &TestApp, form: &[(&str, &str)]) -> (String, String) {
    let answer = app
        .client
        .post(app.url("/dev-issuer/authorize"))
        .form(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(answer.status(), 303);
    let location = answer.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let query: std::collections::HashMap<_, _> = reqwest::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect();
    (query["code"].clone(), query["state"].clone())
}

/// The development issuer: a real code flow with PKCE on the embedded default when no
/// person issuer is configured; off (404, and person routes 401) on PostgreSQL, and off
/// wherever an issuer is configured.
#[tokio::test]
async fn the_development_issuer_runs_pkce_only_where_no_issuer_is_configured() {
    use base64::Engine;
    use sha2::Digest;
    let configured = TestApp::spawn().await;
    assert_eq!(
        configured
            .client
            .get(configured.url("/dev-issuer/authorize"))
            .send()
            .await
            .expect("sent")
            .status(),
        404,
        "off with a configured issuer"
    );
    let app = TestApp::spawn_with(|c| {
        c.person_issuer = None;
        c.person_jwt_secret = None;
    })
    .await;
    let embedded = app.database_url().starts_with("sqlite:");
    let verifier = "a-verifier-of-at-least-forty-three-characters-0123456789";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let redirect = app.url("/mijn/");
    let form = [
        ("person", "sanne"),
        ("response_type", "code"),
        ("client_id", "herstelbrug-mijn"),
        ("redirect_uri", redirect.as_str()),
        ("state", "xyz"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    if !embedded {
        let refused = app
            .client
            .post(app.url("/dev-issuer/authorize"))
            .form(&form)
            .send()
            .await
            .expect("sent");
        assert_eq!(refused.status(), 404, "no development issuer on PostgreSQL");
        assert_eq!(
            app.get("/mijn/config", "").await.status(),
            404,
            "no sign-in configured"
        );
        let (status, _) = problem(app.get("/v1/me", &person_token(BSN_SANNE)).await).await;
        assert_eq!(status, 401);
        return;
    }
    let (code, state) = authorize(&app, &form).await;
    assert_eq!(state, "xyz");
    let exchange = |verifier: &'static str, code: String| {
        let app = &app;
        let redirect = redirect.clone();
        async move {
            app.client
                .post(app.url("/dev-issuer/token"))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", redirect.as_str()),
                    ("client_id", "herstelbrug-mijn"),
                    ("code_verifier", verifier),
                ])
                .send()
                .await
                .expect("sent")
        }
    };
    // The wrong verifier spends the code: PKCE stops a stolen code.
    assert_eq!(
        exchange("not-the-verifier", code.clone()).await.status(),
        400
    );
    assert_eq!(exchange(verifier, code).await.status(), 400, "one use");
    let (code, _) = authorize(&app, &form).await;
    let issued: Value = exchange(verifier, code).await.json().await.expect("json");
    let person = issued["access_token"].as_str().expect("token");
    let trajectory = register(&app, "dev-sanne", Some(BSN_SANNE)).await;
    let me = json_of(app.get("/v1/me", person).await, 200).await;
    assert_eq!(me["trajectories"][0]["id"], json!(trajectory));
    // The person's reading is in the client's access log, as the client.
    let log = json_of(
        app.get(
            "/v1/clients/dev-sanne/access-log",
            &token(PROVIDER_A, "provider"),
        )
        .await,
        200,
    )
    .await;
    assert!(
        log["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["event"] == "GET /v1/me"
                && e["role"] == "client"
                && e["subject"] == "dev-sanne"),
        "{log}"
    );
    // Jan signs in at DigiD Midden: the development issuer issues it, the API refuses it.
    let form_jan: Vec<(&str, &str)> = form
        .iter()
        .map(|(k, v)| (*k, if *k == "person" { "midden" } else { *v }))
        .collect();
    let (code, _) = authorize(&app, &form_jan).await;
    let issued: Value = exchange(verifier, code).await.json().await.expect("json");
    let (status, _) = problem(
        app.get("/v1/me", issued["access_token"].as_str().expect("token"))
            .await,
    )
    .await;
    assert_eq!(status, 401, "below substantial");
}

/// A real issuer signs with its own keys: person tokens verify by `kid` against the
/// person issuer's JWKS file (here an Ed25519 key), and a shared-secret token no longer
/// works once only the key set is configured.
#[tokio::test]
async fn person_tokens_verify_against_the_issuers_key_set() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let app = TestApp::spawn_with(|c| {
        c.person_jwks_file =
            Some(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jwks-test.json").into());
        c.person_jwt_secret = None;
    })
    .await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": crate::helpers::PERSON_ISSUER, "aud": crate::helpers::PERSON_AUDIENCE,
        "sub": "broker-sanne", "exp": now + 600, "iat": now,
        "acr": "http://eidas.europa.eu/LoA/high", "bsn": BSN_SANNE,
    });
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some("test-ed25519".to_owned());
    let key = EncodingKey::from_ed_pem(include_bytes!("../../fixtures/ed25519-test-private.pem"))
        .expect("key");
    let signed = encode(&header, &claims, &key).expect("signs");
    assert_eq!(app.get("/v1/me", &signed).await.status(), 200);
    let (status, _) = problem(app.get("/v1/me", &person_token(BSN_SANNE)).await).await;
    assert_eq!(
        status, 401,
        "no shared secret once the key set is configured"
    );
}
