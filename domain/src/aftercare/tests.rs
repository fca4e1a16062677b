use chrono::Days;

use super::*;
use crate::test_support::date;

#[test]
fn a_readmission_is_a_start_within_ninety_days_of_closure() {
    let closed = date(2026, 6, 1);
    assert!(is_readmission(closed, date(2026, 6, 1)));
    assert!(is_readmission(closed, closed + Days::new(90)));
    assert!(!is_readmission(closed, closed + Days::new(91)));
    assert!(
        !is_readmission(closed, date(2026, 5, 31)),
        "not before closure"
    );
}

#[test]
fn the_default_checks_fall_at_thirty_and_ninety_days() {
    let policy = OutcomePolicy::default();
    assert_eq!(policy.check_days, [30, 90]);
    assert_eq!(policy.overdue_days, 14);
}
