use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::bundle::FORMAT;
use super::*;

fn at(second: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_780_000_000 + second, 0)
        .single()
        .expect("valid")
}

fn key(byte: u8) -> AuditKey {
    AuditKey::from_seed([byte; 32])
}

fn entry(id: i64) -> LoggedEntry {
    LoggedEntry {
        id,
        recorded_at: at(id),
        event: "GET /v1/trajectories/{id}".to_owned(),
        action: 'R',
        outcome: "success".to_owned(),
        status: 200,
        client_ref: Some(format!("client-{id}")),
        trajectory_id: None,
        referral_id: None,
        subject: Some("dev-user".to_owned()),
        role: Some("provider".to_owned()),
        org: Some("agb:12345678".to_owned()),
        address: Some("127.0.0.1".to_owned()),
        request_id: None,
        purpose: "care".to_owned(),
        disclosed: Vec::new(),
    }
}

/// A chain of `n` entries: the entries and each position's hash (index 0: genesis).
fn chain(n: i64) -> (Vec<LoggedEntry>, Vec<String>) {
    let entries: Vec<LoggedEntry> = (1..=n).map(entry).collect();
    let mut hashes = vec![GENESIS.to_owned()];
    for e in &entries {
        let next = e.hash(hashes.last().expect("genesis"));
        hashes.push(next);
    }
    (entries, hashes)
}

/// Checkpoints after each of `positions`, signed by `signer`.
fn checkpoints(hashes: &[String], positions: &[u64], signer: &AuditKey) -> Vec<Checkpoint> {
    let mut out: Vec<Checkpoint> = Vec::new();
    for (i, &p) in positions.iter().enumerate() {
        let previous = out
            .last()
            .map_or_else(|| GENESIS.to_owned(), Checkpoint::digest);
        out.push(Checkpoint::sign(
            i as u64 + 1,
            p,
            &hashes[p as usize],
            at(p as i64),
            &previous,
            &[signer],
        ));
    }
    out
}

fn trusting(key: &AuditKey) -> TrustedKeys {
    TrustedKeys::new([key.public()])
}

#[test]
fn an_entry_hashes_every_field() {
    let base = entry(1);
    let mut other = base.clone();
    other.org = Some("agb:99999999".to_owned());
    assert_ne!(base.hash(GENESIS), other.hash(GENESIS));
    let mut moved = base.clone();
    moved.purpose = String::new();
    moved.request_id = Some("care".to_owned());
    assert_ne!(base.hash(GENESIS), moved.hash(GENESIS));
    assert_ne!(base.hash(GENESIS), base.hash(&base.hash(GENESIS)));
}

#[test]
fn keys_read_back_as_they_were_written() {
    let k = key(7);
    let again = AuditKey::parse(&k.to_pem().expect("pem")).expect("parses");
    assert_eq!(again.public(), k.public());
    let public = PublicKey::parse(&k.public().to_pem().expect("pem")).expect("parses");
    assert_eq!(public, k.public());
    assert_eq!(
        PublicKey::parse(&k.public().to_base64()).expect("raw"),
        k.public()
    );
    assert!(matches!(
        AuditKey::parse("not a key"),
        Err(AuditError::BadKey { .. })
    ));
}

#[test]
fn a_checkpoint_verifies_only_with_a_trusted_key_and_unchanged() {
    let (_, hashes) = chain(3);
    let k = key(1);
    let cp = &checkpoints(&hashes, &[3], &k)[0];
    assert!(cp.verify(&mut trusting(&k)).is_ok());
    assert!(cp.verify(&mut trusting(&key(2))).is_err());
    let mut changed = cp.clone();
    changed.entries = 2;
    assert!(changed.verify(&mut trusting(&k)).is_err());
}

#[test]
fn a_rotation_signed_by_both_keys_makes_the_new_key_trusted() {
    let (old, new) = (key(1), key(2));
    let (_, hashes) = chain(4);
    let first = checkpoints(&hashes, &[2], &old).remove(0);
    let rotation = Checkpoint::sign(2, 3, &hashes[3], at(3), &first.digest(), &[&old, &new]);
    let after = Checkpoint::sign(3, 4, &hashes[4], at(4), &rotation.digest(), &[&new]);
    let all = [first, rotation, after];
    let mut trusted = trusting(&old);
    assert!(walk(&all, &mut trusted, 4, |n| hashes.get(n as usize).cloned()).is_empty());
    // The rotation binds both ways: a verifier holding only the new key trusts the old
    // key's checkpoints too.
    let mut trusted = trusting(&new);
    assert!(walk(&all, &mut trusted, 4, |n| hashes.get(n as usize).cloned()).is_empty());
    // A rotation signed by a stranger together with nobody trusted changes nothing.
    let stranger = key(9);
    let forged = Checkpoint::sign(
        2,
        3,
        &hashes[3],
        at(3),
        &all[0].digest(),
        &[&stranger, &new],
    );
    let mut trusted = trusting(&old);
    let found = walk(&[all[0].clone(), forged], &mut trusted, 4, |n| {
        hashes.get(n as usize).cloned()
    });
    assert!(
        found
            .iter()
            .any(|f| matches!(f, Finding::Unsigned { number: 2, .. })),
        "{found:?}"
    );
    // Without the rotation, the new key's checkpoint is not trusted.
    let mut trusted = trusting(&old);
    let skipped = [all[0].clone(), all[2].clone()];
    let found = walk(&skipped, &mut trusted, 4, |n| {
        hashes.get(n as usize).cloned()
    });
    assert!(found.contains(&Finding::Missing { number: 3 }), "{found:?}");
    assert!(
        found
            .iter()
            .any(|f| matches!(f, Finding::Unsigned { number: 3, .. })),
        "{found:?}"
    );
}

