//! Why the team or a handoff meeting refused a change. Nothing changes when one is returned.

use crate::kernel::value::FieldError;
use crate::team::status::MeetingStatus;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    #[error("the meeting is {status} already; plan a new one")]
    MeetingClosed { status: MeetingStatus },
    #[error(transparent)]
    Field(#[from] FieldError),
}
