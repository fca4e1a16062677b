//! Open Referral HSDS 3 JSON for the catalog: `herstelbrug catalog export` writes it and
//! `herstelbrug catalog import` reads it. A document is `{"services": [service, ...]}`;
//! each service uses HSDS 3's own field names (name, description, url, email, status,
//! application_process, eligibility_description, minimum_age, maximum_age, assured_date,
//! phones, service_areas, languages, capacities, attributes). What HSDS has no field for is
//! an attribute in a taxonomy of ours: the kind (`herstelbrug:referral-kind`) and whether a
//! Wmo decision is needed (`herstelbrug:needs-wmo-decision`). Service areas are named by
//! their gemeentecode (`gemeente:0796`).

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::catalog::{Capacity, Service};
use serde::{Deserialize, Serialize};

use crate::catalog::dto::{EligibilityDto, ServiceRequest};

pub const KIND_TAXONOMY: &str = "herstelbrug:referral-kind";
pub const WMO_TAXONOMY: &str = "herstelbrug:needs-wmo-decision";

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub services: Vec<HsdsService>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Phone {
    pub number: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ServiceArea {
    /// The gemeentecode, `gemeente:NNNN`.
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct HsdsLanguage {
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Unit {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HsdsCapacity {
    pub unit: Unit,
    pub available: u32,
    pub maximum: Option<u32>,
    pub updated: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaxonomyTerm {
    pub code: String,
    pub taxonomy: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attribute {
    pub taxonomy_term: TaxonomyTerm,
}

/// One HSDS 3 service, as far as Herstelbrug keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HsdsService {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<uuid::Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// `active`, `inactive`, `defunct` or `temporarily closed`.
    pub status: String,
    #[serde(default)]
    pub application_process: Option<String>,
    #[serde(default)]
    pub eligibility_description: Option<String>,
    #[serde(default)]
    pub minimum_age: Option<u8>,
    #[serde(default)]
    pub maximum_age: Option<u8>,
    #[serde(default)]
    pub assured_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<DateTime<Utc>>,
    #[serde(default)]
    pub phones: Vec<Phone>,
    #[serde(default)]
    pub service_areas: Vec<ServiceArea>,
    #[serde(default)]
    pub languages: Vec<HsdsLanguage>,
    #[serde(default)]
    pub capacities: Vec<HsdsCapacity>,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
}

fn hsds_status(ours: &str) -> &str {
    match ours {
        "temporarily_closed" => "temporarily closed",
        other => other,
    }
}

impl HsdsService {
    /// The service as an owner's request, or why not (`field: rule`).
    pub fn to_request(&self) -> Result<ServiceRequest, String> {
        let term = |taxonomy: &str| {
            self.attributes
                .iter()
                .find(|a| a.taxonomy_term.taxonomy == taxonomy)
                .map(|a| a.taxonomy_term.code.clone())
        };
        let kind = term(KIND_TAXONOMY)
            .ok_or_else(|| format!("attributes: no taxonomy_term of taxonomy {KIND_TAXONOMY}"))?
            .parse()
            .map_err(|e| format!("attributes.{KIND_TAXONOMY}: {e}"))?;
        let status = match self.status.as_str() {
            "temporarily closed" => "temporarily_closed".to_owned(),
            other => other.to_owned(),
        };
        Ok(ServiceRequest {
            name: self.name.clone(),
            description: self.description.clone(),
            kind,
            status: Some(status),
            serves: self.service_areas.iter().map(|a| a.name.clone()).collect(),
            eligibility: EligibilityDto {
                description: self.eligibility_description.clone(),
                minimum_age: self.minimum_age,
                maximum_age: self.maximum_age,
                needs_wmo_decision: term(WMO_TAXONOMY).is_some_and(|c| c == "true"),
            },
            how_to_apply: self.application_process.clone(),
            public_phone: self.phones.first().map(|p| p.number.clone()),
            public_email: self.email.clone(),
            website: self.url.clone(),
            languages: self.languages.iter().map(|l| l.code.clone()).collect(),
            assured_on: self.assured_date,
            stated_wait_days: None,
            identifiers: None,
        })
    }

    /// A stored service in HSDS 3 shape.
    pub fn from_service(s: &Service) -> Self {
        let d = &s.details;
        let text =
            |t: &Option<herstelbrug_domain::BoundedText>| t.as_ref().map(|t| t.as_str().to_owned());
        let mut attributes = vec![Attribute {
            taxonomy_term: TaxonomyTerm {
                code: d.kind.as_str().to_owned(),
                taxonomy: KIND_TAXONOMY.to_owned(),
            },
        }];
        if d.eligibility.needs_wmo_decision {
            attributes.push(Attribute {
                taxonomy_term: TaxonomyTerm {
                    code: "true".to_owned(),
                    taxonomy: WMO_TAXONOMY.to_owned(),
                },
            });
        }
        let capacities = match s.capacity {
            Some(Capacity::Counted {
                unit,
                available,
                maximum,
                updated_at,
            }) => vec![HsdsCapacity {
                unit: Unit {
                    name: unit.as_str().to_owned(),
                },
                available,
                maximum: Some(maximum),
                updated: updated_at,
            }],
            _ => Vec::new(),
        };
        Self {
            id: Some(s.id.as_uuid()),
            organization_id: Some(s.owner.to_string()),
            name: d.name.as_str().to_owned(),
            description: text(&d.description),
            url: text(&d.website),
            email: text(&d.public_email),
            status: hsds_status(d.status.as_str()).to_owned(),
            application_process: text(&d.how_to_apply),
            eligibility_description: text(&d.eligibility.description),
            minimum_age: d.eligibility.minimum_age,
            maximum_age: d.eligibility.maximum_age,
            assured_date: d.assured_on,
            last_modified: Some(s.updated_at),
            phones: text(&d.public_phone)
                .map(|number| vec![Phone { number }])
                .unwrap_or_default(),
            service_areas: d
                .serves
                .iter()
                .map(|g| ServiceArea {
                    name: g.to_string(),
                })
                .collect(),
            languages: d
                .languages
                .iter()
                .map(|l| HsdsLanguage {
                    code: l.as_str().to_owned(),
                })
                .collect(),
            capacities,
            attributes,
        }
    }
}
