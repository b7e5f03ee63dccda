//! Orderings of a resource's rows and the keyset positions within them.
//!
//! Every ordering is a sort column followed by the id, both in the same
//! direction, so it is total and a position is the pair (sort value, id).
//! Walking past a position is one row-value comparison, `(k, id) > (?, ?)`,
//! which both backends answer with a range scan of a `(…, k, id)` index.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Order};
use sea_orm::{IdenStatic, ModelTrait, Value};
use uuid::Uuid;

use crate::service::store::resource::Resource;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    #[default]
    Asc,
    Desc,
}

impl Direction {
    #[must_use]
    pub(crate) fn reversed(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }

    pub(crate) fn as_order(self) -> Order {
        match self {
            Self::Asc => Order::Asc,
            Self::Desc => Order::Desc,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

/// A column of `E`, comparable and hashable by its position, so it can be
/// part of a loader key (sea-orm's column enums implement neither).
pub(crate) struct ColumnOf<E: Resource>(pub E::Column);

impl<E: Resource> ColumnOf<E> {
    fn position(&self) -> u32 {
        self.0.into()
    }
}

impl<E: Resource> Clone for ColumnOf<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E: Resource> Copy for ColumnOf<E> {}
impl<E: Resource> PartialEq for ColumnOf<E> {
    fn eq(&self, other: &Self) -> bool {
        self.position() == other.position()
    }
}
impl<E: Resource> Eq for ColumnOf<E> {}
impl<E: Resource> Hash for ColumnOf<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.position().hash(state);
    }
}
impl<E: Resource> std::fmt::Debug for ColumnOf<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// An ordering of `E`'s rows: `column` then the id, in `direction`.
pub(crate) struct Sort<E: Resource> {
    pub(crate) column: ColumnOf<E>,
    pub(crate) direction: Direction,
}

impl<E: Resource> Sort<E> {
    pub(crate) fn new(column: E::Column, direction: Direction) -> Self {
        Self {
            column: ColumnOf(column),
            direction,
        }
    }

    /// The contract's default: oldest first.
    pub(crate) fn oldest_first() -> Self {
        Self::new(E::created_at_column(), Direction::Asc)
    }

    /// Names the ordering inside cursors, so that a cursor is only taken
    /// under the ordering it was made in.
    pub(crate) fn tag(&self) -> String {
        format!(
            "{}.{}.{}",
            E::default().table_name(),
            self.column.0.as_str(),
            self.direction.as_str()
        )
    }

    /// Where `model` stands in this ordering; `None` when the row was read
    /// without its sort column (never: pages always read it).
    pub(crate) fn key_of(&self, model: &E::Model) -> Option<Key> {
        SortValue::from_value(model.get(self.column.0)).map(|value| Key {
            value,
            id: E::id_of(model),
        })
    }

    /// Rows strictly beyond `key` when walking in `walking`.
    pub(crate) fn beyond(&self, key: &Key, walking: Direction) -> Expr {
        let table = E::default();
        let row = Expr::tuple([
            Expr::col((table, self.column.0)),
            Expr::col((table, E::id_column())),
        ]);
        let at = Expr::tuple([Expr::val(key.value.to_value()), Expr::val(key.id)]);
        match walking {
            Direction::Asc => row.gt(at),
            Direction::Desc => row.lt(at),
        }
    }
}

impl<E: Resource> Clone for Sort<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E: Resource> Copy for Sort<E> {}
impl<E: Resource> PartialEq for Sort<E> {
    fn eq(&self, other: &Self) -> bool {
        self.column == other.column && self.direction == other.direction
    }
}
impl<E: Resource> Eq for Sort<E> {}
impl<E: Resource> Hash for Sort<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.column.hash(state);
        self.direction.hash(state);
    }
}
impl<E: Resource> std::fmt::Debug for Sort<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.tag())
    }
}

/// A row's position in an ordering.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) value: SortValue,
    pub(crate) id: Uuid,
}

/// The value of a sort column. The contract orders by timestamps, names and
/// priorities, so these three kinds cover every ordering.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum SortValue {
    Time(DateTime<Utc>),
    Int(i32),
    Text(String),
}

impl SortValue {
    pub(crate) fn from_value(value: Value) -> Option<Self> {
        match value {
            Value::ChronoDateTimeUtc(Some(at)) => Some(Self::Time(at)),
            Value::Int(Some(n)) => Some(Self::Int(n)),
            Value::String(Some(text)) => Some(Self::Text(text)),
            _ => None,
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        match self {
            Self::Time(at) => Value::ChronoDateTimeUtc(Some(*at)),
            Self::Int(n) => Value::Int(Some(*n)),
            Self::Text(text) => Value::String(Some(text.clone())),
        }
    }
}
