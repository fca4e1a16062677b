//! The disclosure table (`domain::disclosure`) checked on every surface at once: one
//! client whose personal fields each carry a canary value, followed through a referral's
//! stages (requested, accepted, consent withdrawn). At each stage every party reads every
//! surface that could show the client (REST views, feeds, overviews, participants,
//! meetings, FHIR, alerts) and the expectations come from the table itself: a field the
//! table withholds appears on no surface of that party, and a field it allows appears on
//! at least one (so every row is exercised and a too-generous row would show).

use herstelbrug_domain::disclosure::{Field, Party, Situation, may_see};
use herstelbrug_domain::referral::ReferralStatus;
use serde_json::{Value, json};

use crate::helpers::{
    AMSTERDAM, BSN_ANNA, BSN_JAN, BSN_SANNE, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp,
    person_token, token, token_with,
};

/// The canary of each field; a field whose canary appears in a body was disclosed.
fn canary(field: Field) -> &'static str {
    match field {
        Field::ClientName => "Canarynaam",
        Field::ClientRequest => "Canarywens",
        Field::ClientContact => "0612398745",
        Field::NaastePresence => "canaryzus",
        Field::NaasteContact => "Canaryzusnaam",
        Field::ProfessionalContact => "Canaryregie",
        Field::FreeText => "Canaryreden",
        Field::StaffId => "canary-sub-7",
        Field::TreatmentEndReason => "dropout",
        Field::GapAlert => "treatment_ended_without_followup",
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// Everything `token` can read about the client, as one text.
async fn surfaces(app: &TestApp, token: &str, trajectory: &str, referral: &str) -> String {
    let mut text = String::new();
    for path in [
        format!("/v1/referrals/{referral}"),
        format!("/v1/referrals/{referral}/overview"),
        format!("/v1/referrals/{referral}/participants"),
        format!("/v1/referrals/{referral}/warm-handoff/meetings"),
        format!("/fhir/Task/{referral}"),
        format!("/fhir/Task?_id={referral}"),
        "/v1/referrals/inbox".to_owned(),
        "/v1/referrals/outbox-feed".to_owned(),
        "/v1/alerts".to_owned(),
        "/v1/alerts/feed".to_owned(),
        format!("/v1/trajectories/{trajectory}"),
        format!("/v1/trajectories/{trajectory}/overview"),
        format!("/v1/trajectories/{trajectory}/participants"),
        // The person's own door.
        "/v1/me".to_owned(),
        format!("/v1/me/trajectories/{trajectory}"),
        format!("/v1/me/trajectories/{trajectory}/consents"),
        format!("/v1/me/trajectories/{trajectory}/naasten"),
        "/v1/me/access-log".to_owned(),
        "/v1/me/access-log/audit-events".to_owned(),
        "/v1/me/copy".to_owned(),
        "/v1/me/copy/fhir".to_owned(),
    ] {
        let response = app.get(&path, token).await;
        text.push_str(&path);
        text.push_str(": ");
        text.push_str(&response.text().await.unwrap_or_default());
        text.push('\n');
    }
    text
}

struct Reader {
    party: Party,
    name: &'static str,
    token: String,
}

#[tokio::test]
async fn every_surface_discloses_exactly_what_the_table_allows() {
    let app = TestApp::spawn().await;
    // The provider's staff member acts under a sub of its own, so it can be looked for.
    let provider = token_with(PROVIDER_A, "provider", |c| {
        c["sub"] = json!(canary(Field::StaffId))
    });
    let nijmegen = token(NIJMEGEN, "municipality");
    let registered = app
        .post(
            "/v1/trajectories",
            &provider,
            &json!({"client_ref": "canary-client", "municipality": AMSTERDAM, "started_on": "2026-01-05",
                    "bsn": BSN_SANNE}),
        )
        .await;
    assert_eq!(registered.status(), 201);
    let trajectory = id(&registered.json().await.expect("json"));
    let consent = |organisation: &'static str| {
        let app = &app;
        let provider = provider.clone();
        let trajectory = trajectory.clone();
        async move {
            let response = app
                .post(
                    &format!("/v1/trajectories/{trajectory}/consents"),
                    &provider,
                    &json!({"organisation": organisation, "purpose": "Aanmelding"}),
                )
                .await;
            assert_eq!(response.status(), 201);
            id(&response.json().await.expect("json"))
        }
    };
    let to_nijmegen = consent(NIJMEGEN).await;
    let mut naaste = String::new();
    consent(AMSTERDAM).await;
    for participant in [
        json!({"role": "treating_clinician", "name": canary(Field::ProfessionalContact),
               "organisation": PROVIDER_A, "phone": "024-5554433"}),
        json!({"role": "relative", "name": canary(Field::NaasteContact),
               "relation": canary(Field::NaastePresence), "phone": "0611122233",
               "consent": {"share_with": [NIJMEGEN]}}),
    ] {
        let joined = app
            .post(
                &format!("/v1/trajectories/{trajectory}/participants"),
                &provider,
                &participant,
            )
            .await;
        assert_eq!(joined.status(), 201);
        if participant["role"] == "relative" {
            naaste = id(&joined.json().await.expect("json"));
        }
    }
    // The client lets one person follow at level contact and another at level follow.
    let client = person_token(BSN_SANNE);
    for (level, bsn) in [("contact", BSN_ANNA), ("follow", BSN_JAN)] {
        let invited = app
            .post(
                &format!("/v1/me/trajectories/{trajectory}/naasten/invitations"),
                &client,
                &json!({"participant_id": naaste, "level": level}),
            )
            .await;
        assert_eq!(invited.status(), 201);
        let code = invited.json::<Value>().await.expect("json")["code"].clone();
        let redeemed = app
            .post(
                "/v1/me/invitations/redeem",
                &person_token(bsn),
                &json!({"code": code}),
            )
            .await;
        assert_eq!(redeemed.status(), 201);
    }
    let referred = app
        .post(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &provider,
            &json!({"kind": "housing", "recipient": NIJMEGEN,
                    "needs": format!("{} woonruimte", canary(Field::ClientRequest)),
                    "client": {"name": canary(Field::ClientName),
                               "phone": canary(Field::ClientContact)},
                    "referrer": {"name": format!("{} (verwijzer)", canary(Field::ProfessionalContact))}}),
        )
        .await;
    assert_eq!(referred.status(), 201);
    let referral = id(&referred.json().await.expect("json"));
    // Treatment ends by dropout while the referral is only requested: gap alerts, which
    // inform Amsterdam (the client's municipality, with consent).
    let ended = app
        .transition(
            &provider,
            &trajectory,
            1,
            &json!({"to": "social_support", "reason": canary(Field::TreatmentEndReason)}),
        )
        .await;
    assert_eq!(ended.status(), 200);
    let planned_at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let meeting = app
        .post(
            &format!("/v1/referrals/{referral}/warm-handoff/meetings"),
            &provider,
            &json!({"planned_at": planned_at}),
        )
        .await;
    assert_eq!(meeting.status(), 201);
    let meeting = id(&meeting.json().await.expect("json"));
    // Text one professional writes for another: why the meeting was not held.
    let not_held = app
        .post_at(
            &format!("/v1/referrals/{referral}/warm-handoff/meetings/{meeting}/outcome"),
            &provider,
            1,
            &json!({"outcome": "not_held", "reason": format!("{} ziek", canary(Field::FreeText))}),
        )
        .await;
    assert_eq!(not_held.status(), 200);

    let readers = [
        Reader {
            party: Party::TreatingProvider,
            name: "treating provider",
            token: provider.clone(),
        },
        Reader {
            party: Party::Recipient,
            name: "recipient",
            token: nijmegen.clone(),
        },
        Reader {
            party: Party::Municipality,
            name: "municipality",
            token: token(AMSTERDAM, "municipality"),
        },
        Reader {
            party: Party::Outsider,
            name: "outsider",
            token: token(PROVIDER_B, "provider"),
        },
        Reader {
            party: Party::Client,
            name: "client",
            token: person_token(BSN_SANNE),
        },
        Reader {
            party: Party::NaasteContact,
            name: "naaste at level contact",
            token: person_token(BSN_ANNA),
        },
        Reader {
            party: Party::NaasteFollow,
            name: "naaste at level follow",
            token: person_token(BSN_JAN),
        },
    ];
    let check = |stage: &'static str, status: ReferralStatus, consent_holds: bool| {
        let app = &app;
        let readers = &readers;
        let trajectory = trajectory.clone();
        let referral = referral.clone();
        async move {
            let mut wrong = Vec::new();
            for reader in readers {
                let text = surfaces(app, &reader.token, &trajectory, &referral).await;
                let situation = match reader.party {
                    Party::Recipient => Situation::referral(status, consent_holds).naaste(true),
                    Party::Municipality => Situation::trajectory(true),
                    // The people's columns hold `always` or `never`.
                    Party::TreatingProvider
                    | Party::Outsider
                    | Party::Client
                    | Party::NaasteContact
                    | Party::NaasteFollow => Situation::referral(status, consent_holds),
                };
                for field in Field::ALL {
                    let shown = text.contains(canary(*field));
                    let allowed = may_see(reader.party, *field, situation);
                    if shown && !allowed {
                        let on: Vec<&str> = text
                            .lines()
                            .filter(|l| l.contains(canary(*field)))
                            .filter_map(|l| l.split(": ").next())
                            .collect();
                        wrong.push(format!(
                            "{stage}: the {} sees {field}, which the table withholds, on {on:?}",
                            reader.name
                        ));
                    }
                    // Where the table allows it, some surface shows it (the field exists
                    // on a surface of that party at this stage).
                    if allowed && !shown {
                        wrong.push(format!("{stage}: the {} never sees {field}", reader.name));
                    }
                }
            }
            wrong
        }
    };
    let mut wrong = check("requested", ReferralStatus::Requested, true).await;
    assert_eq!(
        app.act(&nijmegen, &referral, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let start = chrono::Utc::now().date_naive() + chrono::Days::new(7);
    assert_eq!(
        app.act(
            &nijmegen,
            &referral,
            "accept",
            2,
            Some(json!({"planned_start_on": start}))
        )
        .await
        .status(),
        200
    );
    wrong.extend(check("accepted", ReferralStatus::Accepted, true).await);
    app.withdraw(&provider, &trajectory, &to_nijmegen).await;
    wrong.extend(check("consent withdrawn", ReferralStatus::Cancelled, false).await);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
