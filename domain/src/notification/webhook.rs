//! Outbound webhooks: the event types subscribers choose from, and the retry schedule of
//! a delivery (about three days, with jitter, before a message is dead-lettered).

use std::time::Duration;

string_enum! {
    /// What a webhook announces. Payloads are thin: ids, type, time and the URL to fetch.
    pub enum EventType ("event type") {
        AlertOpened => "alert.opened",
        AlertEscalated => "alert.escalated",
        AlertAcknowledged => "alert.acknowledged",
        AlertResolved => "alert.resolved",
        /// A new referral arrived for the subscriber (it is the recipient).
        ReferralReceived => "referral.received",
        /// A referral the subscriber sends or receives changed.
        ReferralUpdated => "referral.updated",
        /// Sent on request, to check an endpoint.
        Test => "webhook.test",
        /// Sent when nothing else was for a while, so the receiver knows the subscription
        /// lives; it carries the last event number for a gap check.
        Heartbeat => "webhook.heartbeat",
    }
}

impl EventType {
    /// The event type of a feed change (`alert_opened`, `referral_requested`, ...) as the
    /// given side sees it; `recipient` is true for the inbox side of a referral.
    pub fn of_change(change: &str, recipient: bool) -> Option<EventType> {
        Some(match change {
            "alert_opened" => EventType::AlertOpened,
            "alert_escalated" => EventType::AlertEscalated,
            "alert_acknowledged" => EventType::AlertAcknowledged,
            "alert_resolved" => EventType::AlertResolved,
            "referral_requested" if recipient => EventType::ReferralReceived,
            other if other.starts_with("referral_") || other == "consent_withdrawn" => {
                EventType::ReferralUpdated
            }
            _ => return None,
        })
    }
}

/// Delays before each retry; the sum is about three days.
const SCHEDULE: [Duration; 10] = [
    Duration::from_secs(5),
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(3 * 60 * 60),
    Duration::from_secs(8 * 60 * 60),
    Duration::from_secs(12 * 60 * 60),
    Duration::from_secs(24 * 60 * 60),
    Duration::from_secs(24 * 60 * 60),
];

/// The most attempts a message gets: the first and one per scheduled retry.
pub const MAX_ATTEMPTS: u32 = SCHEDULE.len() as u32 + 1;

/// How long to wait after failed attempt number `attempt` (1-based), or `None` when it was
/// the last. `jitter` in [0, 1) spreads retries by up to ±10 % so failing receivers are not
/// hit by every sender at once.
pub fn retry_delay(attempt: u32, jitter: f64) -> Option<Duration> {
    let base = SCHEDULE.get(usize::try_from(attempt).ok()?.checked_sub(1)?)?;
    let factor = 0.9 + 0.2 * jitter.clamp(0.0, 1.0);
    Some(base.mul_f64(factor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_span_about_three_days_then_stop() {
        let total: Duration = (1..MAX_ATTEMPTS).filter_map(|n| retry_delay(n, 0.5)).sum();
        assert!(
            total > Duration::from_secs(3 * 24 * 3600)
                && total < Duration::from_secs(4 * 24 * 3600),
            "{total:?}"
        );
        assert_eq!(retry_delay(MAX_ATTEMPTS, 0.5), None);
        assert_eq!(retry_delay(0, 0.5), None);
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        assert_eq!(retry_delay(1, 0.0), Some(Duration::from_millis(4500)));
        assert_eq!(retry_delay(1, 1.0), Some(Duration::from_millis(5500)));
    }

    #[test]
    fn changes_map_to_event_types() {
        assert_eq!(
            EventType::of_change("referral_requested", true),
            Some(EventType::ReferralReceived)
        );
        assert_eq!(
            EventType::of_change("referral_requested", false),
            Some(EventType::ReferralUpdated)
        );
        assert_eq!(
            EventType::of_change("consent_withdrawn", true),
            Some(EventType::ReferralUpdated)
        );
        assert_eq!(
            EventType::of_change("alert_escalated", false),
            Some(EventType::AlertEscalated)
        );
        assert_eq!(EventType::of_change("alert_lapsed", false), None);
    }
}
