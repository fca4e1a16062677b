//! A referral says what help is asked as codes (`life_domains`, comma-separated), and the
//! words (`needs`) become optional: stored as the empty text when none are given, since
//! SQLite cannot drop a NOT NULL without rebuilding the table.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(
            manager,
            "ALTER TABLE referrals ADD COLUMN life_domains VARCHAR(200) NOT NULL DEFAULT ''",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "ALTER TABLE referrals DROP COLUMN life_domains").await
    }
}
