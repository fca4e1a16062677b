use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::error::PersonError;
use super::invitation::{InvitationCode, InvitationState, InvitationStatus, VALID_FOR};
use super::lockout::{Attempts, LOCK, MAX_FAILURES};
use super::{NaasteLevel, Representation, Standing};
use crate::disclosure::Party;

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .single()
        .expect("time")
        + Duration::minutes(minutes)
}

#[test]
fn a_code_reads_back_however_it_is_typed() {
    let code = InvitationCode::from_entropy([7; 16]);
    assert_eq!(code.expose().len(), 26);
    let typed = code.grouped().to_lowercase().replace('-', " - ");
    assert_eq!(InvitationCode::parse(&typed).expect("parses"), code);
    assert!(InvitationCode::parse("short").is_err());
    assert!(
        InvitationCode::parse(&"1".repeat(26)).is_err(),
        "1 is not base32"
    );
    assert!(!format!("{code:?}").contains(code.expose()));
}

#[test]
fn an_invitation_is_used_once_within_six_weeks_and_can_be_revoked() {
    let mut state = InvitationState::new(at(0));
    assert_eq!(state.status(at(0)), InvitationStatus::Open);
    assert_eq!(
        state.status(at(0) + VALID_FOR),
        InvitationStatus::Expired,
        "the term ends at six weeks"
    );
    state.redeem(at(1)).expect("open");
    assert_eq!(
        state.redeem(at(2)),
        Err(PersonError::InvitationClosed {
            status: InvitationStatus::Redeemed
        })
    );
    assert_eq!(state.status(at(0) + VALID_FOR), InvitationStatus::Redeemed);

    let mut revoked = InvitationState::new(at(0));
    revoked.revoke(at(1)).expect("open");
    assert_eq!(
        revoked.redeem(at(2)),
        Err(PersonError::InvitationClosed {
            status: InvitationStatus::Revoked
        })
    );
    let mut late = InvitationState::new(at(0));
    assert!(late.redeem(at(0) + VALID_FOR).is_err());
}

#[test]
fn the_fifth_wrong_code_in_a_window_locks_redemption() {
    let mut attempts = Attempts::none(at(0));
    for minute in 0..i64::from(MAX_FAILURES) - 1 {
        attempts = attempts.after_failure(at(minute));
        assert!(attempts.check(at(minute)).is_ok());
    }
    attempts = attempts.after_failure(at(4));
    assert!(matches!(
        attempts.check(at(5)),
        Err(PersonError::LockedOut {
            retry_after: 840,
            ..
        })
    ));
    assert!(attempts.check(at(4) + LOCK).is_ok(), "the lock ends");
}

#[test]
fn naasten_read_their_own_column_and_do_not_steer() {
    assert_eq!(Standing::Client.party(), Party::Client);
    assert_eq!(
        Standing::Representative(Representation::Legal).party(),
        Party::Client
    );
    assert_eq!(
        Standing::Naaste(NaasteLevel::Contact).party(),
        Party::NaasteContact
    );
    assert_eq!(
        Standing::Naaste(NaasteLevel::Follow).party(),
        Party::NaasteFollow
    );
    assert!(Standing::Representative(Representation::Authorised).steers());
    assert!(!Standing::Naaste(NaasteLevel::Follow).steers());
}

proptest! {
    /// However wrong codes are spread in time, the count is that of the current window,
    /// the fifth in a window locks, and a lock never lasts longer than LOCK.
    #[test]
    fn the_lock_holds_and_ends(gaps in proptest::collection::vec(0i64..40, 1..30)) {
        let mut attempts = Attempts::none(at(0));
        let mut now = at(0);
        let mut recent: Vec<DateTime<Utc>> = Vec::new();
        for gap in gaps {
            now += Duration::minutes(gap);
            if attempts.check(now).is_err() {
                continue;
            }
            attempts = attempts.after_failure(now);
            recent.push(now);
            if let Some(until) = attempts.locked_until {
                prop_assert!(until <= now + LOCK);
            }
            let in_window = recent
                .iter()
                .filter(|t| **t >= attempts.window_started_at)
                .count();
            prop_assert_eq!(in_window, attempts.failures as usize);
            prop_assert!(
                attempts.failures < MAX_FAILURES
                    || attempts.locked_until.is_some_and(|until| until > now)
            );
        }
    }
}
