//! The arguments every connection takes, checked together and turned into a
//! keyset page request, and the page information Relay defines.

use async_graphql::{Enum, SimpleObject};

use super::cursor;
use super::validate::Violations;
use crate::service::store::order::{Direction, Sort};
use crate::service::store::page::PageRequest;
use crate::service::store::resource::Resource;

pub(crate) const DEFAULT_FIRST: i32 = 20;
pub(crate) const MAX_PAGE: i32 = 100;

/// Which way an ordering runs; equal keys are ordered by id the same way.
#[derive(Enum, Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum OrderDirection {
    /// Smallest, earliest or first in the alphabet first.
    #[default]
    Asc,
    /// Largest, latest or last in the alphabet first.
    Desc,
}

impl From<OrderDirection> for Direction {
    fn from(direction: OrderDirection) -> Self {
        match direction {
            OrderDirection::Asc => Self::Asc,
            OrderDirection::Desc => Self::Desc,
        }
    }
}

/// `first`/`after` page forward, `last`/`before` backward (Relay).
#[derive(Debug, Clone, Default)]
pub(crate) struct PageArgs {
    pub(crate) first: Option<i32>,
    pub(crate) after: Option<String>,
    pub(crate) last: Option<i32>,
    pub(crate) before: Option<String>,
}

impl PageArgs {
    /// The page these arguments ask for under `sort`; every mistake is
    /// added to `violations` (`None` when there was one).
    pub(crate) fn request<E: Resource>(
        &self,
        sort: Sort<E>,
        scope: cursor::Scope,
        violations: &mut Violations,
    ) -> Option<PageRequest<E>> {
        let before = violations.count();
        let (size, backward) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                violations.add("last", "cannot be given together with first");
                (DEFAULT_FIRST, false)
            }
            (None, Some(last)) => (last, true),
            (first, None) => (first.unwrap_or(DEFAULT_FIRST), false),
        };
        if !(1..=MAX_PAGE).contains(&size) {
            let name = if backward { "last" } else { "first" };
            violations.add(name, format!("must be between 1 and {MAX_PAGE}"));
        }
        let mut position = |name: &str, given: Option<&str>| {
            let cursor = given?;
            let key = cursor::decode(&sort, scope, cursor);
            if key.is_none() {
                violations.add(name, "is not a cursor this server issued for this ordering");
            }
            key
        };
        let after = position("after", self.after.as_deref());
        let before_key = position("before", self.before.as_deref());
        (violations.count() == before).then(|| PageRequest {
            sort,
            limit: u64::try_from(size).unwrap_or(1),
            backward,
            after,
            before: before_key,
        })
    }
}

/// Relay's page information.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct PageInfo {
    /// Whether objects follow this page: exact when paging forward; when
    /// paging backward, whether `before` was given.
    pub(crate) has_next_page: bool,
    /// Whether objects come before this page: exact when paging backward;
    /// when paging forward, whether `after` was given.
    pub(crate) has_previous_page: bool,
    /// The cursor of the first object of this page: pass it as `before` for the page before.
    pub(crate) start_cursor: Option<String>,
    /// The cursor of the last object of this page: pass it as `after` for the next page.
    pub(crate) end_cursor: Option<String>,
}

/// A connection costs its selection once per object it may return, so
/// nesting large pages is refused before it runs.
pub(crate) fn page_complexity(
    first: Option<i32>,
    last: Option<i32>,
    child_complexity: usize,
) -> usize {
    let size = first.or(last).unwrap_or(DEFAULT_FIRST).clamp(1, MAX_PAGE);
    usize::try_from(size)
        .unwrap_or(1)
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

/// A field a list can be ordered by (`AgentOrderField`, …).
pub(crate) trait OrderField: async_graphql::InputType + Copy {
    type Entity: Resource;
    fn column(self) -> <Self::Entity as sea_orm::EntityTrait>::Column;
}

/// The enum of what a list of `$module` objects can be ordered by: each
/// variant is the column of the same name.
macro_rules! order_field {
    (
        $(#[$doc:meta])*
        $name:ident for $module:ident {
            $($(#[$variant_doc:meta])* $variant:ident,)*
        }
    ) => {
        $(#[$doc])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub(crate) enum $name {
            $($(#[$variant_doc])* $variant,)*
        }

        impl $crate::graphql::pagination::OrderField for $name {
            type Entity = $module::Entity;
            fn column(self) -> $module::Column {
                match self {
                    $(Self::$variant => $module::Column::$variant,)*
                }
            }
        }
    };
}
pub(crate) use order_field;

/// An ordering of a list: a field, then the id, both in one direction.
#[derive(async_graphql::InputObject, Clone, Copy)]
#[graphql(
    concrete(name = "AgentOrder", params(super::agent::AgentOrderField)),
    concrete(name = "GoalOrder", params(super::goal::GoalOrderField)),
    concrete(name = "PlanOrder", params(super::plan::PlanOrderField)),
    concrete(name = "TaskOrder", params(super::task::TaskOrderField))
)]
pub(crate) struct Order<F: OrderField> {
    /// What to order by; objects with equal values are ordered by id.
    pub(crate) field: F,
    /// ASC when not given.
    #[graphql(default_with = "Some(OrderDirection::Asc)")]
    pub(crate) direction: Option<OrderDirection>,
}

impl<F: OrderField> From<Order<F>> for Sort<F::Entity> {
    fn from(order: Order<F>) -> Self {
        Sort::new(
            order.field.column(),
            order.direction.unwrap_or_default().into(),
        )
    }
}
