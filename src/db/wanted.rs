//! What a statement is run for ([`Wanted`]) and what it gives back
//! ([`Output`]): one shape for the kept connections (`super::kept`) and
//! the pooled transactions (`super::pooled_transaction`), each of which
//! answers sea-orm's `ConnectionTrait` with it.

use std::sync::Arc;

use sea_orm::sqlx;
use sea_orm::{DbErr, ExecResult, QueryResult, RuntimeErr};

#[derive(Clone, Copy)]
pub(super) enum Wanted {
    Rows,
    Row,
    Done,
}

impl Wanted {
    /// `err` as sea-orm reports a statement's failure: a write's as
    /// `Exec`, a read's as `Query`.
    pub(super) fn failed(self, err: sqlx::Error) -> DbErr {
        match self {
            Self::Done => DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err))),
            Self::Rows | Self::Row => query_failed(err),
        }
    }
}

/// `err` as sea-orm reports a failed query, or a failed COMMIT.
pub(super) fn query_failed(err: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
}

pub(super) enum Output {
    Rows(Vec<QueryResult>),
    Row(Option<QueryResult>),
    Done(ExecResult),
}

impl Output {
    pub(super) fn done(self) -> Result<ExecResult, DbErr> {
        match self {
            Self::Done(done) => Ok(done),
            _ => Err(unexpected()),
        }
    }

    pub(super) fn row(self) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Self::Row(row) => Ok(row),
            _ => Err(unexpected()),
        }
    }

    pub(super) fn rows(self) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Self::Rows(rows) => Ok(rows),
            _ => Err(unexpected()),
        }
    }
}

fn unexpected() -> DbErr {
    DbErr::Custom("a statement answered with another kind of result".into())
}

/// `$query` (a bound query or a simple one) run on `$executor` for an
/// [`Output`] of the kind `$wanted` asks for. Macros, not functions
/// generic over the executor: such a function's future is not `Send` for
/// every lifetime, which `async_trait` asks of a statement's.
macro_rules! output_of {
    ($query:expr, $executor:expr, $wanted:expr) => {{
        use $crate::db::wanted::{Output, Wanted};
        let query = $query;
        match $wanted {
            Wanted::Rows => query
                .fetch_all($executor)
                .await
                .map(|rows| Output::Rows(rows.into_iter().map(Into::into).collect())),
            Wanted::Row => query
                .fetch_optional($executor)
                .await
                .map(|row| Output::Row(row.map(Into::into))),
            Wanted::Done => query
                .execute($executor)
                .await
                .map(|done| Output::Done(done.into())),
        }
    }};
}
pub(super) use output_of;

/// `$sql` with `$values` (`sea_orm::Values`) bound, as [`output_of`] runs
/// it; named and cached by sqlx when `$persistent`.
macro_rules! run_bound {
    ($executor:expr, $sql:expr, $values:expr, $wanted:expr, $persistent:expr) => {
        $crate::db::wanted::output_of!(
            sea_orm::sqlx::query_with(
                sea_orm::sqlx::AssertSqlSafe($sql),
                sea_query_sqlx::SqlxValues($values),
            )
            .persistent($persistent),
            $executor,
            $wanted
        )
    };
}
pub(super) use run_bound;
