//! `latency` and `wake`: one claim at a time, on one instance or woken
//! through another.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use crate::gql::{
    CREATE_TASK, Gql, READ, active_plan, agent_and_goal, claim, complete, histogram, id, record,
    summary,
};

pub(crate) async fn latency(gql: &Gql, count: usize, warmup: usize) -> anyhow::Result<Value> {
    let (agent, goal) = agent_and_goal(gql).await?;
    let plan = active_plan(gql, &goal, 0).await?;
    let (mut claims, mut reads) = (histogram()?, histogram()?);
    for i in 0..warmup + count {
        let created = gql
            .run(
                CREATE_TASK,
                json!({ "input": { "planId": plan, "description": "one at a time" } }),
            )
            .await?;
        let task = id(&created["createTask"])?;
        let started = Instant::now();
        let leases = claim(gql, json!({ "agentId": agent, "limit": 1 })).await?;
        let claimed = started.elapsed();
        let started = Instant::now();
        gql.run(READ, json!({ "id": task })).await?;
        let read = started.elapsed();
        let [lease] = leases.as_slice() else {
            bail!(
                "a claim with one ready task returned {} leases",
                leases.len()
            );
        };
        if lease.id != task {
            bail!("claimed {} instead of {task}", lease.id);
        }
        complete(gql, lease).await?;
        if i >= warmup {
            record(&mut claims, claimed);
            record(&mut reads, read);
        }
    }
    Ok(json!({ "claim": summary(&claims), "read": summary(&reads) }))
}

pub(crate) async fn wake(
    claimant: &Gql,
    producer: &Gql,
    count: usize,
    wait_seconds: u64,
    park_ms: u64,
) -> anyhow::Result<Value> {
    let (agent, goal) = agent_and_goal(producer).await?;
    let plan = active_plan(producer, &goal, 0).await?;
    let (mut from_send, mut from_answer) = (histogram()?, histogram()?);
    let mut missed = 0;
    for _ in 0..count {
        let parked = {
            let (gql, input) = (
                claimant.clone(),
                json!({ "agentId": agent, "limit": 1, "waitSeconds": wait_seconds }),
            );
            tokio::spawn(async move {
                let leases = claim(&gql, input).await;
                (leases, Instant::now())
            })
        };
        tokio::time::sleep(Duration::from_millis(park_ms)).await;
        let sent = Instant::now();
        let created = producer
            .run(
                CREATE_TASK,
                json!({ "input": { "planId": plan, "description": "wake a claimant" } }),
            )
            .await?;
        let answered = Instant::now();
        let task = id(&created["createTask"])?;
        let (leases, claimed) = parked.await.context("the claimant panicked")?;
        let leases = leases?;
        match leases.as_slice() {
            [lease] if lease.id == task => {
                record(&mut from_send, claimed.saturating_duration_since(sent));
                record(
                    &mut from_answer,
                    claimed.saturating_duration_since(answered),
                );
                complete(claimant, lease).await?;
            }
            _ => {
                // Woken by nothing within the wait: the task is left to the
                // next round's claim, which takes it at once and is not timed.
                missed += 1;
                for lease in claim(claimant, json!({ "agentId": agent, "limit": 10 })).await? {
                    complete(claimant, &lease).await?;
                }
            }
        }
    }
    Ok(
        json!({ "fromSend": summary(&from_send), "fromAnswer": summary(&from_answer), "missed": missed }),
    )
}
