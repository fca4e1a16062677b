//! Why the catalog refused a service or a referral to one. Nothing changes when one is returned.

use crate::kernel::org_id::OrgId;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("service: {reason}")]
    ServiceNotTakingReferral { reason: &'static str },
    #[error(
        "{organisation} is not a registered informal organisation; the operator registers it first"
    )]
    UnregisteredOwner { organisation: OrgId },
}
