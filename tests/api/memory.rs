//! What each database connection may keep in memory is the server's
//! configuration, not SQLite's default.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::{is_postgres, spawn_app_with};

#[tokio::test]
async fn the_configured_sqlite_page_cache_reaches_every_connection() {
    if is_postgres() {
        return;
    }
    let app = spawn_app_with(|config| config.serve.sqlite_cache_kib = 384).await;
    for pool in [app.db.reader.pool(), &app.db.writer] {
        let row = pool
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA cache_size",
            ))
            .await
            .expect("pragma")
            .expect("a row");
        // Negative: KiB rather than pages.
        assert_eq!(row.try_get_by_index::<i64>(0).expect("a number"), -384);
    }
}
