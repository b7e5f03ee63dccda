//! Producers: each creates its share of the run's plans, ACTIVE at once so
//! that their tasks are claimable from the start, each plan with its tasks
//! in one `createPlan` under an idempotency key (a retry after a lost
//! answer returns the same plan instead of making a second).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use rand::rngs::StdRng;
use serde_json::{Value, json};
use uuid::Uuid;

use super::documents::CREATE_PLAN;
use super::gql::GqlError;
use super::ledger::Origin;
use super::spec::{TaskSpec, plan_specs};
use super::stats::QueueOp;
use super::watch::uuid_of;
use super::{Ctx, PlanMade, Produced};

/// Creates plans `first`, `first + step`, ... of the run under `goal`.
pub(crate) async fn run(
    ctx: Arc<Ctx>,
    produced: Arc<Produced>,
    goal: Uuid,
    first: usize,
    step: usize,
) {
    let mut rng: StdRng = rand::make_rng();
    let config = &ctx.config;
    let plans = config.tasks.div_ceil(config.plan_size);
    for number in (first..plans).step_by(step.max(1)) {
        if *ctx.stop.borrow() {
            return;
        }
        let count = config
            .plan_size
            .min(config.tasks - number * config.plan_size);
        let specs = plan_specs(&ctx.mix, count, &mut rng);
        match create(&ctx, goal, number, &specs).await {
            Ok(plan) => {
                produced.tasks.fetch_add(count, Ordering::AcqRel);
                produced
                    .plans
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(PlanMade {
                        id: plan,
                        tasks: count,
                    });
            }
            Err(err) => produced
                .errors
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(format!("createPlan {number}: {err}")),
        }
    }
}

async fn create(ctx: &Ctx, goal: Uuid, number: usize, specs: &[TaskSpec]) -> Result<Uuid, String> {
    let task_type = &ctx.task_type;
    let tasks: Vec<Value> = specs
        .iter()
        .enumerate()
        .map(|(index, spec)| {
            spec.input(task_type, format!("{task_type} plan {number} task {index}"))
        })
        .collect();
    let variables = json!({ "input": {
        "goalId": goal,
        "description": format!("{task_type} plan {number}"),
        "status": "ACTIVE",
        "idempotencyKey": format!("{task_type}-plan-{number}"),
        "tasks": tasks,
    } });
    let answer = ctx
        .gql
        .call_retrying(
            &ctx.recorder,
            QueueOp::CreatePlan,
            CREATE_PLAN,
            &variables,
            ctx.config.retry_budget,
            GqlError::is_retryable,
        )
        .await
        .map_err(|err| err.to_string())?;
    let plan = &answer.data["createPlan"];
    let id = uuid_of(&plan["id"]).ok_or_else(|| format!("createPlan answered {plan}"))?;
    let ids: Vec<Uuid> = plan["tasks"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|node| uuid_of(&node["id"]))
        .collect();
    if ids.len() != specs.len() || plan["status"] != "ACTIVE" {
        return Err(format!(
            "createPlan with {} tasks answered status {} and {} task ids",
            specs.len(),
            plan["status"],
            ids.len()
        ));
    }
    for (index, (task, spec)) in ids.iter().zip(specs).enumerate() {
        let depends_on = spec
            .depends_on
            .iter()
            .map(|earlier| ids[*earlier])
            .collect();
        ctx.ledger.register(
            *task,
            Origin {
                plan: id,
                index,
                spec: spec.clone(),
                depends_on,
            },
        );
    }
    Ok(id)
}