#[test]
fn a_cut_tail_a_reseal_and_a_removed_checkpoint_are_found() {
    let k = key(1);
    let (entries, hashes) = chain(6);
    let cps = checkpoints(&hashes, &[2, 4, 6], &k);
    let intact = |n: u64| hashes.get(n as usize).cloned();
    assert!(walk(&cps, &mut trusting(&k), 6, intact).is_empty());

    let cut = walk(&cps, &mut trusting(&k), 5, intact);
    assert_eq!(
        cut,
        vec![Finding::Truncated {
            number: 3,
            entries: 6,
            chain: 5
        }]
    );

    // Entry 3 changed, every seal after it recomputed.
    let mut resealed = hashes[..3].to_vec();
    let mut changed = entries[2].clone();
    changed.org = Some("agb:99999999".to_owned());
    resealed.push(changed.hash(&resealed[2]));
    for e in &entries[3..] {
        let next = e.hash(resealed.last().expect("some"));
        resealed.push(next);
    }
    let found = walk(&cps, &mut trusting(&k), 6, |n| {
        resealed.get(n as usize).cloned()
    });
    assert_eq!(
        found,
        vec![
            Finding::Resealed {
                number: 2,
                entries: 4
            },
            Finding::Resealed {
                number: 3,
                entries: 6
            }
        ]
    );

    let removed = [cps[0].clone(), cps[2].clone()];
    assert_eq!(
        walk(&removed, &mut trusting(&k), 6, intact),
        vec![Finding::Missing { number: 3 }]
    );
}

#[test]
fn the_outside_copy_shows_a_checkpoint_removed_from_the_database() {
    let k = key(1);
    let (_, hashes) = chain(4);
    let cps = checkpoints(&hashes, &[2, 4], &k);
    let (merged, found) = merge(vec![cps[0].clone()], cps.clone());
    assert_eq!(merged, cps);
    assert_eq!(found, vec![Finding::RemovedFromDatabase { number: 2 }]);
    let mut forged = cps[1].clone();
    forged.entries = 3;
    let (_, found) = merge(vec![cps[0].clone(), forged], cps);
    assert_eq!(found, vec![Finding::Differs { number: 2 }]);
}

fn bundle_of(k: &AuditKey) -> SignedBundle {
    let (entries, hashes) = chain(5);
    let cps = checkpoints(&hashes, &[2, 5], k);
    let links = (2..=5)
        .map(|p| Link {
            position: p,
            entry_id: p as i64,
            prev: hashes[p as usize - 1].clone(),
            hash: hashes[p as usize].clone(),
        })
        .collect();
    Bundle {
        format: FORMAT.to_owned(),
        created_at: at(10),
        from: at(0),
        to: at(10),
        scope: BundleScope::Organisation("agb:12345678".to_owned()),
        entries: vec![entries[1].clone(), entries[3].clone()],
        links,
        checkpoints: cps,
    }
    .sign(k)
}

#[test]
fn a_bundle_verifies_with_the_public_key_alone() {
    let k = key(1);
    let verified = bundle_of(&k).verify(&mut trusting(&k)).expect("verifies");
    assert_eq!(verified.entries, 2);
    assert_eq!(verified.covered_by, Some(2));
    assert!(bundle_of(&k).verify(&mut trusting(&key(2))).is_err());
}

proptest! {
    #[test]
    fn changing_any_byte_of_a_bundle_fails_it(index in 0usize..100_000, byte in 0u8..128) {
        let k = key(1);
        let SignedBundle(text) = bundle_of(&k);
        let mut bytes = text.into_bytes();
        let i = index % bytes.len();
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        if let Ok(changed) = String::from_utf8(bytes) {
            prop_assert!(SignedBundle(changed).verify(&mut trusting(&k)).is_err());
        }
    }
}
