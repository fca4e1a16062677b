//! Search parameters: each resource declares the ones it serves (the same table feeds
//! the `CapabilityStatement`), and a request naming any other is refused (strict
//! handling: a misspelt filter must not silently widen the result).

use actix_web::HttpRequest;
use herstelbrug_domain::fhir::{LastUpdated, UpdatedWindow};
use herstelbrug_domain::{Identifier, OrgId};
use uuid::Uuid;

use super::outcome::{FhirError, invalid};

/// A search parameter a resource serves.
#[derive(Debug, Clone, Copy)]
pub struct SearchParam {
    pub name: &'static str,
    /// FHIR search parameter type: `token`, `reference` or `date`.
    pub kind: &'static str,
    pub documentation: &'static str,
}

/// The parameters every search takes besides its own.
pub const COMMON: [SearchParam; 5] = [
    SearchParam {
        name: "_id",
        kind: "token",
        documentation: "Logical ids, comma-separated (any of them).",
    },
    SearchParam {
        name: "identifier",
        kind: "token",
        documentation: "system|value of an identifier the caller's organisation gave the resource.",
    },
    SearchParam {
        name: "_lastUpdated",
        kind: "date",
        documentation: "When the resource last changed: a date or instant with eq, gt, ge, lt or le (UTC); repeat to give a range.",
    },
    SearchParam {
        name: "_count",
        kind: "number",
        documentation: "Entries per page, 1 to 100 (default 20).",
    },
    SearchParam {
        name: "_cursor",
        kind: "token",
        documentation: "Where a page starts: follow Bundle.link next rather than setting it.",
    },
];

const DEFAULT_COUNT: u64 = 20;
const MAX_COUNT: u64 = 100;
const MAX_IDS: usize = 100;

/// A search request's parameters, checked against what the resource serves.
#[derive(Debug)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// The query of `req`; a parameter not in `COMMON` or `own` is refused.
    pub fn parse(req: &HttpRequest, own: &[SearchParam]) -> Result<Self, FhirError> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        for (name, _) in &pairs {
            // A reference parameter also takes FHIR's `:identifier` modifier.
            let known = COMMON.iter().chain(own).any(|p| {
                p.name == name
                    || (p.kind == "reference" && name.strip_suffix(":identifier") == Some(p.name))
            });
            if !known {
                let served: Vec<&str> = COMMON.iter().chain(own).map(|p| p.name).collect();
                return Err(invalid(format!(
                    "search parameter `{}` is not supported here; supported: {}",
                    name.chars().take(64).collect::<String>(),
                    served.join(", ")
                )));
            }
        }
        Ok(Self { pairs })
    }

    /// The one value of `name`; given twice is refused (only `_lastUpdated` repeats).
    pub fn one(&self, name: &str) -> Result<Option<&str>, FhirError> {
        let mut values = self.pairs.iter().filter(|(k, _)| k == name);
        let first = values.next().map(|(_, v)| v.as_str());
        if values.next().is_some() {
            return Err(invalid(format!(
                "search parameter `{name}` is given more than once"
            )));
        }
        if first.is_some_and(str::is_empty) {
            return Err(invalid(format!("search parameter `{name}` is empty")));
        }
        Ok(first)
    }

    /// The comma-separated values of `name`, any of which may match.
    pub fn any_of(&self, name: &str) -> Result<Option<Vec<&str>>, FhirError> {
        Ok(self
            .one(name)?
            .map(|v| v.split(',').map(str::trim).collect()))
    }

    /// A reference parameter naming an organisation: `name` with our id
    /// (`gemeente:0268`) or `name:identifier` with `system|value`, not both.
    pub fn organisation(&self, name: &str) -> Result<Option<OrgId>, FhirError> {
        let plain = self.one(name)?;
        let by_identifier = self.one(&format!("{name}:identifier"))?;
        match (plain, by_identifier) {
            (Some(_), Some(_)) => Err(invalid(format!(
                "give {name} or {name}:identifier, not both"
            ))),
            (Some(v), None) => super::reference::parse_organisation(name, v, false).map(Some),
            (None, Some(v)) => super::reference::parse_organisation(name, v, true).map(Some),
            (None, None) => Ok(None),
        }
    }

    /// `_id`: logical ids.
    pub fn ids(&self) -> Result<Option<Vec<Uuid>>, FhirError> {
        let Some(values) = self.any_of("_id")? else {
            return Ok(None);
        };
        if values.len() > MAX_IDS {
            return Err(invalid(format!("_id: at most {MAX_IDS} ids")));
        }
        values
            .into_iter()
            .map(|v| {
                v.parse::<Uuid>().map_err(|_| {
                    invalid(format!(
                        "_id: `{}` is not an id of ours (a UUID)",
                        v.chars().take(64).collect::<String>()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// `identifier`: `system|value`.
    pub fn identifier(&self) -> Result<Option<Identifier>, FhirError> {
        let Some(token) = self.one("identifier")? else {
            return Ok(None);
        };
        let (system, value) = token
            .split_once('|')
            .ok_or_else(|| invalid("identifier: expected system|value"))?;
        Identifier::parse(system, value)
            .map(Some)
            .map_err(|e| invalid(format!("identifier: {e}")))
    }

    /// Every `_lastUpdated`, ANDed.
    pub fn updated(&self) -> Result<UpdatedWindow, FhirError> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == "_lastUpdated")
            .try_fold(UpdatedWindow::default(), |window, (_, v)| {
                LastUpdated::parse(v)
                    .map(|l| window.and(l.window()))
                    .map_err(|e| invalid(e.to_string()))
            })
    }

    /// `_count`.
    pub fn count(&self) -> Result<u64, FhirError> {
        match self.one("_count")? {
            None => Ok(DEFAULT_COUNT),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX_COUNT).contains(n))
                .ok_or_else(|| {
                    invalid(format!(
                        "_count: must be a whole number from 1 to {MAX_COUNT}"
                    ))
                }),
        }
    }

    /// `_cursor`: the id the previous page ended with.
    pub fn cursor(&self) -> Result<Option<Uuid>, FhirError> {
        self.one("_cursor")?
            .map(|v| {
                v.parse::<Uuid>()
                    .map_err(|_| invalid("_cursor: not a cursor this server gave"))
            })
            .transpose()
    }

    /// The parameters again with `_cursor` set to `next`: the next page's query.
    pub fn next_query(&self, next: Uuid) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs.iter().filter(|(k, _)| k != "_cursor") {
            query.append_pair(k, v);
        }
        query.append_pair("_cursor", &next.to_string());
        query.finish()
    }
}

/// Parses each of `values` as a FHIR code with `parse`, naming `name` when one is not.
pub fn codes<T>(
    name: &str,
    values: &[&str],
    parse: impl Fn(&str) -> Result<T, herstelbrug_domain::UnknownValue>,
) -> Result<Vec<T>, FhirError> {
    values
        .iter()
        .map(|v| parse(v).map_err(|e| invalid(format!("{name}: {e}"))))
        .collect()
}
