//! External identifiers: set at creation (in the creating transaction) or replaced
//! afterwards, read per object, and looked up by `system|value` within the organisation
//! that set them. One organisation's identifiers are never shown to another.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use herstelbrug_domain::{IdentifiedKind, Identifier, OrgId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{OnConflict, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::db::idempotency::{Replayable, Respond, WriteContext, keyed_write};
use crate::db::write_txn::WriteTxn;
use crate::entity::external_identifier::{self, Column};
use crate::error::StoreError;

/// Whose identifiers of which object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentifiedObject {
    pub owner: OrgId,
    pub kind: IdentifiedKind,
    pub resource: Uuid,
}

#[derive(Clone, Debug)]
pub struct IdentifierStore {
    conn: DatabaseConnection,
}

impl IdentifierStore {
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    /// The identifiers `object.owner` gave the object, by system then value.
    pub async fn of(&self, object: IdentifiedObject) -> Result<Vec<Identifier>, StoreError> {
        read(&self.conn, object).await
    }

    /// The object of `kind` that `owner` gave `identifier`, if any.
    pub async fn find(
        &self,
        owner: OrgId,
        kind: IdentifiedKind,
        identifier: &Identifier,
    ) -> Result<Option<Uuid>, StoreError> {
        Ok(external_identifier::Entity::find()
            .filter(keyed(owner, kind, identifier))
            .one(&self.conn)
            .await?
            .map(|row| row.resource_id))
    }

    /// The identifiers `owner` gave each of `resources` of `kind`, in one query.
    pub async fn of_each(
        &self,
        owner: OrgId,
        kind: IdentifiedKind,
        resources: &[Uuid],
    ) -> Result<HashMap<Uuid, Vec<Identifier>>, StoreError> {
        let mut found: HashMap<Uuid, Vec<Identifier>> = HashMap::new();
        if resources.is_empty() {
            return Ok(found);
        }
        let rows = external_identifier::Entity::find()
            .filter(Column::ResourceId.is_in(resources.iter().copied()))
            .filter(Column::OwnerOrg.eq(owner.to_string()))
            .filter(Column::Kind.eq(kind.as_str()))
            .order_by_asc(Column::System)
            .order_by_asc(Column::Value)
            .all(&self.conn)
            .await?;
        for row in rows {
            let identifier = Identifier::parse(&row.system, &row.value)
                .map_err(|e| StoreError::Corrupt(format!("identifier: {e}")))?;
            found.entry(row.resource_id).or_default().push(identifier);
        }
        Ok(found)
    }

    /// Replaces the identifiers `object.owner` gave the object with `identifiers`.
    pub async fn replace(
        &self,
        object: IdentifiedObject,
        identifiers: Vec<Identifier>,
        write: WriteContext<'_>,
        respond: Respond<'_, Vec<Identifier>>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            replace_in(txn, object, &identifiers, now).await?;
            read(txn, object).await
        })
        .await?;
        Ok(keyed.outcome)
    }
}

fn of_object(object: IdentifiedObject) -> Condition {
    Condition::all()
        .add(Column::ResourceId.eq(object.resource))
        .add(Column::OwnerOrg.eq(object.owner.to_string()))
        .add(Column::Kind.eq(object.kind.as_str()))
}

async fn read(
    conn: &impl ConnectionTrait,
    object: IdentifiedObject,
) -> Result<Vec<Identifier>, StoreError> {
    external_identifier::Entity::find()
        .filter(of_object(object))
        .order_by_asc(Column::System)
        .order_by_asc(Column::Value)
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            Identifier::parse(&row.system, &row.value)
                .map_err(|e| StoreError::Corrupt(format!("identifier: {e}")))
        })
        .collect()
}

/// Replaces the owner's identifiers of the object in the caller's transaction.
pub(crate) async fn replace_in(
    txn: &WriteTxn,
    object: IdentifiedObject,
    identifiers: &[Identifier],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    external_identifier::Entity::delete_many()
        .filter(of_object(object))
        .exec(txn)
        .await?;
    attach(txn, object, identifiers, now).await
}

/// Gives the object `identifiers` in the caller's transaction. One the owner already gave
/// another object of the kind is refused (the whole write with it); the key makes that
/// hold under concurrent writers too: the later insert does nothing and is then seen
/// pointing elsewhere.
pub(crate) async fn attach(
    txn: &WriteTxn,
    object: IdentifiedObject,
    identifiers: &[Identifier],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if identifiers.is_empty() {
        return Ok(());
    }
    let rows = identifiers
        .iter()
        .map(|id| external_identifier::ActiveModel {
            owner_org: Set(object.owner.to_string()),
            kind: Set(object.kind.as_str().to_owned()),
            system: Set(id.system.as_str().to_owned()),
            value: Set(id.value.as_str().to_owned()),
            resource_id: Set(object.resource),
            created_at: Set(now),
        });
    external_identifier::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                Column::OwnerOrg,
                Column::Kind,
                Column::System,
                Column::Value,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    // One read for the whole set: the rows that hold these keys and point elsewhere.
    let any_of = identifiers.iter().fold(Condition::any(), |any, id| {
        any.add(keyed(object.owner, object.kind, id))
    });
    let taken = external_identifier::Entity::find()
        .filter(any_of)
        .filter(Column::ResourceId.ne(object.resource))
        .order_by_asc(Column::System)
        .order_by_asc(Column::Value)
        .one(txn)
        .await?;
    match taken {
        Some(row) => Err(StoreError::IdentifierTaken {
            identifier: format!("{}|{}", row.system, row.value),
        }),
        None => Ok(()),
    }
}

fn keyed(owner: OrgId, kind: IdentifiedKind, id: &Identifier) -> Condition {
    Condition::all()
        .add(Column::OwnerOrg.eq(owner.to_string()))
        .add(Column::Kind.eq(kind.as_str()))
        .add(Column::System.eq(id.system.as_str()))
        .add(Column::Value.eq(id.value.as_str()))
}

/// The ids of the objects of `kind` that `owner` gave `identifier` (one at most), for a
/// list query's `WHERE id IN (…)`.
pub(crate) fn holders(
    owner: OrgId,
    kind: IdentifiedKind,
    identifier: &Identifier,
) -> SelectStatement {
    Query::select()
        .column(Column::ResourceId)
        .from(external_identifier::Entity)
        .cond_where(keyed(owner, kind, identifier))
        .to_owned()
}
