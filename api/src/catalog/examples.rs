//! Examples of the catalog's bodies for the OpenAPI document, taken from a real exchange
//! (a Den Bosch housing service after a capacity post and seven answered referrals).

use serde_json::{Value, json};

const SERVICE_ID: &str = "01a2348e-9e71-7400-9a15-a34ea24318ed";

fn measured(median: f64, p80: f64, measured: u32, within: f64) -> Value {
    json!({"insufficient_data": false, "median_days": median, "p80_days": p80,
           "measured": measured, "within_norm": within, "median_breaks_norm": false})
}

fn withheld() -> Value {
    json!({"insufficient_data": true, "median_days": null, "p80_days": null,
           "measured": null, "within_norm": null, "median_breaks_norm": null})
}

pub fn request() -> Value {
    json!({
        "name": "Begeleid wonen na opname",
        "description": "Kamers met ambulante begeleiding",
        "kind": "housing",
        "serves": ["gemeente:0796"],
        "eligibility": {"description": "Volwassenen na klinische behandeling",
                        "minimum_age": 18, "needs_wmo_decision": true},
        "how_to_apply": "Via het wijkteam of de verwijzer",
        "public_phone": "073-1234567",
        "languages": ["nl", "en"],
        "stated_wait_days": 30
    })
}

pub fn capacity() -> Value {
    json!({"unit": "places", "available": 2, "maximum": 12, "stated_wait_days": 21})
}

pub fn view() -> Value {
    json!({
        "id": SERVICE_ID,
        "owner": "gemeente:0796",
        "name": "Begeleid wonen na opname",
        "description": "Kamers met ambulante begeleiding",
        "kind": "housing",
        "status": "active",
        "serves": ["gemeente:0796"],
        "eligibility": {"description": "Volwassenen na klinische behandeling",
                        "minimum_age": 18, "maximum_age": null, "needs_wmo_decision": true},
        "how_to_apply": "Via het wijkteam of de verwijzer",
        "public_phone": "073-1234567",
        "public_email": null,
        "website": null,
        "languages": ["en", "nl"],
        "assured_on": "2026-12-02",
        "stated_wait_days": 21,
        "capacity": {"availability": "yes", "unit": "places", "available": 2, "maximum": 12,
                     "updated_at": "2026-12-02T02:21:31.798833Z"},
        "waiting": {
            "to_acceptance": measured(10.0, 12.8, 7, 1.0),
            "to_start": measured(7.0, 9.0, 5, 1.0),
            "total": withheld()
        },
        "version": 1,
        "created_at": "2026-10-01T08:30:00Z",
        "updated_at": "2026-12-02T02:21:31.798833Z"
    })
}

pub fn list() -> Value {
    json!({"form": "full", "items": [view()], "next_cursor": null})
}

pub fn minimal_list() -> Value {
    json!({"form": "minimal",
           "items": [{"id": SERVICE_ID, "modified": "2026-12-02T02:21:31.798833Z"}],
           "next_cursor": null})
}

pub fn history() -> Value {
    json!({"items": [
        {"sequence": 1, "change": "created", "detail": {"name": "Begeleid wonen na opname"},
         "subject": "wmo-koppeling", "org": "gemeente:0796",
         "recorded_at": "2026-10-01T08:30:00Z"},
        {"sequence": 2, "change": "capacity",
         "detail": {"availability": "yes", "stated_wait_days": 21},
         "subject": "wmo-koppeling", "org": "gemeente:0796",
         "recorded_at": "2026-12-02T02:21:31.798833Z"}
    ]})
}

pub fn feed() -> Value {
    json!({"items": [{"id": "ZjE6MDox", "change": "service_created",
                      "recorded_at": "2026-10-01T08:30:00Z", "service": view()}],
           "next_cursor": "ZjE6MDox"})
}
