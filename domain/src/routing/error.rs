//! Why an offer to several candidates was refused. Nothing changes when one is returned.

use crate::kernel::org_id::OrgId;
use crate::routing::status::OfferStatus;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfferError {
    #[error("`candidates`: an offer goes to 2 to 5 candidates, not {got}")]
    CandidateCount { got: usize },
    #[error("`candidates`: {organisation} is named twice")]
    CandidateTwice { organisation: OrgId },
    #[error("the offer is {status}: another candidate was selected, or nobody accepted in time")]
    OfferClosed { status: OfferStatus },
}
