//! A typed method of [`Client`] for each operation of `../operations/` (the
//! work queue's are in `queue.rs`).

use uuid::Uuid;

use crate::client::{Client, new_key};
use crate::error::Error;
use crate::operations::*;

impl Client {
    /// The first `first` agents, oldest first.
    pub async fn list_agents(&self, first: i64) -> Result<list_agents::ListAgentsAgents, Error> {
        let data = self
            .execute::<ListAgents>(list_agents::Variables { first })
            .await?;
        Ok(data.agents)
    }

    /// The agent with this id, or `None` when there is none.
    pub async fn get_agent(&self, id: Uuid) -> Result<Option<get_agent::GetAgentAgent>, Error> {
        let data = self
            .execute::<GetAgent>(get_agent::Variables { id })
            .await?;
        Ok(data.agent)
    }

    /// Creates with an idempotency key (a new one unless the input has
    /// one), retried as [`Self::execute_retrying`] allows: a retry never
    /// creates twice.
    pub async fn create_agent(
        &self,
        mut input: create_agent::CreateAgentInput,
    ) -> Result<create_agent::CreateAgentCreateAgent, Error> {
        input.idempotency_key.get_or_insert_with(new_key);
        let data = self
            .execute_retrying::<CreateAgent>(create_agent::Variables { input })
            .await?;
        Ok(data.create_agent)
    }

    pub async fn update_agent(
        &self,
        id: Uuid,
        input: update_agent::UpdateAgentInput,
    ) -> Result<update_agent::UpdateAgentUpdateAgent, Error> {
        let data = self
            .execute::<UpdateAgent>(update_agent::Variables { id, input })
            .await?;
        Ok(data.update_agent)
    }

    /// Deletes an agent that owns no goals; returns the deleted id.
    pub async fn delete_agent(&self, id: Uuid) -> Result<Uuid, Error> {
        let data = self
            .execute::<DeleteAgent>(delete_agent::Variables { id })
            .await?;
        Ok(data.delete_agent)
    }

    /// The first `first` goals of an agent, oldest first.
    pub async fn list_goals(
        &self,
        agent_id: Uuid,
        first: i64,
    ) -> Result<list_goals::ListGoalsGoals, Error> {
        let data = self
            .execute::<ListGoals>(list_goals::Variables { agent_id, first })
            .await?;
        Ok(data.goals)
    }

    /// Creates with an idempotency key (a new one unless the input has
    /// one), retried as [`Self::execute_retrying`] allows: a retry never
    /// creates twice.
    pub async fn create_goal(
        &self,
        mut input: create_goal::CreateGoalInput,
    ) -> Result<create_goal::CreateGoalCreateGoal, Error> {
        input.idempotency_key.get_or_insert_with(new_key);
        let data = self
            .execute_retrying::<CreateGoal>(create_goal::Variables { input })
            .await?;
        Ok(data.create_goal)
    }

    /// Creates with an idempotency key (a new one unless the input has
    /// one), retried as [`Self::execute_retrying`] allows: a retry never
    /// creates twice.
    pub async fn create_plan(
        &self,
        mut input: create_plan::CreatePlanInput,
    ) -> Result<create_plan::CreatePlanCreatePlan, Error> {
        input.idempotency_key.get_or_insert_with(new_key);
        let data = self
            .execute_retrying::<CreatePlan>(create_plan::Variables { input })
            .await?;
        Ok(data.create_plan)
    }

    /// Creates with an idempotency key (a new one unless the input has
    /// one), retried as [`Self::execute_retrying`] allows: a retry never
    /// creates twice.
    pub async fn create_task(
        &self,
        mut input: create_task::CreateTaskInput,
    ) -> Result<create_task::CreateTaskCreateTask, Error> {
        input.idempotency_key.get_or_insert_with(new_key);
        let data = self
            .execute_retrying::<CreateTask>(create_task::Variables { input })
            .await?;
        Ok(data.create_task)
    }
    /// The goal with this id, with its plans and their tasks (up to 100
    /// of each), or `None` when there is none.
    pub async fn get_goal(&self, id: Uuid) -> Result<Option<get_goal::GetGoalGoal>, Error> {
        let data = self.execute::<GetGoal>(get_goal::Variables { id }).await?;
        Ok(data.goal)
    }

    pub async fn update_goal(
        &self,
        id: Uuid,
        input: update_goal::UpdateGoalInput,
    ) -> Result<update_goal::UpdateGoalUpdateGoal, Error> {
        let data = self
            .execute::<UpdateGoal>(update_goal::Variables { id, input })
            .await?;
        Ok(data.update_goal)
    }

