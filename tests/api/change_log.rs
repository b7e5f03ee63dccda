//! Pruning the change log: what goes and what stays.

use sea_orm::{ConnectionTrait, Statement};

use std::time::Duration;

use crate::helpers::{TestApp, spawn_app_with};

async fn logged_seqs(app: &TestApp) -> Vec<i64> {
    let backend = app.db.reader.get_database_backend();
    app.db
        .reader
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT seq FROM change_log WHERE /* every tenant */ 1 = 1 ORDER BY seq",
        ))
        .await
        .expect("read the log")
        .iter()
        .map(|row| row.try_get_by_index::<i64>(0).expect("a seq"))
        .collect()
}

async fn set_at(app: &TestApp, seq: i64, at: i64) {
    let backend = app.db.writes.get_database_backend();
    app.db
        .writes
        .execute_raw(Statement::from_string(
            backend,
            format!("UPDATE change_log SET at = {at} WHERE /* every tenant */ seq = {seq}"),
        ))
        .await
        .expect("age a change");
}

#[tokio::test]
async fn pruning_takes_the_expired_changes_up_to_the_first_young_one() {
    // A retention longer than the epoch is old: the server's own pruning,
    // which may run at any moment, then finds nothing to take (its cutoff
    // is before 1970), and only this test's prunes change the log.
    let century = Duration::from_secs(100 * 365 * 24 * 3600);
    let app = spawn_app_with(|config| config.serve.change_retention = century).await;
    for n in 0..5 {
        app.create_agent(&format!("agent {n}")).await;
    }
    let seqs = logged_seqs(&app).await;
    assert_eq!(seqs.len(), 5, "one change per create: {seqs:?}");
    // Expired, expired, young, expired, young: in seq order.
    let cutoff = 1_000;
    for (seq, at) in [(seqs[0], 10), (seqs[1], 20), (seqs[3], 30)] {
        set_at(&app, seq, at).await;
    }

    let pruned = agentgraph::testing::prune(&app.db.writes, cutoff)
        .await
        .expect("prune");
    assert_eq!(pruned, 2);
    assert_eq!(logged_seqs(&app).await, seqs[2..].to_vec());

    // The young change still bounds the next prune; once it expires too,
    // everything before the last young one goes.
    set_at(&app, seqs[2], 40).await;
    let pruned = agentgraph::testing::prune(&app.db.writes, cutoff)
        .await
        .expect("prune");
    assert_eq!(pruned, 2);
    assert_eq!(logged_seqs(&app).await, vec![seqs[4]]);

    // Nothing young left: the whole log goes.
    set_at(&app, seqs[4], 50).await;
    let pruned = agentgraph::testing::prune(&app.db.writes, cutoff)
        .await
        .expect("prune");
    assert_eq!(pruned, 1);
    assert!(logged_seqs(&app).await.is_empty());
}
