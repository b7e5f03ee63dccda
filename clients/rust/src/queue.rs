//! The work queue's typed methods (API.md, "Work queue: agents pulling
//! tasks"): an agent claims tasks, each under a lease with its own token, and
//! ends each lease with complete, fail or release. `examples/worker.rs` puts
//! them together.
//!
//! What may be sent again differs: a complete, fail or release whose answer
//! was lost is sent again with the same token, because the server answers a
//! repeat of a call that already succeeded with the task as it is; a claim is
//! not, because a lost answer means leases nobody knows the tokens of (those
//! tasks come back when the leases expire, their attempt counted).

use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::operations::*;

impl Client {
    /// Claims up to `input.limit` ready tasks, each RUNNING under a new lease.
    /// With `wait_seconds`, a long poll: `[]` only after that long without a
    /// claimable task. Keep `wait_seconds` under this client's timeout (30 s
    /// for [`Client::new`]). Sent once (see the module's doc).
    pub async fn claim_tasks(
        &self,
        input: claim_tasks::ClaimTasksInput,
    ) -> Result<Vec<claim_tasks::ClaimTasksClaimTasks>, Error> {
        let data = self
            .execute::<ClaimTasks>(claim_tasks::Variables { input })
            .await?;
        Ok(data.claim_tasks)
    }

    /// Extends a held lease to `lease_seconds` from now (the claim's length
    /// when `None`). Sent once: a lost heartbeat is replaced by the next one.
    pub async fn heartbeat_task(
        &self,
        id: Uuid,
        token: &str,
        lease_seconds: Option<i64>,
    ) -> Result<heartbeat_task::HeartbeatTaskHeartbeatTask, Error> {
        let variables = heartbeat_task::Variables {
            id,
            token: token.to_owned(),
            lease_seconds,
        };
        let data = self.execute::<HeartbeatTask>(variables).await?;
        Ok(data.heartbeat_task)
    }

    /// Ends a held lease with COMPLETED and `output_data`, retried with the
    /// same token as [`Self::execute_retrying`] allows.
    pub async fn complete_task(
        &self,
        id: Uuid,
        token: &str,
        output_data: Option<serde_json::Value>,
    ) -> Result<complete_task::CompleteTaskCompleteTask, Error> {
        let variables = complete_task::Variables {
            id,
            token: token.to_owned(),
            output_data,
        };
        let data = self.execute_retrying::<CompleteTask>(variables).await?;
        Ok(data.complete_task)
    }

    /// Ends a held lease in failure: with `retry` the task is PENDING again
    /// after a backoff while it has attempts left, FAILED otherwise. Retried
    /// with the same token as [`Self::execute_retrying`] allows.
    pub async fn fail_task(
        &self,
        id: Uuid,
        token: &str,
        error: &str,
        retry: bool,
    ) -> Result<fail_task::FailTaskFailTask, Error> {
        let variables = fail_task::Variables {
            id,
            token: token.to_owned(),
            error: error.to_owned(),
            retry,
        };
        let data = self.execute_retrying::<FailTask>(variables).await?;
        Ok(data.fail_task)
    }

    /// Gives a held task back: PENDING at once, this claim not counted in
    /// its attempts. Retried with the same token as
    /// [`Self::execute_retrying`] allows.
    pub async fn release_task(
        &self,
        id: Uuid,
        token: &str,
    ) -> Result<release_task::ReleaseTaskReleaseTask, Error> {
        let variables = release_task::Variables {
            id,
            token: token.to_owned(),
        };
        let data = self.execute_retrying::<ReleaseTask>(variables).await?;
        Ok(data.release_task)
    }
}
