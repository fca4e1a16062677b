//! Keyset pages: read one row more than the page holds to know whether another follows.

use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect, Select, sea_query::IntoColumnRef,
};

/// Reads up to `limit` rows of `select` ordered by `key`, converting each with `convert`;
/// also says whether more rows follow.
pub(crate) async fn page<E, C, T, K, F, Err>(
    select: Select<E>,
    key: K,
    limit: u64,
    conn: &C,
    convert: F,
) -> Result<(Vec<T>, bool), Err>
where
    E: EntityTrait,
    C: ConnectionTrait,
    K: IntoColumnRef + sea_orm::ColumnTrait,
    F: Fn(E::Model) -> Result<T, Err>,
    Err: From<DbErr>,
{
    let rows = select
        .order_by_asc(key)
        .limit(limit.saturating_add(1))
        .all(conn)
        .await?;
    let more = rows.len() as u64 > limit;
    let items = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(convert)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((items, more))
}