    /// Deletes a goal (with `cascade`, its plans and tasks too); returns its id.
    pub async fn delete_goal(&self, id: Uuid, cascade: bool) -> Result<Uuid, Error> {
        let variables = delete_goal::Variables {
            id,
            cascade: Some(cascade),
        };
        let data = self.execute::<DeleteGoal>(variables).await?;
        Ok(data.delete_goal)
    }

    /// The plan with this id, or `None` when there is none.
    pub async fn get_plan(&self, id: Uuid) -> Result<Option<get_plan::GetPlanPlan>, Error> {
        let data = self.execute::<GetPlan>(get_plan::Variables { id }).await?;
        Ok(data.plan)
    }

    /// A page of plans: `first` after the cursor `after`, as filtered and ordered.
    pub async fn list_plans(
        &self,
        variables: list_plans::Variables,
    ) -> Result<list_plans::ListPlansPlans, Error> {
        let data = self.execute::<ListPlans>(variables).await?;
        Ok(data.plans)
    }

    pub async fn update_plan(
        &self,
        id: Uuid,
        input: update_plan::UpdatePlanInput,
    ) -> Result<update_plan::UpdatePlanUpdatePlan, Error> {
        let data = self
            .execute::<UpdatePlan>(update_plan::Variables { id, input })
            .await?;
        Ok(data.update_plan)
    }

    /// Deletes a plan (with `cascade`, its tasks too); returns its id.
    pub async fn delete_plan(&self, id: Uuid, cascade: bool) -> Result<Uuid, Error> {
        let variables = delete_plan::Variables {
            id,
            cascade: Some(cascade),
        };
        let data = self.execute::<DeletePlan>(variables).await?;
        Ok(data.delete_plan)
    }

    /// The task with this id, or `None` when there is none.
    pub async fn get_task(&self, id: Uuid) -> Result<Option<get_task::GetTaskTask>, Error> {
        let data = self.execute::<GetTask>(get_task::Variables { id }).await?;
        Ok(data.task)
    }

    /// A page of tasks: `first` after the cursor `after`, as filtered and ordered.
    pub async fn list_tasks(
        &self,
        variables: list_tasks::Variables,
    ) -> Result<list_tasks::ListTasksTasks, Error> {
        let data = self.execute::<ListTasks>(variables).await?;
        Ok(data.tasks)
    }

    pub async fn update_task(
        &self,
        id: Uuid,
        input: update_task::UpdateTaskInput,
    ) -> Result<update_task::UpdateTaskUpdateTask, Error> {
        let data = self
            .execute::<UpdateTask>(update_task::Variables { id, input })
            .await?;
        Ok(data.update_task)
    }

    /// Deletes a task; returns its id.
    pub async fn delete_task(&self, id: Uuid) -> Result<Uuid, Error> {
        let data = self
            .execute::<DeleteTask>(delete_task::Variables { id })
            .await?;
        Ok(data.delete_task)
    }

    /// The plan with this id and its goal, each with its tasks counted by
    /// status, or `None` when there is none.
    pub async fn plan_progress(
        &self,
        id: Uuid,
    ) -> Result<Option<plan_progress::PlanProgressPlan>, Error> {
        let data = self
            .execute::<PlanProgress>(plan_progress::Variables { id })
            .await?;
        Ok(data.plan)
    }

    /// The tasks `filter` matches (all when `None`), grouped by the keys
    /// of `group_by` (1 to 4, none twice): largest groups first, at most
    /// 1,000 of them.
    pub async fn task_stats(
        &self,
        filter: Option<task_stats::TaskFilter>,
        group_by: Vec<task_stats::TaskGroupBy>,
    ) -> Result<Vec<task_stats::TaskStatsTaskStats>, Error> {
        let data = self
            .execute::<TaskStats>(task_stats::Variables { filter, group_by })
            .await?;
        Ok(data.task_stats)
    }

    /// The retained changes of the object `id` (of any kind), oldest
    /// first: `first` of them (20 when `None`) after the cursor `after`.
    pub async fn history(
        &self,
        id: Uuid,
        first: Option<i64>,
        after: Option<String>,
    ) -> Result<history::HistoryHistory, Error> {
        let data = self
            .execute::<History>(history::Variables { id, first, after })
            .await?;
        Ok(data.history)
    }

    /// Who the server takes the caller to be: role, tenant, credential
    /// name and, for an AGENT caller, its agent.
    pub async fn viewer(&self) -> Result<viewer::ViewerViewer, Error> {
        let data = self.execute::<Viewer>(viewer::Variables).await?;
        Ok(data.viewer)
    }
}
