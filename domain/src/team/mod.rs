//! The people around a client: the professionals and naasten (relatives, close ones)
//! taking part in a trajectory, who may see whom, and the warm handoff (warme overdracht)
//! that introduces the client to the next professional before treatment ends.

pub mod handoff;
pub mod participant;

pub use handoff::{HandoffOutcome, Meeting, MeetingStatus};
pub use participant::{
    Involvement, NewParticipant, Participant, ParticipantRole, Seen, SeenParticipant,
};

#[cfg(test)]
mod tests;
