//! The typed client end to end: who the server takes us to be, an agent, a
//! goal created together with its plans and their tasks, the tree read back
//! nested, an update that only applies to the version read, and the tasks
//! counted (a plan's progress, the queue by status).
//!
//! ```sh
//! cargo run -- serve &                      # the server, on 127.0.0.1:8000
//! cargo run -p agentgraph-client --example quickstart
//! ```
//!
//! `AGENTGRAPH_URL` names another endpoint, `AGENTGRAPH_API_KEY` a key;
//! `AGENTGRAPH_SEND=apq` sends automatic persisted queries (hashes first).

use agentgraph_client::{
    Client, Error, create_agent, create_goal, task_stats, update_goal, update_task,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("AGENTGRAPH_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8000/graphql".to_owned());
    let key = std::env::var("AGENTGRAPH_API_KEY").ok();
    let apq = std::env::var("AGENTGRAPH_SEND").is_ok_and(|send| send == "apq");
    let client = Client::new(&url, key.as_deref())?.with_persisted_queries(apq);

    let viewer = client.viewer().await?;
    println!(
        "viewer: {:?} of tenant {}, {}{}",
        viewer.role,
        viewer.tenant,
        viewer.name.as_deref().unwrap_or("no credential name"),
        viewer
            .agent
            .as_ref()
            .map(|agent| format!(", acting as agent {} ({})", agent.name, agent.id))
            .unwrap_or_default()
    );

    let agent = client
        .create_agent(create_agent::CreateAgentInput {
            name: "quickstart-researcher".into(),
            did: None,
            status: None,
            configuration: Some(serde_json::json!({ "max_tokens": 1000 })),
            metadata: None,
            idempotency_key: None,
        })
        .await?;
    println!(
        "agent {} ({:?}, version {})",
        agent.id, agent.status, agent.version
    );

    // One mutation, one transaction: the goal, two plans, three tasks.
    let task = |description: &str, agent_id| create_goal::NewTaskInput {
        agent_id,
        description: description.into(),
        task_type: Some("research".into()),
        input_data: None,
        priority: None,
        run_at: None,
        max_attempts: None,
        depends_on: None,
    };
    let goal = client
        .create_goal(create_goal::CreateGoalInput {
            agent_id: agent.id,
            description: "Survey vector databases".into(),
            success_criteria: Some(vec!["five engines compared".into()]),
            priority: Some(8),
            plans: Some(vec![
                create_goal::NewPlanInput {
                    description: "Read the docs".into(),
                    status: None,
                    tasks: Some(vec![task("Qdrant", None), task("Milvus", Some(agent.id))]),
                },
                create_goal::NewPlanInput {
                    description: "Benchmark".into(),
                    status: Some(create_goal::PlanStatus::ACTIVE),
                    tasks: Some(vec![task("1M vectors", Some(agent.id))]),
                },
            ]),
            idempotency_key: None,
        })
        .await?;
    println!("goal {} created with its plans and tasks", goal.id);

    let tree = client
        .get_goal(goal.id)
        .await?
        .ok_or("the goal just created is not there")?;
    println!("{} (priority {}):", tree.description, tree.priority);
    for plan in &tree.plans.nodes {
        println!("  plan {} [{:?}]", plan.description, plan.status);
        for task in &plan.tasks.nodes {
            println!("    task {} [{:?}]", task.description, task.status);
        }
    }
    let tasks: usize = tree.plans.nodes.iter().map(|p| p.tasks.nodes.len()).sum();
    assert_eq!(
        (tree.plans.nodes.len(), tasks),
        (2, 3),
        "the tree read back"
    );

    // Optimistic concurrency: the update applies only to the version read.
    let changes = |priority| update_goal::UpdateGoalInput {
        description: None,
        success_criteria: None,
        priority: Some(priority),
        status: Some(update_goal::GoalStatus::ACTIVE),
        expected_version: Some(tree.version),
    };
    let updated = client.update_goal(goal.id, changes(9)).await?;
    println!(
        "goal updated: priority {}, {:?}, version {}",
        updated.priority, updated.status, updated.version
    );
    match client.update_goal(goal.id, changes(3)).await {
        Err(Error::GraphQL { code, .. }) if code == "CONFLICT" => {
            println!("a second update with the old version is refused: CONFLICT");
        }
        other => return Err(format!("expected CONFLICT, got {other:?}").into()),
    }

    let first = &tree.plans.nodes[0].tasks.nodes[0];
    let running = client
        .update_task(
            first.id,
            update_task::UpdateTaskInput {
                agent_id: None,
                description: None,
                status: Some(update_task::TaskStatus::RUNNING),
                output_data: None,
                error: None,
                expected_version: Some(first.version),
                priority: None,
                run_at: None,
                max_attempts: None,
            },
        )
        .await?;
    println!(
        "task {} is {:?} since {}",
        first.description,
        running.status,
        running.started_at.as_deref().unwrap_or("-")
    );

    // Counted by the server, not by paging through the tasks.
    let progress = client
        .plan_progress(tree.plans.nodes[0].id)
        .await?
        .ok_or("the plan just created is not there")?;
    let counts = &progress.task_counts;
    println!(
        "plan {}: {}/{} completed, {} running, {} pending, {} blocked, {} failed, {} cancelled",
        progress.description,
        counts.completed,
        counts.total,
        counts.running,
        counts.pending,
        counts.blocked,
        counts.failed,
        counts.cancelled
    );
    let goal_counts = &progress.goal.task_counts;
    println!(
        "its goal: {}/{} completed, {} running",
        goal_counts.completed, goal_counts.total, goal_counts.running
    );
    assert_eq!(
        (counts.total, counts.running, goal_counts.total),
        (2, 1, 3),
        "the plan's and the goal's counts"
    );

    // The whole queue's shape (every task the caller sees), by status.
    let stats = client
        .task_stats(None, vec![task_stats::TaskGroupBy::STATUS])
        .await?;
    println!("tasks by status:");
    for group in &stats {
        // Grouped by STATUS only: every group has one.
        let status = group
            .status
            .as_ref()
            .map_or_else(|| "-".to_owned(), |status| format!("{status:?}"));
        println!(
            "  {status}: {}, the oldest created {}",
            group.count, group.oldest_created_at
        );
    }
    let seen: i64 = stats.iter().map(|group| group.count).sum();
    assert!(seen >= 3, "the stats count at least this goal's tasks");

    // What happened to the task: its changes, who made them, what changed.
    let story = client.history(first.id, None, None).await?;
    println!("task {}'s history:", first.description);
    for entry in &story.nodes {
        println!(
            "  v{} {:?} at {} by {} changed {:?}",
            entry.version,
            entry.kind,
            entry.at,
            entry.actor.as_deref().unwrap_or("-"),
            entry.changed_fields
        );
    }
    let started = story.nodes.iter().any(|entry| {
        entry
            .changed_fields
            .iter()
            .any(|field| field == "startedAt")
    });
    assert!(
        story.nodes.len() >= 2 && started,
        "the task's history holds its creation and its start"
    );
    Ok(())
}
