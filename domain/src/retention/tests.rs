use chrono::NaiveDate;

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid")
}

#[test]
fn a_closed_trajectory_is_due_after_its_term_unless_held() {
    let policy = RetentionPolicy::default();
    let today = day(2028, 12, 6);
    assert!(policy.due(day(2026, 12, 5), false, today));
    assert!(!policy.due(day(2026, 12, 7), false, today));
    assert!(!policy.due(day(2020, 1, 1), true, today));
}

#[test]
fn every_kind_of_data_has_one_term_with_a_reason() {
    let kinds = [
        DataKind::ClosedTrajectory,
        DataKind::NotificationPayloads,
        DataKind::IdempotencyRecords,
        DataKind::AccessLog,
    ];
    for kind in kinds {
        let rows: Vec<&Term> = RETENTION.iter().filter(|t| t.kind == kind).collect();
        assert_eq!(rows.len(), 1, "{kind:?}");
        assert!(rows[0].why.len() > 40 && rows[0].default_days > 0);
    }
    assert!(KEPT_ON_ERASURE.iter().all(|k| k.why.len() > 40));
}

#[test]
fn erased_history_keeps_its_shape_and_loses_its_text() {
    use crate::kernel::text::BoundedText;
    use crate::referral::{ReferralChange, RejectionReason};

    let id = uuid::Uuid::now_v7();
    let rejected = ReferralChange::Rejected {
        code: RejectionReason::default(),
        reason: BoundedText::parse("reason", "Mevrouw De Vries heeft schulden", 2000).ok(),
    };
    let redacted = redaction::referral_change(rejected);
    let text = serde_json::to_string(&redacted).expect("json");
    assert!(
        !text.contains("De Vries") && text.contains(ERASED),
        "{text}"
    );
    let reference = crate::ClientRef::erased(id);
    assert!(reference.as_str().starts_with("gewist-"));
    assert_eq!(
        reference.as_str().parse::<crate::ClientRef>().ok(),
        Some(reference)
    );
}
