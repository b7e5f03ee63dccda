//! The AGENT role: acting as agent X of its tenant, it reads the whole
//! tenant; it claims only as X and works only leases X holds; it creates
//! goals only for X and plans and tasks only under X's goals; it updates
//! X's goals, their plans and tasks, and tasks assigned to X; it never
//! touches agents and deletes nothing. An AGENT key whose agent is not one
//! of its tenant's has no agent and may do nothing that needs one.

use serde_json::json;

use super::report;
use super::roles::{TEAM, Team, expect};
use super::targets::{Call, catalogue, snapshot};
use crate::subscriptions::subscribe_live;

/// What an AGENT may do to its own agent's objects, by mutation.
fn allowed_on_its_own(field: &str) -> bool {
    !(field.ends_with("Agent") || field.starts_with("delete"))
}

#[tokio::test]
async fn an_agent_caller_reads_the_whole_tenant_and_knows_who_it_is() {
    let team = Team::new().await;
    assert_eq!(snapshot(&team.agent_x).await, snapshot(&team.writer).await);
    let viewer = team
        .agent_x
        .gql_ok("{ viewer { role tenant name agent { id } } }", json!({}))
        .await;
    assert_eq!(
        viewer["viewer"],
        json!({ "role": "AGENT", "tenant": TEAM, "name": "agent-x", "agent": { "id": team.x.agent } })
    );
    // Another agent's changes too.
    let mut ws = team.agent_x.ws().await;
    let heard = subscribe_live(
        &mut ws,
        "1",
        "subscription($goal: UUID) { planChanged(goalId: $goal) { plan { description } } }",
        json!({ "goal": team.y.goal }),
        || async {
            team.writer
                .create(
                    "createPlan",
                    json!({ "goalId": team.y.goal, "description": "Y's" }),
                )
                .await;
        },
    )
    .await;
    assert_eq!(heard["planChanged"]["plan"]["description"], "Y's");
}

#[tokio::test]
async fn an_agent_caller_works_its_own_goals_plans_tasks_and_leases_and_touches_no_agent_and_deletes_nothing()
 {
    let team = Team::new().await;
    let mut failures = Vec::new();
    for call in catalogue(&team.x) {
        let allowed = allowed_on_its_own(call.field);
        expect(
            &team,
            &team.agent_x,
            "AGENT X on X's",
            &call,
            allowed,
            &mut failures,
        )
        .await;
    }
    // Y's goal, but assigned to X.
    let update = Call {
        field: "updateTask",
        label: "updateTask of a task assigned to X under Y's goal",
        document: "mutation($id: UUID!) { updateTask(id: $id, input: { description: \"done by X\" }) { id } }"
            .to_owned(),
        variables: json!({ "id": team.assigned_to_x }),
    };
    expect(
        &team,
        &team.agent_x,
        "AGENT X",
        &update,
        true,
        &mut failures,
    )
    .await;
    report("AGENT X on its own", &failures);
}

/// Y's goal, plans, tasks and leases (with Y's tokens), and claims as Y:
/// every call FORBIDDEN, nothing changed.
#[tokio::test]
async fn an_agent_caller_touches_nothing_of_another_agent() {
    let team = Team::new().await;
    let mut failures = Vec::new();
    for call in catalogue(&team.y) {
        expect(
            &team,
            &team.agent_x,
            "AGENT X on Y's",
            &call,
            false,
            &mut failures,
        )
        .await;
    }
    // Y itself may (its own lease), which shows the lease was live.
    let (task, token) = &team.y.leases[0];
    let body = team
        .agent_y
        .gql(
            "mutation($id: UUID!, $token: String!) { heartbeatTask(id: $id, token: $token) { token } }",
            json!({ "id": task, "token": token }),
        )
        .await;
    assert!(
        body.get("errors").is_none(),
        "Y heartbeats its own lease: {body}"
    );
    report("AGENT X on Y's", &failures);
}

/// A key whose agent id names no agent of its tenant (none at all, or one
/// of another tenant) has no agent: `viewer.agent` is null and whatever
/// needs an agent is FORBIDDEN, even naming that id.
#[tokio::test]
async fn an_agent_key_whose_agent_is_not_of_its_tenant_has_none_and_may_do_nothing_that_needs_one()
{
    let team = Team::new().await;
    let mut failures = Vec::new();
    for (who, caller, own) in [
        ("ghost", &team.ghost, &team.ghost_id),
        ("stranger", &team.stranger, &team.z),
    ] {
        let viewer = caller
            .gql("{ viewer { role tenant name agent { id } } }", json!({}))
            .await;
        let expected = json!({ "role": "AGENT", "tenant": TEAM, "name": who, "agent": null });
        if viewer["data"]["viewer"] != expected {
            failures.push(format!("{who}'s viewer: {viewer}"));
        }
        let mut calls = catalogue(&team.x);
        calls.push(Call {
            field: "claimTasks",
            label: "claimTasks as the key's own agent id",
            document: "mutation($input: ClaimTasksInput!) { claimTasks(input: $input) { token } }"
                .to_owned(),
            variables: json!({ "input": { "agentId": own } }),
        });
        calls.push(Call {
            field: "createGoal",
            label: "createGoal for the key's own agent id",
            document: "mutation($input: CreateGoalInput!) { createGoal(input: $input) { id } }"
                .to_owned(),
            variables: json!({ "input": { "agentId": own, "description": "mine?" } }),
        });
        for call in &calls {
            expect(&team, caller, who, call, false, &mut failures).await;
        }
    }
    report("AGENT keys without an agent", &failures);
}
