//! SQLite forgets idempotency keys in insertion (rowid) order instead of by
//! an index on `created_at`: keys are inserted as they are made, so the
//! expired ones are the table's first rows, and a scan from the start that
//! stops at the first unexpired key finds them all. The index was a third
//! B-tree insert (beside the table and its primary key) on every keyed
//! create, for a prune that needs none. PostgreSQL keeps its index: its
//! heap has no stable insertion order to scan by.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const INDEX: &str = "idx_idempotency_keys_created_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Alias::new("idempotency_keys"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Alias::new("idempotency_keys"))
                    .col(Alias::new("created_at"))
                    .to_owned(),
            )
            .await
    }
}
