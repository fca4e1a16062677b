//! Why an alert refused to be acknowledged or resolved. Nothing changes when one is returned.

use crate::continuity::status::AlertStatus;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertError {
    #[error("the alert is already {0}")]
    AlertAlready(AlertStatus),
}
