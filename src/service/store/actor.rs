//! Who last wrote a row: the `actor` column of every resource table
//! (migration `m20261209_000002_history`), the caller's name (an API key's,
//! a token's `sub`; NULL with credentials off and for the server's own
//! writes). The change-log triggers copy it into each change, which is how
//! a history knows who made it in the same transaction as the change.
//!
//! No model carries it, so no read pays for it: the statements that write
//! a row name it beside the model's columns, in the same statement.

use sea_orm::sea_query::{Alias, DynIden, Expr, IntoIden, SimpleExpr};
use sea_orm::{ConnectionTrait, QueryFilter};

use super::resource::{Resource, in_tenant};
use crate::auth::{Caller, Tenant};
use crate::error::Result;

/// Who a write is recorded as: the caller's name.
pub(crate) type Actor<'a> = Option<&'a str>;

pub(crate) fn of(caller: &Caller) -> Actor<'_> {
    caller.name.as_deref()
}

/// The column, for statements built with the query builder.
pub(crate) fn column() -> DynIden {
    Alias::new("actor").into_iden()
}

/// The value to write.
pub(crate) fn value(actor: Actor<'_>) -> SimpleExpr {
    Expr::val(actor.map(str::to_owned))
}

/// Deletes the rows of `E` in `tenant` that `condition` selects, as
/// `actor`: the rows are stamped with the deleter first, so that the delete
/// trigger logs who deleted them. The stamp moves no version, so the update
/// trigger logs nothing for it; it costs one statement per delete, which
/// is rare. How many rows went.
pub(crate) async fn delete<E: Resource>(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    condition: SimpleExpr,
    actor: Actor<'_>,
) -> Result<u64> {
    E::update_many()
        .col_expr(column(), value(actor))
        .filter(in_tenant::<E>(tenant))
        .filter(condition.clone())
        .exec(db)
        .await?;
    Ok(E::delete_many()
        .filter(in_tenant::<E>(tenant))
        .filter(condition)
        .exec(db)
        .await?
        .rows_affected)
}
