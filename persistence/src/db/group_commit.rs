//! Group commit on SQLite: concurrent writers share one transaction and one commit.
//!
//! SQLite has one writer, and each commit writes its pages to the WAL and flushes it:
//! about a third of a transition's cost. Writers queued behind each other therefore
//! join one open transaction, each in its own savepoint, and are acknowledged together
//! when a committer task commits it, so pages the batch shares (the right edges of the
//! log and feed tables and their indexes) and the flush are paid once per batch.
//!
//! A member's work is released into the batch only if all of it succeeded; a member that
//! fails or is cancelled is rolled back to its savepoint. If any statement of a member
//! failed, the batch is committed (or fails) before anyone else joins it: SQLite may have
//! rolled back the whole transaction on that error, and a later member must never commit
//! on its own while earlier members wait for a commit that no longer holds their work.

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

/// The open batch, if any.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    batch: Option<Batch>,
}

#[derive(Debug)]
struct Batch {
    outer: DatabaseTransaction,
    members: Vec<oneshot::Sender<Result<(), String>>>,
    /// A member saw an error: commit before anyone else joins.
    tainted: bool,
}

/// One database's group committer.
#[derive(Debug)]
pub(crate) struct GroupCommit {
    conn: DatabaseConnection,
    slot: Arc<Mutex<Slot>>,
    wake: Notify,
    /// Batches committed so far (or attempted); read by the tests.
    batches: std::sync::atomic::AtomicU64,
    /// Writers between their start and their answer.
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
}

/// Counts a writer as in flight until dropped.
#[derive(Debug)]
pub(crate) struct InFlight(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A member's place in the open batch: holding it keeps others out until released.
#[derive(Debug)]
pub(crate) struct Membership {
    slot: OwnedMutexGuard<Slot>,
    group: Arc<GroupCommit>,
    /// Set once the member's savepoint is released into the batch; a member dropped
    /// before that (failed, refused or cancelled) taints the batch.
    released: bool,
}

impl GroupCommit {
    /// Starts the committer task; call inside the Tokio runtime.
    pub(crate) fn start(conn: DatabaseConnection) -> Arc<Self> {
        let group = Arc::new(Self {
            conn,
            slot: Arc::new(Mutex::new(Slot::default())),
            wake: Notify::new(),
            batches: std::sync::atomic::AtomicU64::new(0),
            in_flight: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        });
        let committer = Arc::clone(&group);
        tokio::spawn(async move {
            loop {
                committer.wake.notified().await;
                // The lock is fair: every writer queued before this point joins first.
                let mut slot = committer.slot.clone().lock_owned().await;
                committer.close(&mut slot).await;
            }
        });
        group
    }

    /// Counts a new writer in; says whether another one is in flight, so that joining a
    /// batch can pay off. A lone writer is better off with a plain transaction: no
    /// savepoint, no hand-over to the committer.
    pub(crate) fn enter(&self) -> (InFlight, bool) {
        let before = self
            .in_flight
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (InFlight(Arc::clone(&self.in_flight)), before > 0)
    }

    /// Joins (or opens) the batch: a savepoint in the shared write transaction.
    pub(crate) async fn join(self: &Arc<Self>) -> Result<(DatabaseTransaction, Membership), DbErr> {
        let mut slot = self.slot.clone().lock_owned().await;
        while slot.batch.as_ref().is_some_and(|b| b.tainted) {
            // Closed in a task of its own, so that a joiner whose request is cancelled
            // cannot abandon a commit halfway and leave its members without an answer.
            let group = Arc::clone(self);
            let closing = tokio::spawn(async move {
                let mut slot = slot;
                group.close(&mut slot).await;
            });
            let _ = closing.await;
            slot = self.slot.clone().lock_owned().await;
        }
        let batch = match slot.batch.take() {
            Some(batch) => batch,
            None => Batch {
                outer: crate::db::connect::begin_immediate(&self.conn).await?,
                members: Vec::new(),
                tainted: false,
            },
        };
        let savepoint = batch.outer.begin().await;
        slot.batch = Some(batch);
        let savepoint = match savepoint {
            Ok(savepoint) => savepoint,
            Err(err) => {
                if let Some(batch) = slot.batch.as_mut() {
                    batch.tainted = true;
                }
                self.wake.notify_one();
                return Err(err);
            }
        };
        Ok((
            savepoint,
            Membership {
                slot,
                group: Arc::clone(self),
                released: false,
            },
        ))
    }
}

impl Membership {
    /// Leaves the batch after its savepoint was released, and waits for the shared commit.
    /// `clean` says whether every statement of the member succeeded.
    pub(crate) async fn wait_for_commit(mut self, clean: bool) -> Result<(), DbErr> {
        let (sender, receiver) = oneshot::channel();
        match self.slot.batch.as_mut() {
            Some(batch) => {
                batch.members.push(sender);
                batch.tainted |= !clean;
            }
            None => return Err(DbErr::Custom("the write batch is gone".to_owned())),
        }
        self.released = true;
        drop(self);
        match receiver.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(DbErr::Custom(message)),
            Err(_) => Err(DbErr::Custom("the group committer stopped".to_owned())),
        }
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        if !self.released
            && let Some(batch) = self.slot.batch.as_mut()
        {
            batch.tainted = true;
        }
        // Whoever leaves, the batch must not stay open for nobody.
        self.group.wake.notify_one();
    }
}

