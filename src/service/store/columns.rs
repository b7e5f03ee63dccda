//! Column projection: a list reads only the columns its GraphQL selection
//! needs. A page of 1,000 tasks asked for `{ id }` otherwise decodes every
//! timestamp and JSON document of every row only to drop them.

use sea_orm::{ColumnTrait, DbErr, QueryResult, TryGetable};

/// A set of columns of one entity, by position in its `Column` enum (the
/// entity crate numbers them). The id is always read, whether or not the
/// set names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Columns(u64);

impl Columns {
    /// Every column: whole models, as writes and by-id lookups return them.
    pub(crate) const ALL: Self = Self(u64::MAX);
    /// Only the id.
    pub(crate) const ID: Self = Self(0);

    #[must_use]
    pub(crate) fn with<C: ColumnTrait + Into<u32>>(self, column: C) -> Self {
        match position(column) {
            Some(bit) => Self(self.0 | 1 << bit),
            None => Self::ALL,
        }
    }

    pub(crate) fn contains<C: ColumnTrait + Into<u32>>(self, column: C) -> bool {
        position(column).is_none_or(|bit| self.0 & 1 << bit != 0)
    }

    /// The columns to name in a SELECT, the id included, in declaration order.
    pub(crate) fn selected<C: ColumnTrait + Into<u32>>(self, id: C) -> impl Iterator<Item = C> {
        let set = self.with(id);
        C::iter().filter(move |c| set.contains(*c))
    }

    /// The value of `column` in `row` when the set holds it; otherwise a
    /// placeholder, which no resolver reads, because the selection that made
    /// the set asks for no field that needs the column.
    pub(crate) fn read<C: ColumnTrait + Into<u32>, T: TryGetable + Default>(
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

/// Columns past the 64th are in every set.
fn position<C: Into<u32>>(column: C) -> Option<u32> {
    Some(column.into()).filter(|&bit| bit < u64::BITS)
}

#[cfg(test)]
mod tests {
    use entity::task::Column;
    use sea_orm::{IdenStatic, Iterable};

    use super::Columns;

    fn names(columns: Columns) -> Vec<&'static str> {
        columns.selected(Column::Id).map(|c| c.as_str()).collect()
    }

    #[test]
    fn a_set_selects_the_id_and_its_own_columns_in_declaration_order() {
        assert_eq!(names(Columns::ID), ["id"]);
        let set = Columns::ID.with(Column::Status).with(Column::PlanId);
        assert_eq!(names(set), ["id", "plan_id", "status"]);
        assert!(set.contains(Column::Status) && !set.contains(Column::InputData));
    }

    #[test]
    fn every_column_has_a_place_of_its_own() {
        let all = Column::iter().fold(Columns::ID, Columns::with);
        assert_eq!(names(all).len(), Column::iter().count());
        assert_eq!(names(Columns::ALL), names(all));
    }
}
