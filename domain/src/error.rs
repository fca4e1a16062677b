//! Every refusal of the domain in one type, for layers that pass any of them on. Each
//! capability defines its own error; this enum only gathers them, so it names no rule.

use crate::catalog::error::CatalogError;
use crate::consent::error::ConsentError;
use crate::continuity::error::AlertError;
use crate::kernel::value::FieldError;
use crate::person::error::PersonError;
use crate::referral::error::ReferralError;
use crate::routing::error::OfferError;
use crate::team::error::TeamError;
use crate::trajectory::error::TrajectoryError;

/// Why the domain refused a command. Nothing changes when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Trajectory(#[from] TrajectoryError),
    #[error(transparent)]
    Referral(#[from] ReferralError),
    #[error(transparent)]
    Consent(#[from] ConsentError),
    #[error(transparent)]
    Alert(#[from] AlertError),
    #[error(transparent)]
    Offer(#[from] OfferError),
    #[error(transparent)]
    Team(#[from] TeamError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Person(#[from] PersonError),
}
