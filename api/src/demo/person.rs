//! The demo's one client with a BSN: Sanne de Vries (fictional, test BSN), whom the person
//! door's development sign-in offers, with her sister Anna as a naaste, a clinician, and
//! housing support asked of Nijmegen, so `/mijn/` shows a path from the first sign-in.

use chrono::NaiveDate;
use serde_json::json;

use super::Driver;
use crate::person::dev_issuer::DEV_PEOPLE;

const PROVIDER: &str = "agb:06120001";
const NIJMEGEN: &str = "gemeente:0268";

pub(super) async fn sanne(
    driver: &mut Driver,
    housing_service: Option<&String>,
    today: NaiveDate,
) -> Result<(), String> {
    let bsn = DEV_PEOPLE
        .iter()
        .find(|p| p.key == "sanne")
        .map(|p| p.bsn)
        .ok_or("the development issuer lost Sanne")?;
    let started = today - chrono::Duration::days(80);
    let registered = driver
        .send(
            PROVIDER,
            "provider",
            "/v1/trajectories",
            None,
            json!({"client_ref": "demo-sanne", "municipality": NIJMEGEN,
                   "started_on": started.to_string(), "bsn": bsn}),
            201,
        )
        .await?;
    let id = super::id(&registered);
    let base = format!("/v1/trajectories/{id}");
    driver
        .send(
            PROVIDER,
            "provider",
            &format!("{base}/consents"),
            None,
            json!({"organisation": NIJMEGEN, "purpose": "Aanmelding hulp bij wonen"}),
            201,
        )
        .await?;
    for participant in [
        json!({"role": "treating_clinician", "name": "Dr. L. Peters (fictief)",
               "organisation": PROVIDER, "phone": "024-7654321"}),
        json!({"role": "relative", "name": "Anna de Vries (fictief)", "relation": "zus",
               "phone": "06-11122233", "consent": {"share_with": []}}),
    ] {
        driver
            .send(
                PROVIDER,
                "provider",
                &format!("{base}/participants"),
                None,
                participant,
                201,
            )
            .await?;
    }
    let mut referral = json!({"kind": "housing", "recipient": NIJMEGEN,
        "needs": "Een eigen kamer met begeleiding na de behandeling",
        "requested_start_on": (today + chrono::Duration::days(30)).to_string(),
        "client": {"name": "Sanne de Vries (fictief)", "phone": "06-99887766"}});
    if let Some(service) = housing_service {
        referral["service"] = json!(service);
    }
    driver
        .send(
            PROVIDER,
            "provider",
            &format!("{base}/referrals"),
            None,
            referral,
            201,
        )
        .await?;
    driver
        .send(
            PROVIDER,
            "provider",
            &format!("{base}/transitions"),
            Some(1),
            json!({"to": "transition",
                   "planned_end_on": (today + chrono::Duration::days(21)).to_string()}),
            200,
        )
        .await?;
    Ok(())
}
