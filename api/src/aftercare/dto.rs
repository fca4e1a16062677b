//! Bodies of the outcome checks after closure.

use chrono::NaiveDate;
use herstelbrug_domain::aftercare::CheckOutcome;
use herstelbrug_persistence::OwedCheck;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{date, number, schema};

/// Records how the client is doing at one check.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"after_days": 30, "outcome": "support_continuing"}))]
pub struct RecordCheckRequest {
    /// Which check: the days after closure it falls due (30 or 90 by default).
    #[serde(deserialize_with = "number::u32")]
    #[schema(minimum = 1, maximum = 3650)]
    pub after_days: u32,
    #[schema(schema_with = schema::check_outcome)]
    pub outcome: CheckOutcome,
    /// When the check was done [default: today].
    #[serde(default, deserialize_with = "date::optional")]
    pub checked_on: Option<NaiveDate>,
}

/// One check a trajectory owes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckView {
    pub after_days: u32,
    pub due_on: NaiveDate,
    #[schema(schema_with = schema::check_outcome_or_null)]
    pub outcome: Option<CheckOutcome>,
    pub checked_on: Option<NaiveDate>,
}

impl From<&OwedCheck> for CheckView {
    fn from(c: &OwedCheck) -> Self {
        Self {
            after_days: c.after_days,
            due_on: c.due_on,
            outcome: c.recorded.as_ref().map(|r| r.outcome),
            checked_on: c.recorded.as_ref().map(|r| r.checked_on),
        }
    }
}

/// The checks a trajectory owes (none unless it closed with follow-up in place).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckList {
    pub items: Vec<CheckView>,
}
