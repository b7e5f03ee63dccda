//! The queue's statements are written as SQL text (a claim's CTE with
//! `FOR UPDATE SKIP LOCKED`, a recursive cancel, guarded updates that
//! return the row): this binds their values with the backend's numbered
//! placeholders, so one text serves both.

use entity::TaskStatus;
use sea_orm::{ActiveEnum, DbBackend, Statement, Value, Values};

pub(crate) struct Sql {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    /// Binds `value`; its placeholder (`$3`, `?3`) may appear any number of
    /// times.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        let n = self.values.len();
        match self.backend {
            DbBackend::Postgres => format!("${n}"),
            _ => format!("?{n}"),
        }
    }

    /// Binds each value: `$1, $2, $3`.
    pub(crate) fn bind_list<V: Into<Value>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
    ) -> String {
        values
            .into_iter()
            .map(|value| self.bind(value))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn finish(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, Values(self.values))
    }
}

/// `'PENDING', 'RUNNING'`: statuses are the enum's own constants, written
/// into the text so that the planner can match the claim's partial index.
pub(crate) fn statuses(statuses: &[TaskStatus]) -> String {
    statuses
        .iter()
        .map(|status| format!("'{}'", status.to_value()))
        .collect::<Vec<_>>()
        .join(", ")
}
