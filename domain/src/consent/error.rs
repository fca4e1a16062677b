//! Why a consent was refused or could not be withdrawn. Nothing changes when one is returned.

use crate::kernel::value::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    #[error("this consent was already withdrawn")]
    ConsentAlreadyWithdrawn,
    #[error(transparent)]
    Field(#[from] FieldError),
}