impl GroupCommit {
    /// Commits the open batch, if any, and tells its members how it went.
    async fn close(&self, slot: &mut OwnedMutexGuard<Slot>) {
        let Some(batch) = slot.batch.take() else {
            return;
        };
        let outcome = batch.outer.commit().await.map_err(|err| err.to_string());
        self.batches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for member in batch.members {
            // A member whose request was cancelled no longer listens; its write stands.
            let _ = member.send(outcome.clone());
        }
    }

    #[cfg(test)]
    fn batches(&self) -> u64 {
        self.batches.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::scratch_table::{self, ids, insert};
    use crate::db::write_txn::WriteTxn;

    async fn setup() -> (DatabaseConnection, Arc<GroupCommit>) {
        let conn = scratch_table::open().await;
        let group = GroupCommit::start(conn.clone());
        (conn, group)
    }

    async fn member(group: &Arc<GroupCommit>) -> WriteTxn {
        let (savepoint, membership) = group.join().await.expect("joined");
        WriteTxn::grouped(savepoint, membership)
    }

    #[tokio::test]
    async fn concurrent_writers_share_commits_and_all_land() {
        let (conn, group) = setup().await;
        let writers: Vec<_> = (0..8)
            .map(|i| {
                let group = Arc::clone(&group);
                tokio::spawn(async move {
                    let txn = member(&group).await;
                    txn.defer(insert(i, "x"));
                    txn.commit().await
                })
            })
            .collect();
        for writer in writers {
            writer.await.expect("task").expect("committed");
        }
        assert_eq!(ids(&conn).await, (0..8).collect::<Vec<_>>());
        assert!(
            group.batches() < 8,
            "{} commits for 8 writers",
            group.batches()
        );
    }

    #[tokio::test]
    async fn a_failing_member_fails_alone() {
        let (conn, group) = setup().await;
        let first = {
            let group = Arc::clone(&group);
            tokio::spawn(async move {
                let txn = member(&group).await;
                txn.defer(insert(1, "x"));
                txn.commit().await
            })
        };
        let second = {
            let group = Arc::clone(&group);
            tokio::spawn(async move {
                let txn = member(&group).await;
                txn.defer(insert(2, "x"));
                txn.defer(insert(1, "x"));
                txn.commit().await
            })
        };
        let (first, second) = (first.await.expect("task"), second.await.expect("task"));
        assert!(first.is_ok() != second.is_ok(), "exactly one fails");
        // Whichever ran second hit the duplicate key, and all of its savepoint is undone.
        let landed = if first.is_ok() { vec![1] } else { vec![1, 2] };
        assert_eq!(ids(&conn).await, landed);
    }

    #[tokio::test]
    async fn a_writer_joining_after_a_failure_starts_a_new_batch_and_all_others_land() {
        let (conn, group) = setup().await;
        let writer = |ids: Vec<i32>| {
            let group = Arc::clone(&group);
            tokio::spawn(async move {
                let txn = member(&group).await;
                for id in ids {
                    txn.defer(insert(id, "x"));
                }
                txn.commit().await
            })
        };
        // Spawned in order on one thread: the second and third queue behind the first.
        let (first, failing, third) = (writer(vec![1]), writer(vec![1]), writer(vec![3]));
        assert!(first.await.expect("task").is_ok());
        assert!(failing.await.expect("task").is_err());
        assert!(third.await.expect("task").is_ok());
        assert_eq!(ids(&conn).await, vec![1, 3]);
        assert!(group.batches() >= 2, "the tainted batch was closed first");
    }

    #[tokio::test]
    async fn a_member_dropped_before_commit_leaves_nothing_and_no_open_batch() {
        let (conn, group) = setup().await;
        let abandoned = member(&group).await;
        abandoned.defer(insert(1, "x"));
        drop(abandoned);
        assert_eq!(ids(&conn).await, Vec::<i32>::new());
        let next = member(&group).await;
        next.defer(insert(2, "x"));
        next.commit().await.expect("committed");
        assert_eq!(ids(&conn).await, vec![2]);
    }
}
