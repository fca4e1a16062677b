//! Creating and dropping whole PostgreSQL databases: used to give every integration test
//! a fresh database, and by operators to set one up.

use sea_orm::{ConnectionTrait, DbErr};

use crate::db::connect::connect;

fn checked(name: &str) -> Result<&str, DbErr> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(name)
    } else {
        Err(DbErr::Custom(format!("unsafe database name {name:?}")))
    }
}

/// The URL of database `name` on the server `admin_url` points at.
pub fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// Creates database `name` on the PostgreSQL server of `admin_url`.
pub async fn create_database(admin_url: &str, name: &str) -> Result<(), DbErr> {
    let admin = connect(admin_url, 1).await?;
    admin
        .conn
        .execute_unprepared(&format!("CREATE DATABASE \"{}\"", checked(name)?))
        .await?;
    admin.close().await
}

/// Drops database `name`, disconnecting whoever is still connected to it.
pub async fn drop_database(admin_url: &str, name: &str) -> Result<(), DbErr> {
    let admin = connect(admin_url, 1).await?;
    admin
        .conn
        .execute_unprepared(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            checked(name)?
        ))
        .await?;
    admin.close().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "hb_1"),
            "postgres://postgres@127.0.0.1:5432/hb_1"
        );
        assert_eq!(
            database_url("postgres://u:p@h/postgres?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert!(checked("Robert'); DROP TABLE").is_err());
    }
}
