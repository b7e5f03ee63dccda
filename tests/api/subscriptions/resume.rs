//! Resuming with `after`: nothing missed or repeated, and the cursors refused.

use super::*;

#[tokio::test]
async fn after_resumes_at_the_seam_with_nothing_missed_or_repeated() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let (ws, first) = watch_plan(&app, &t.plan).await;
    let mut cursor = first["taskChanged"]["cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    // Whatever pokes came late were dropped; read the log's own account.
    drop(ws);
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(app.create_task(&t.plan, &format!("while away {i}")).await);
    }
    let mut ws = WsClient::connect(&app.address).await;
    ws.subscribe(
        "1",
        TASK_CHANGES,
        json!({ "plan": t.plan, "after": cursor }),
    )
    .await;
    let mut replayed = Vec::new();
    loop {
        let change = event(&mut ws, "1", "taskChanged").await;
        cursor = change["cursor"].as_str().expect("cursor").to_owned();
        replayed.push(change["id"].as_str().expect("id").to_owned());
        if replayed.last() == made.last() {
            break;
        }
    }
    // Late pokes come first, then exactly what was made, in order.
    let tail: Vec<String> = replayed[replayed.len() - made.len()..].to_vec();
    assert_eq!(tail, made);
    let live = app.create_task(&t.plan, "live").await;
    let change = event(&mut ws, "1", "taskChanged").await;
    assert_eq!(change["id"], live.as_str());
    ws.expect_silence(Duration::from_millis(300)).await;
    assert_ne!(change["cursor"].as_str(), Some(cursor.as_str()));
}

#[tokio::test]
async fn a_cursor_older_than_the_retention_or_not_a_cursor_is_bad_user_input() {
    let app = spawn_app_with(|config| {
        config.serve.change_retention = Duration::from_secs(1);
    })
    .await;
    let t = tree(&app).await;
    let (mut ws, first) = watch_plan(&app, &t.plan).await;
    let cursor = first["taskChanged"]["cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    for (id, after) in [
        ("2", "nonsense".to_owned()),
        ("3", "YWdlbnRncmFwaDp2Mjp4".to_owned()),
    ] {
        ws.subscribe(id, TASK_CHANGES, json!({ "after": after }))
            .await;
        let message = ws.message().await;
        assert_eq!(message["type"], "next", "{message}");
        assert_bad_input(&message["payload"], "after");
        assert_eq!(ws.message().await["type"], "complete");
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    ws.subscribe("4", TASK_CHANGES, json!({ "after": cursor }))
        .await;
    let message = ws.message().await;
    assert_bad_input(&message["payload"], "after");
    let text = message["payload"]["errors"][0]["message"]
        .as_str()
        .unwrap_or("");
    assert!(text.contains("retention"), "{text}");
}
