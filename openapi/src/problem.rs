//! The RFC 9457 problem-details body every error response carries.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// An RFC 9457 problem: `type` is a stable URI per kind of error, safe to switch on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "https://herstelbrug.nl/problems/illegal-transition",
    "title": "Transition not allowed",
    "status": 409,
    "detail": "a trajectory cannot move from `closed` to `treatment`; allowed from `closed`: none (the trajectory is closed)",
    "allowed": []
}))]
pub struct Problem {
    /// A URI identifying the kind of problem; stable across releases.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// For refused transitions: the phases the trajectory may move to now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The request id, to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}
