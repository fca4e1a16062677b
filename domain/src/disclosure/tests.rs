use super::*;

/// Every situation a condition can meet.
fn situations() -> Vec<Situation> {
    let mut all = Vec::new();
    for consent_holds in [false, true] {
        for naaste_consent in [false, true] {
            for stage in [
                None,
                Some(Stage::Open),
                Some(Stage::Accepted),
                Some(Stage::Closed),
            ] {
                all.push(Situation {
                    consent_holds,
                    naaste_consent,
                    stage,
                });
            }
        }
    }
    all
}

#[test]
fn without_consent_no_organisation_but_the_treating_provider_sees_anything() {
    for (field, _) in rows() {
        for s in situations().into_iter().filter(|s| !s.consent_holds) {
            for party in [Party::Recipient, Party::Municipality, Party::Outsider] {
                assert!(!may_see(party, field, s), "{party} sees {field} in {s:?}");
            }
            assert!(may_see(Party::TreatingProvider, field, s));
        }
    }
}

#[test]
fn a_closed_referral_shows_its_recipient_nothing() {
    for (field, _) in rows() {
        for s in situations()
            .into_iter()
            .filter(|s| s.stage == Some(Stage::Closed))
        {
            assert!(!may_see(Party::Recipient, field, s), "{field} in {s:?}");
        }
    }
}

#[test]
fn outsiders_see_nothing_and_the_municipality_never_sees_free_text_staff_or_why() {
    for (field, _) in rows() {
        for s in situations() {
            assert!(!may_see(Party::Outsider, field, s));
        }
    }
    for field in [
        Field::FreeText,
        Field::StaffId,
        Field::TreatmentEndReason,
        Field::NaasteContact,
        Field::NaastePresence,
    ] {
        for s in situations() {
            assert!(!may_see(Party::Municipality, field, s), "{field}");
        }
    }
}

#[test]
fn a_naaste_is_seen_only_with_her_own_consent_and_her_contact_only_once_accepted() {
    let open = Situation::referral(ReferralStatus::Received, true);
    let accepted = Situation::referral(ReferralStatus::Accepted, true);
    assert!(!may_see(Party::Recipient, Field::NaastePresence, open));
    assert!(may_see(
        Party::Recipient,
        Field::NaastePresence,
        open.naaste(true)
    ));
    assert!(!may_see(
        Party::Recipient,
        Field::NaasteContact,
        open.naaste(true)
    ));
    assert!(may_see(
        Party::Recipient,
        Field::NaasteContact,
        accepted.naaste(true)
    ));
    assert!(!may_see(Party::Recipient, Field::NaasteContact, accepted));
}

#[test]
fn the_municipality_identifies_its_resident_only_with_consent() {
    assert!(may_see(
        Party::Municipality,
        Field::ClientName,
        Situation::trajectory(true)
    ));
    assert!(may_see(
        Party::Municipality,
        Field::ClientContact,
        Situation::trajectory(true)
    ));
    assert!(!may_see(
        Party::Municipality,
        Field::ClientName,
        Situation::trajectory(false)
    ));
    assert!(!may_see(
        Party::Municipality,
        Field::GapAlert,
        Situation::trajectory(false)
    ));
}

#[test]
fn the_readme_shows_this_table() {
    let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));
    assert!(
        readme.contains(&markdown()),
        "README.md must hold the disclosure table as rendered by disclosure::markdown():\n{}",
        markdown()
    );
}
