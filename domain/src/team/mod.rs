//! The people around a client: the professionals and naasten (relatives, close ones)
//! taking part in a trajectory, who may see whom, and the warm handoff (warme overdracht)
//! that introduces the client to the next professional before treatment ends.

pub mod error;
pub mod handoff;
pub mod participant;
pub mod status;

pub use handoff::{HandoffOutcome, Meeting};
pub use participant::{
    Involvement, NewParticipant, Participant, ParticipantRole, Seen, SeenParticipant,
};
pub use status::MeetingStatus;

#[cfg(test)]
mod tests;
