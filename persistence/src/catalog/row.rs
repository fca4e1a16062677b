//! Conversions between catalog rows and the domain's services.

use herstelbrug_domain::catalog::{
    Availability, Capacity, CapacityUnit, Eligibility, Language, Service, ServiceDetails,
    ServiceStatus,
};
use herstelbrug_domain::{BoundedText, GemeenteCode, ReferralKind, ServiceId};
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};

use crate::entity::service;
use crate::error::StoreError;
use crate::trajectory::row::stored_version;

fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {e}"))
}

/// The owner's record as kept in `services.details`.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    description: Option<String>,
    serves: Vec<String>,
    eligibility_description: Option<String>,
    needs_wmo_decision: bool,
    how_to_apply: Option<String>,
    public_phone: Option<String>,
    public_email: Option<String>,
    website: Option<String>,
    languages: Vec<String>,
    assured_on: Option<chrono::NaiveDate>,
}

fn owned(text: &Option<BoundedText>) -> Option<String> {
    text.as_ref().map(|t| t.as_str().to_owned())
}

fn text(column: &'static str, value: Option<String>) -> Result<Option<BoundedText>, StoreError> {
    value
        .map(|v| BoundedText::parse(column, &v, usize::MAX).map_err(|e| corrupt(column, e)))
        .transpose()
}

fn age(value: Option<u8>) -> Option<i32> {
    value.map(i32::from)
}

pub(crate) fn details_json(d: &ServiceDetails) -> Result<String, StoreError> {
    let stored = Stored {
        description: owned(&d.description),
        serves: d.serves.iter().map(|g| g.digits().to_owned()).collect(),
        eligibility_description: owned(&d.eligibility.description),
        needs_wmo_decision: d.eligibility.needs_wmo_decision,
        how_to_apply: owned(&d.how_to_apply),
        public_phone: owned(&d.public_phone),
        public_email: owned(&d.public_email),
        website: owned(&d.website),
        languages: d.languages.iter().map(|l| l.as_str().to_owned()).collect(),
        assured_on: d.assured_on,
    };
    serde_json::to_string(&stored).map_err(|e| corrupt("details", e))
}

/// The columns a change of details writes (not the capacity, not the identity).
pub(crate) fn details_columns(
    d: &ServiceDetails,
    row: &mut service::ActiveModel,
) -> Result<(), StoreError> {
    row.kind = Set(d.kind.as_str().to_owned());
    row.status = Set(d.status.as_str().to_owned());
    row.name = Set(d.name.as_str().to_owned());
    row.details = Set(details_json(d)?);
    row.minimum_age = Set(age(d.eligibility.minimum_age));
    row.maximum_age = Set(age(d.eligibility.maximum_age));
    row.stated_wait_days = Set(d.stated_wait_days.and_then(|d| i32::try_from(d).ok()));
    Ok(())
}

/// The capacity columns (all empty for "not stated").
pub(crate) fn capacity_columns(capacity: Option<&Capacity>, row: &mut service::ActiveModel) {
    let (unit, available, maximum, updated_at) = match capacity {
        Some(Capacity::Counted {
            unit,
            available,
            maximum,
            updated_at,
        }) => (
            Some(unit.as_str().to_owned()),
            i32::try_from(*available).ok(),
            i32::try_from(*maximum).ok(),
            Some(*updated_at),
        ),
        Some(Capacity::Answer { updated_at, .. }) => (None, None, None, Some(*updated_at)),
        None => (None, None, None, None),
    };
    row.capacity_unit = Set(unit);
    row.capacity_available = Set(available);
    row.capacity_maximum = Set(maximum);
    row.availability = Set(capacity.map(|c| c.availability().as_str().to_owned()));
    row.capacity_updated_at = Set(updated_at);
}

pub(crate) fn service_to_row(s: &Service) -> Result<service::ActiveModel, StoreError> {
    let mut row = service::ActiveModel {
        id: Set(s.id.as_uuid()),
        owner: Set(s.owner.to_string()),
        version: Set(stored_version(s.version)),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
        ..Default::default()
    };
    details_columns(&s.details, &mut row)?;
    capacity_columns(s.capacity.as_ref(), &mut row);
    Ok(row)
}

fn parse<T: std::str::FromStr>(column: &str, text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| corrupt(column, e))
}

fn capacity_of(row: &service::Model) -> Result<Option<Capacity>, StoreError> {
    let Some(updated_at) = row.capacity_updated_at else {
        return Ok(None);
    };
    match (
        &row.capacity_unit,
        row.capacity_available,
        row.capacity_maximum,
    ) {
        (Some(unit), Some(available), Some(maximum)) => Capacity::counted(
            parse::<CapacityUnit>("capacity_unit", unit)?,
            u32::try_from(available).map_err(|e| corrupt("capacity_available", e))?,
            u32::try_from(maximum).map_err(|e| corrupt("capacity_maximum", e))?,
            updated_at,
        )
        .map(Some)
        .map_err(|e| corrupt("capacity", e)),
        _ => {
            let availability = row
                .availability
                .as_deref()
                .map(|a| parse::<Availability>("availability", a))
                .transpose()?
                .ok_or_else(|| corrupt("availability", "missing"))?;
            Ok(Some(Capacity::Answer {
                availability,
                updated_at,
            }))
        }
    }
}

pub(crate) fn service_from_row(row: service::Model) -> Result<Service, StoreError> {
    let stored: Stored = serde_json::from_str(&row.details).map_err(|e| corrupt("details", e))?;
    let serves = stored
        .serves
        .iter()
        .map(|g| GemeenteCode::parse(g).map_err(|e| corrupt("serves", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let languages = stored
        .languages
        .iter()
        .map(|l| Language::parse(l).map_err(|e| corrupt("languages", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let to_age = |value: Option<i32>| value.and_then(|a| u8::try_from(a).ok());
    let eligibility = Eligibility::new(
        text("eligibility", stored.eligibility_description)?,
        to_age(row.minimum_age),
        to_age(row.maximum_age),
        stored.needs_wmo_decision,
    )
    .map_err(|e| corrupt("eligibility", e))?;
    let capacity = capacity_of(&row)?;
    Ok(Service {
        id: ServiceId::from_uuid(row.id),
        owner: parse("owner", &row.owner)?,
        details: ServiceDetails {
            name: text("name", Some(row.name))?.ok_or_else(|| corrupt("name", "empty"))?,
            description: text("description", stored.description)?,
            kind: parse::<ReferralKind>("kind", &row.kind)?,
            status: parse::<ServiceStatus>("status", &row.status)?,
            serves,
            eligibility,
            how_to_apply: text("how_to_apply", stored.how_to_apply)?,
            public_phone: text("public_phone", stored.public_phone)?,
            public_email: text("public_email", stored.public_email)?,
            website: text("website", stored.website)?,
            languages,
            assured_on: stored.assured_on,
            stated_wait_days: row.stated_wait_days.and_then(|d| u32::try_from(d).ok()),
        },
        capacity,
        version: u32::try_from(row.version).map_err(|e| corrupt("version", e))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
