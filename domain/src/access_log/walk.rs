//! What checking the chain against its checkpoints finds: a cut tail (the chain is
//! shorter than a checkpoint saw it), an edit resealed after the fact (the hash at a
//! checkpoint's position differs), a checkpoint removed (a gap in the numbers, or one the
//! outside copy has and the database not) or forged (a signature that fails).

use std::collections::BTreeMap;

use super::checkpoint::{Checkpoint, trust_through_rotations};
use super::entry::GENESIS;
use super::key::TrustedKeys;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The checkpoint's signatures do not verify, or no trusted key signed it.
    Unsigned { number: u64, why: String },
    /// Checkpoints before `number` are missing.
    Missing { number: u64 },
    /// The checkpoint does not link to the one before it.
    Unlinked { number: u64 },
    /// The database and the outside copy hold different checkpoints with this number.
    Differs { number: u64 },
    /// The outside copy holds this checkpoint and the database does not.
    RemovedFromDatabase { number: u64 },
    /// The chain holds fewer entries than the checkpoint saw: its tail was cut.
    Truncated {
        number: u64,
        entries: u64,
        chain: u64,
    },
    /// The chain's hash at the checkpoint's position differs: an entry at or before it
    /// was changed and the chain resealed.
    Resealed { number: u64, entries: u64 },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unsigned { number, why } => {
                write!(f, "checkpoint {number} does not verify: {why}")
            }
            Self::Missing { number } => write!(f, "checkpoints before {number} are missing"),
            Self::Unlinked { number } => {
                write!(
                    f,
                    "checkpoint {number} does not link to the checkpoint before it"
                )
            }
            Self::Differs { number } => write!(
                f,
                "checkpoint {number} differs between the database and the outside copy"
            ),
            Self::RemovedFromDatabase { number } => write!(
                f,
                "checkpoint {number} is in the outside copy but was removed from the database"
            ),
            Self::Truncated {
                number,
                entries,
                chain,
            } => write!(
                f,
                "the log was cut: checkpoint {number} saw {entries} entries, the chain holds {chain}"
            ),
            Self::Resealed { number, entries } => write!(
                f,
                "the log was changed and resealed: the chain's hash after {entries} entries differs from checkpoint {number}"
            ),
        }
    }
}

/// The database's checkpoints completed by the outside copy's, with what differs.
pub fn merge(
    database: Vec<Checkpoint>,
    outside: Vec<Checkpoint>,
) -> (Vec<Checkpoint>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut all: BTreeMap<u64, Checkpoint> = database.into_iter().map(|c| (c.number, c)).collect();
    for checkpoint in outside {
        match all.get(&checkpoint.number) {
            Some(known) if *known != checkpoint => findings.push(Finding::Differs {
                number: checkpoint.number,
            }),
            Some(_) => {}
            None => {
                findings.push(Finding::RemovedFromDatabase {
                    number: checkpoint.number,
                });
                all.insert(checkpoint.number, checkpoint);
            }
        }
    }
    (all.into_values().collect(), findings)
}

/// Checks `checkpoints` (in number order) against the chain: `chain` is its length and
/// `hash_at(n)` the hash after its first `n` entries.
pub fn walk(
    checkpoints: &[Checkpoint],
    trusted: &mut TrustedKeys,
    chain: u64,
    hash_at: impl Fn(u64) -> Option<String>,
) -> Vec<Finding> {
    trust_through_rotations(trusted, checkpoints);
    let mut findings = Vec::new();
    let mut expected = 1;
    let mut previous: Option<&Checkpoint> = None;
    for checkpoint in checkpoints {
        let number = checkpoint.number;
        if number != expected {
            findings.push(Finding::Missing { number });
        } else {
            let link = previous.map_or_else(|| GENESIS.to_owned(), Checkpoint::digest);
            if checkpoint.previous != link {
                findings.push(Finding::Unlinked { number });
            }
        }
        if let Err(e) = checkpoint.verify(trusted) {
            findings.push(Finding::Unsigned {
                number,
                why: e.to_string(),
            });
        }
        if checkpoint.entries > chain {
            findings.push(Finding::Truncated {
                number,
                entries: checkpoint.entries,
                chain,
            });
        } else {
            let hash = if checkpoint.entries == 0 {
                Some(GENESIS.to_owned())
            } else {
                hash_at(checkpoint.entries)
            };
            if hash.as_deref() != Some(checkpoint.head.as_str()) {
                findings.push(Finding::Resealed {
                    number,
                    entries: checkpoint.entries,
                });
            }
        }
        expected = number + 1;
        previous = Some(checkpoint);
    }
    findings
}
