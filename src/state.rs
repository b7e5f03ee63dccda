//! What every request handler shares.

use async_graphql::Context;

use crate::db::Db;
use crate::graphql::AppSchema;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub schema: AppSchema,
}

/// The database, from a resolver.
pub fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}
