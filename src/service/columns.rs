//! Column projection: a list reads only the columns its GraphQL selection
//! needs. A page of 1,000 tasks asked for `{ id }` otherwise decodes every
//! timestamp and JSON document of every row only to drop them.

use sea_orm::{ColumnTrait, DbErr, QueryResult, TryGetable};

/// A set of columns of one entity, by position in its `Column` enum. The id
/// is always read, whether or not the set names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Columns(u64);

impl Columns {
    /// Every column: whole models, as writes and by-id lookups return them.
    pub const ALL: Self = Self(u64::MAX);
    /// Only the id.
    pub const ID: Self = Self(0);

    pub fn is_all(self) -> bool {
        self == Self::ALL
    }

    #[must_use]
    pub fn with<C: ColumnTrait>(self, column: C) -> Self {
        match position(column) {
            Some(bit) => Self(self.0 | 1 << bit),
            None => Self::ALL,
        }
    }

    pub fn contains<C: ColumnTrait>(self, column: C) -> bool {
        position(column).is_none_or(|bit| self.0 & 1 << bit != 0)
    }

    /// The columns to name in a SELECT, in declaration order.
    pub fn selected<C: ColumnTrait>(self, id: C) -> impl Iterator<Item = C> {
        C::iter().filter(move |c| c.as_str() == id.as_str() || self.contains(*c))
    }

    /// The value of `column` in `row` when the set holds it; otherwise a
    /// placeholder, which no resolver reads, because the selection that made
    /// the set asks for no field that needs the column.
    pub fn read<C: ColumnTrait, T: TryGetable + Default>(
        self,
        row: &QueryResult,
        column: C,
    ) -> Result<T, DbErr> {
        if self.contains(column) {
            row.try_get("", column.as_str())
        } else {
            Ok(T::default())
        }
    }
}

fn position<C: ColumnTrait>(column: C) -> Option<u32> {
    C::iter()
        .position(|c| c.as_str() == column.as_str())
        .and_then(|at| u32::try_from(at).ok())
        .filter(|&bit| bit < u64::BITS)
}
