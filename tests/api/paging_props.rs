//! A property test: any window of any ordering, read with any mix of
//! `first`/`after`/`last`/`before`, equals the same window of the list
//! sorted in memory, with exact page information.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::lists::{List, ids, sorted};

/// One request: a window between two positions (indexes into the sorted
/// list; `None` for no cursor), read from its start or from its end.
#[derive(Debug, Clone)]
struct Window {
    after: Option<usize>,
    before: Option<usize>,
    size: usize,
    backward: bool,
}

fn windows(len: usize) -> impl Strategy<Value = Vec<Window>> {
    let window = (
        proptest::option::of(0..len),
        proptest::option::of(0..len),
        1..=len + 2,
        any::<bool>(),
    )
        .prop_map(|(after, before, size, backward)| Window {
            after,
            before,
            size,
            backward,
        });
    proptest::collection::vec(window, 1..6)
}

/// What the server must answer for `window` over `all` (ids in order).
fn expected(all: &[String], window: &Window) -> (Vec<String>, bool, bool) {
    let start = window.after.map_or(0, |i| i + 1);
    let end = window.before.unwrap_or(all.len());
    let inside: Vec<String> = if start < end {
        all[start..end].to_vec()
    } else {
        Vec::new()
    };
    let more = inside.len() > window.size;
    if window.backward {
        let page = inside[inside.len().saturating_sub(window.size)..].to_vec();
        (page, window.before.is_some(), more)
    } else {
        let page = inside[..inside.len().min(window.size)].to_vec();
        (page, more, window.after.is_some())
    }
}

async fn check_window(
    app: &TestApp,
    list: &List,
    order: &Value,
    all: &[String],
    cursors: &[Value],
    window: &Window,
) -> Result<(), TestCaseError> {
    let cursor = |i: Option<usize>| i.map_or(Value::Null, |i| cursors[i].clone());
    let mut args =
        json!({ "after": cursor(window.after), "before": cursor(window.before), "order": order });
    args[if window.backward { "last" } else { "first" }] = json!(window.size);
    let page = list.page(app, args).await;
    let got: Vec<String> = page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    let (want, has_next, has_previous) = expected(all, window);
    prop_assert_eq!(&got, &want, "{} {} {:?}", list.name, order, window);
    prop_assert_eq!(
        &page["pageInfo"]["hasNextPage"],
        &json!(has_next),
        "{} {:?}",
        list.name,
        window
    );
    prop_assert_eq!(
        &page["pageInfo"]["hasPreviousPage"],
        &json!(has_previous),
        "{} {:?}",
        list.name,
        window
    );
    Ok(())
}

/// Runs the property over `list` under each of `orders`.
async fn windows_agree_with_memory(app: &TestApp, list: &List, orders: &[Value], cases: u32) {
    let everything = list.walk_forward(app, &Value::Null, 100).await;
    for order in orders {
        let field = order["field"].as_str().expect("field");
        let direction = order["direction"].as_str().unwrap_or("ASC");
        let all = ids(&sorted(&everything, field, direction));
        // Every object's cursor under this ordering, from one whole page.
        let page = list
            .page(app, json!({ "first": 100, "order": order }))
            .await;
        let cursors: Vec<Value> = page["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["cursor"].clone())
            .collect();
        assert_one_cursor_each(&cursors, &all);
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let handle = tokio::runtime::Handle::current();
        let result = runner.run(&windows(all.len()), |windows| {
            tokio::task::block_in_place(|| {
                handle.block_on(async {
                    for window in &windows {
                        check_window(app, list, order, &all, &cursors, window).await?;
                    }
                    Ok(())
                })
            })
        });
        if let Err(failure) = result {
            panic!("{} ordered by {order}: {failure}", list.name);
        }
    }
}

fn assert_one_cursor_each(cursors: &[Value], all: &[String]) {
    assert_eq!(cursors.len(), all.len(), "one page holds every object");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_windows_of_random_tasks_agree_with_the_list_sorted_in_memory() {
    let app = spawn_app().await;
    let agent = app.create_agent("worker").await;
    let goal = app.create_goal(&agent, "goal").await;
    let plan = app.create_plan(&goal, "plan").await;

    // Random data: how many tasks, and which of them change (in what order).
    let mut runner = TestRunner::default();
    let (count, touched) = (
        5usize..40,
        proptest::collection::vec(any::<prop::sample::Index>(), 0..30),
    )
        .new_tree(&mut runner)
        .expect("data")
        .current();
    let inputs: Vec<Value> = (0..count)
        .map(|i| json!({ "planId": plan, "description": format!("task {i}") }))
        .collect();
    let tasks = app
        .create_many("createTask", "CreateTaskInput", &inputs)
        .await;
    let updates: Vec<(String, Value)> = touched
        .iter()
        .map(|index| {
            (
                index.get(&tasks).clone(),
                json!({ "description": "changed" }),
            )
        })
        .collect();
    app.update_many("updateTask", "UpdateTaskInput", &updates)
        .await;

    let orders: Vec<Value> = ["CREATED_AT", "UPDATED_AT"]
        .iter()
        .flat_map(|field| {
            ["ASC", "DESC"].map(|direction| json!({ "field": field, "direction": direction }))
        })
        .collect();
    windows_agree_with_memory(&app, &List::top("tasks", "Task"), &orders, 24).await;
    windows_agree_with_memory(
        &app,
        &List::nested("plan", &plan, "tasks", "Task"),
        &orders,
        24,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_windows_of_agents_with_tied_names_agree_with_the_list_sorted_in_memory() {
    let app = spawn_app().await;
    let mut runner = TestRunner::default();
    let names = proptest::collection::vec("[a-c]{1,2}", 5..40)
        .new_tree(&mut runner)
        .expect("data")
        .current();
    let inputs: Vec<Value> = names.iter().map(|name| json!({ "name": name })).collect();
    app.create_many("createAgent", "CreateAgentInput", &inputs)
        .await;
    let orders = [
        json!({ "field": "NAME" }),
        json!({ "field": "NAME", "direction": "DESC" }),
    ];
    windows_agree_with_memory(&app, &List::top("agents", "Agent"), &orders, 32).await;
}
