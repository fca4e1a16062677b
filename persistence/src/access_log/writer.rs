//! Group commit for the entries of requests that write nothing else.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::{mpsc, oneshot};

use super::record::{AccessRecord, row};
use crate::entity::access_log;
use crate::error::StoreError;

fn stopped() -> StoreError {
    StoreError::Database(sea_orm::DbErr::Custom(
        "the access-log writer stopped".to_owned(),
    ))
}

/// An entry waiting for the batch that stores it, and who to tell.
type Pending = (
    AccessRecord,
    DateTime<Utc>,
    oneshot::Sender<Result<(), Failure>>,
);

/// Why a batch was not stored.
#[derive(Debug, Clone)]
enum Failure {
    /// The database is out of reach: retrying entry by entry would only wait longer.
    Unreachable(String),
    Refused(String),
}

/// Most entries one batch stores.
const WRITE_BATCH: usize = 256;

/// Stores the entries of requests that write nothing else (reads, refusals) in batches:
/// whatever is waiting goes into one multi-row INSERT, so concurrent requests share one
/// statement and one commit (group commit), and none is answered before its entry is
/// stored. Two batches can be in flight at once.
#[derive(Clone, Debug)]
pub struct AccessWriter {
    queue: mpsc::Sender<Pending>,
}

impl AccessWriter {
    /// Starts the writers on the current Tokio runtime.
    pub fn spawn(conn: DatabaseConnection) -> Self {
        let (queue, receiver) = mpsc::channel::<Pending>(8 * WRITE_BATCH);
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        for _ in 0..2 {
            let (conn, receiver) = (conn.clone(), receiver.clone());
            tokio::spawn(async move {
                let mut batch: Vec<Pending> = Vec::with_capacity(WRITE_BATCH);
                loop {
                    {
                        let mut receiver = receiver.lock().await;
                        if receiver.recv_many(&mut batch, WRITE_BATCH).await == 0 {
                            return;
                        }
                    }
                    let rows = batch
                        .iter()
                        .map(|(record, now, _)| row(record, record.status, *now));
                    let stored = insert(&conn, rows.collect()).await;
                    if !matches!(stored, Err(Failure::Refused(_))) || batch.len() == 1 {
                        for (_, _, done) in batch.drain(..) {
                            let _ = done.send(stored.clone());
                        }
                        continue;
                    }
                    // One entry must never fail another's: each is retried alone, and
                    // only an entry that fails by itself fails its own request.
                    tracing::warn!("an access-log batch failed; retrying its entries alone");
                    for (record, now, done) in batch.drain(..) {
                        let alone = insert(&conn, vec![row(&record, record.status, now)]).await;
                        let _ = done.send(alone);
                    }
                }
            });
        }
        Self { queue }
    }

    /// Stores `record`; returns once it is committed.
    ///
    /// Entries of every organisation share batches, so what one caller sends must not be
    /// able to fail a batch: `row` makes every field storable, and a failed batch is
    /// retried entry by entry.
    pub async fn append(&self, record: AccessRecord, now: DateTime<Utc>) -> Result<(), StoreError> {
        let (done, stored) = oneshot::channel();
        self.queue
            .send((record, now, done))
            .await
            .map_err(|_| stopped())?;
        stored.await.map_err(|_| stopped())?.map_err(|e| match e {
            Failure::Unreachable(e) => StoreError::Unavailable(e),
            Failure::Refused(e) => StoreError::Database(sea_orm::DbErr::Custom(e)),
        })
    }
}

async fn insert(
    conn: &DatabaseConnection,
    rows: Vec<access_log::ActiveModel>,
) -> Result<(), Failure> {
    access_log::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
        .map_err(|e| {
            if crate::error::unreachable(&e) {
                Failure::Unreachable(e.to_string())
            } else {
                Failure::Refused(e.to_string())
            }
        })
}
