//! Numbered notifications: how a subscription's deliveries stand, and the range of event
//! numbers a receiver asks for to catch up after a gap.

pub mod webhook;

use crate::kernel::value::InvalidValue;

string_enum! {
    /// How deliveries to a subscription stand, worst first.
    pub enum DeliveryState ("delivery state") {
        /// The receiver answered 410 Gone: nothing more is sent.
        Disabled => "disabled",
        /// A message failed and waits for its next attempt.
        Retrying => "retrying",
        /// Messages ran out of attempts and wait for a replay.
        DeadLetters => "dead_letters",
        /// Everything sent arrived, or waits for its first attempt.
        Ok => "ok",
    }
}

/// What the state is made of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub disabled: bool,
    /// Pending messages that failed at least once.
    pub failing: u64,
    pub dead: u64,
}

/// The state of a subscription's deliveries: the worst that holds.
pub const fn delivery_state(counts: DeliveryCounts) -> DeliveryState {
    match counts {
        DeliveryCounts { disabled: true, .. } => DeliveryState::Disabled,
        // Dead letters are lost until replayed: worse than a message still being retried.
        DeliveryCounts { dead: 1.., .. } => DeliveryState::DeadLetters,
        DeliveryCounts { failing: 1.., .. } => DeliveryState::Retrying,
        DeliveryCounts { .. } => DeliveryState::Ok,
    }
}

/// Event numbers after `since` up to `until` (inclusive; open when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRange {
    pub since: u64,
    pub until: Option<u64>,
}

impl EventRange {
    pub fn new(since: u64, until: Option<u64>) -> Result<Self, InvalidValue> {
        if until.is_some_and(|until| until <= since) {
            return Err(InvalidValue {
                what: "until",
                rule: "must be greater than `since`",
            });
        }
        Ok(Self { since, until })
    }

    /// The first number the range asks for.
    pub const fn first(self) -> u64 {
        self.since.saturating_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_state_wins() {
        let all = DeliveryCounts {
            disabled: true,
            failing: 2,
            dead: 3,
        };
        assert_eq!(delivery_state(all), DeliveryState::Disabled);
        let both = DeliveryCounts {
            disabled: false,
            ..all
        };
        assert_eq!(
            delivery_state(both),
            DeliveryState::DeadLetters,
            "dead letters while others are retried"
        );
        let failing = DeliveryCounts { dead: 0, ..both };
        assert_eq!(delivery_state(failing), DeliveryState::Retrying);
        let dead = DeliveryCounts { failing: 0, ..both };
        assert_eq!(delivery_state(dead), DeliveryState::DeadLetters);
        assert_eq!(delivery_state(DeliveryCounts::default()), DeliveryState::Ok);
    }

    #[test]
    fn a_range_ends_after_it_starts() {
        assert!(EventRange::new(5, Some(5)).is_err());
        assert!(EventRange::new(5, Some(4)).is_err());
        let range = EventRange::new(20, Some(23)).expect("valid");
        assert_eq!(range.first(), 21);
        assert_eq!(EventRange::new(0, None).map(EventRange::first), Ok(1));
    }
}
