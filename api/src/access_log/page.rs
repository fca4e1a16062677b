//! Paging through the access log, newest first: a page size and the cursor the previous
//! page returned. Shared by the client's report, the organisation's own log and the
//! person's own report.

use herstelbrug_persistence::AccessEntry;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// The page size when none is asked for.
pub const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 500;

/// A page of the log, newest first.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogPage {
    /// The `next_before` of the previous page; absent for the newest entries.
    #[param(minimum = 1)]
    pub before: Option<i64>,
    /// Page size, 1 to 500 [default: 100].
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

impl LogPage {
    /// The size and cursor to ask the store for: one more than the page, to learn whether
    /// another page follows.
    pub fn query(&self) -> Result<(u64, Option<i64>), ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::Validation(
                "`limit`: expected 1 to 500".to_owned(),
            ));
        }
        if self.before.is_some_and(|b| b < 1) {
            return Err(ApiError::Validation(
                "`before`: expected the `next_before` of a page, 1 or more".to_owned(),
            ));
        }
        Ok((limit + 1, self.before))
    }

    /// The page size asked for.
    pub fn size(&self) -> u64 {
        self.limit.unwrap_or(DEFAULT_LIMIT)
    }

    /// The page out of what `query` found, and the cursor of the next page if any.
    pub fn cut(&self, mut found: Vec<AccessEntry>) -> (Vec<AccessEntry>, Option<i64>) {
        let limit = usize::try_from(self.size()).unwrap_or(usize::MAX);
        let more = found.len() > limit;
        found.truncate(limit);
        let next = more.then(|| found.last().map(|e| e.id)).flatten();
        (found, next)
    }
}
