//! Schema migrations, applied in order by `agentgraph migrate` and on every
//! `agentgraph serve` start.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_tables;
mod m20261201_000001_ordering_indexes;
mod m20261201_000002_idempotency_keys;
mod m20261202_000001_change_log;
mod m20261202_000002_idempotency_keys_by_rowid;
mod m20261207_000001_work_queue;
mod m20261208_000001_tenants;
mod m20261209_000001_task_counts;
mod m20261209_000002_history;
mod m20261210_000001_wider_count_indexes;
mod m20261211_000001_children_per_parent;

pub use m20261201_000001_ordering_indexes::index_name;
pub use m20261209_000002_history::TRACKED;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_tables::Migration),
            Box::new(m20261201_000001_ordering_indexes::Migration),
            Box::new(m20261201_000002_idempotency_keys::Migration),
            Box::new(m20261202_000001_change_log::Migration),
            Box::new(m20261202_000002_idempotency_keys_by_rowid::Migration),
            Box::new(m20261207_000001_work_queue::Migration),
            Box::new(m20261208_000001_tenants::Migration),
            Box::new(m20261209_000001_task_counts::Migration),
            Box::new(m20261209_000002_history::Migration),
            Box::new(m20261210_000001_wider_count_indexes::Migration),
            Box::new(m20261211_000001_children_per_parent::Migration),
        ]
    }
}
