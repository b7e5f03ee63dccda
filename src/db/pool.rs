//! A sea-orm pool whose connections are taken only in ways that record who
//! holds them ([`super::holds`]): transactions ([`Pool::begin`]) and single
//! connections ([`Pool::acquire_sqlite`], [`Pool::acquire_postgres`]). A
//! statement sent straight to the pool (through `Deref`) is not recorded;
//! the server sends none to the writer but its migrations.

use std::ops::Deref;
use std::sync::Arc;

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{Postgres, Sqlite};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, QueryResult, Statement, TransactionTrait,
};

use super::StatementCounter;
use super::holds::{Hold, Holds};
use super::pooled_transaction::PooledTransaction;
use super::wanted::Wanted;

#[derive(Clone)]
pub struct Pool {
    connection: DatabaseConnection,
    holds: Arc<Holds>,
    /// Behind a transaction-mode pooler: transactions send their
    /// statements as simple Queries ([`PooledTransaction`]), counted here.
    pooled: Option<StatementCounter>,
}

impl Deref for Pool {
    type Target = DatabaseConnection;

    fn deref(&self) -> &DatabaseConnection {
        &self.connection
    }
}

impl Pool {
    pub fn new(connection: DatabaseConnection, name: &'static str) -> Self {
        Self {
            connection,
            holds: Holds::new(name),
            pooled: None,
        }
    }

    /// Marks the pool as reaching PostgreSQL through a transaction-mode
    /// pooler; its transactions' statements are counted on `statements`.
    pub fn behind_pooler(mut self, pooled: bool, statements: &StatementCounter) -> Self {
        self.pooled = pooled.then(|| statements.clone());
        self
    }

    pub fn holds(&self) -> &Arc<Holds> {
        &self.holds
    }

    /// A transaction on a connection of its own, recorded as held by the
    /// current task's work until it ends.
    ///
    /// The BEGIN runs in a task of its own, which sees it through whoever
    /// still waits. sqlx 0.9 forgets a first BEGIN whose future is dropped
    /// between sending it and reading its answer (a request timed out, a
    /// client gone): `PgTransactionManager::begin`'s guard queues a
    /// ROLLBACK only when the depth is above 0, which it is not until the
    /// answer is read. The connection then went back to the pool inside a
    /// transaction nobody would end; the next statements on it (a kept
    /// create, say) ran inside it, uncommitted, holding their row locks,
    /// until writers queued behind those locks had taken every connection
    /// (the stress drill of issue 25 found it: "there is already a
    /// transaction in progress", then a pool that never closed). A
    /// transaction begun for a caller who left is dropped in the task,
    /// which rolls it back as any other.
    pub async fn begin(&self) -> Result<Transaction, DbErr> {
        let waiting = self.holds.wait();
        let connection = self.connection.clone();
        let pooled = self.pooled.clone();
        let begun = tokio::spawn(async move {
            let begun = match pooled {
                Some(statements) => connection
                    .get_postgres_connection_pool()
                    .begin()
                    .await
                    .map(|txn| Txn::Pooled(PooledTransaction::new(txn, statements)))
                    .map_err(super::acquire_error),
                None => connection.begin().await.map(Txn::SeaOrm),
            };
            drop(waiting);
            begun
        })
        .await
        .unwrap_or_else(|err| Err(DbErr::Custom(format!("beginning a transaction: {err}"))));
        match begun {
            Ok(txn) => Ok(Transaction {
                txn,
                _hold: self.holds.hold(),
            }),
            Err(err) => Err(self.failed_to_acquire(err)),
        }
    }

    pub async fn acquire_sqlite(&self) -> Result<Held<Sqlite>, DbErr> {
        let waiting = self.holds.wait();
        let acquired = self.connection.get_sqlite_connection_pool().acquire().await;
        drop(waiting);
        self.held(acquired)
    }

    pub async fn acquire_postgres(&self) -> Result<Held<Postgres>, DbErr> {
        let waiting = self.holds.wait();
        let acquired = self
            .connection
            .get_postgres_connection_pool()
            .acquire()
            .await;
        drop(waiting);
        self.held(acquired)
    }

    fn held<DB: sea_orm::sqlx::Database>(
        &self,
        acquired: Result<PoolConnection<DB>, sea_orm::sqlx::Error>,
    ) -> Result<Held<DB>, DbErr> {
        match acquired {
            Ok(connection) => Ok(Held {
                connection,
                hold: self.holds.hold(),
            }),
            Err(err) => Err(self.failed_to_acquire(super::acquire_error(err))),
        }
    }

    /// Says who holds the connections when `err` is a wait that timed out.
    pub fn failed_to_acquire(&self, err: DbErr) -> DbErr {
        if matches!(err, DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)) {
            let (open, idle) = match self.connection.get_database_backend() {
                DbBackend::Postgres => {
                    let pool = self.connection.get_postgres_connection_pool();
                    (pool.size(), pool.num_idle())
                }
                _ => {
                    let pool = self.connection.get_sqlite_connection_pool();
                    (pool.size(), pool.num_idle())
                }
            };
            self.holds.ran_dry(open, idle);
        }
        err
    }
}

/// A pooled connection and the record that it is held.
pub struct Held<DB: sea_orm::sqlx::Database> {
    pub connection: PoolConnection<DB>,
    pub hold: Hold,
}

/// A transaction, recorded as held while it lives.
pub struct Transaction {
    txn: Txn,
    _hold: Hold,
}

enum Txn {
    SeaOrm(DatabaseTransaction),
    Pooled(PooledTransaction),
}

impl Transaction {
    pub async fn commit(self) -> Result<(), DbErr> {
        match self.txn {
            Txn::SeaOrm(txn) => txn.commit().await,
            Txn::Pooled(txn) => txn.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        match self.txn {
            Txn::SeaOrm(txn) => txn.rollback().await,
            Txn::Pooled(txn) => txn.rollback().await,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Transaction {
    fn get_database_backend(&self) -> DbBackend {
        match &self.txn {
            Txn::SeaOrm(txn) => txn.get_database_backend(),
            Txn::Pooled(_) => DbBackend::Postgres,
        }
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        super::tenant_guard::check(&statement.sql)?;
        match &self.txn {
            Txn::SeaOrm(txn) => txn.execute_raw(statement).await,
            Txn::Pooled(txn) => txn.run(statement, Wanted::Done).await?.done(),
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        super::tenant_guard::check(sql)?;
        match &self.txn {
            Txn::SeaOrm(txn) => txn.execute_unprepared(sql).await,
            Txn::Pooled(_) => {
                self.execute_raw(Statement::from_string(DbBackend::Postgres, sql))
                    .await
            }
        }
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        super::tenant_guard::check(&statement.sql)?;
        match &self.txn {
            Txn::SeaOrm(txn) => txn.query_one_raw(statement).await,
            Txn::Pooled(txn) => txn.run(statement, Wanted::Row).await?.row(),
        }
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        super::tenant_guard::check(&statement.sql)?;
        match &self.txn {
            Txn::SeaOrm(txn) => txn.query_all_raw(statement).await,
            Txn::Pooled(txn) => txn.run(statement, Wanted::Rows).await?.rows(),
        }
    }
}
