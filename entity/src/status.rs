//! Status enums and their allowed transitions, defined once for every layer.

use sea_orm::entity::prelude::*;

/// An agent may move between any two statuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AgentStatus {
    #[default]
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "INACTIVE")]
    Inactive,
    #[sea_orm(string_value = "PAUSED")]
    Paused,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum GoalStatus {
    #[default]
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PlanStatus {
    #[default]
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TaskStatus {
    #[default]
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "RUNNING")]
    Running,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    /// Waiting for its dependencies; set and lifted by them only.
    #[sea_orm(string_value = "BLOCKED")]
    Blocked,
}

/// A status machine: which statuses may follow which.
///
/// Staying in the same status is always allowed (an update that repeats the
/// current status changes nothing), so `can_become(self)` is true.
pub trait Transitions: Copy + PartialEq + Sized {
    fn can_become(self, next: Self) -> bool;
}

impl Transitions for AgentStatus {
    fn can_become(self, _next: Self) -> bool {
        true
    }
}

impl Transitions for GoalStatus {
    fn can_become(self, next: Self) -> bool {
        use GoalStatus::*;
        self == next
            || matches!(
                (self, next),
                (Pending, Active | Cancelled) | (Active, Completed | Failed | Cancelled)
            )
    }
}

impl Transitions for PlanStatus {
    fn can_become(self, next: Self) -> bool {
        use PlanStatus::*;
        self == next
            || matches!(
                (self, next),
                (Draft, Active | Cancelled) | (Active, Completed | Failed | Cancelled)
            )
    }
}

impl Transitions for TaskStatus {
    fn can_become(self, next: Self) -> bool {
        use TaskStatus::*;
        self == next
            || matches!(
                (self, next),
                (Blocked, Pending | Cancelled)
                    | (Pending, Running | Cancelled)
                    | (Running, Completed | Failed | Cancelled | Pending)
                    | (Failed, Pending)
            )
    }
}

impl TaskStatus {
    /// A task in one of these statuses has finished (for now) and carries a `completed_at`.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    fn allowed<S: Transitions + Iterable + std::fmt::Debug>() -> Vec<(S, S)> {
        let mut pairs = Vec::new();
        for from in S::iter() {
            for to in S::iter() {
                if from != to && from.can_become(to) {
                    pairs.push((from, to));
                }
            }
        }
        pairs
    }

    #[test]
    fn every_status_may_stay_as_it_is() {
        assert!(GoalStatus::iter().all(|s| s.can_become(s)));
        assert!(PlanStatus::iter().all(|s| s.can_become(s)));
        assert!(TaskStatus::iter().all(|s| s.can_become(s)));
        assert!(AgentStatus::iter().all(|s| s.can_become(s)));
    }

    #[test]
    fn goal_transitions_are_exactly_the_contracts() {
        use GoalStatus::*;
        assert_eq!(
            allowed::<GoalStatus>(),
            vec![
                (Pending, Active),
                (Pending, Cancelled),
                (Active, Completed),
                (Active, Failed),
                (Active, Cancelled),
            ]
        );
    }

    #[test]
    fn plan_transitions_are_exactly_the_contracts() {
        use PlanStatus::*;
        assert_eq!(
            allowed::<PlanStatus>(),
            vec![
                (Draft, Active),
                (Draft, Cancelled),
                (Active, Completed),
                (Active, Failed),
                (Active, Cancelled),
            ]
        );
    }

    #[test]
    fn task_transitions_are_exactly_the_contracts() {
        use TaskStatus::*;
        assert_eq!(
            allowed::<TaskStatus>(),
            vec![
                (Pending, Running),
                (Pending, Cancelled),
                (Running, Completed),
                (Running, Failed),
                (Running, Cancelled),
                (Running, Pending),
                (Failed, Pending),
                (Blocked, Pending),
                (Blocked, Cancelled),
            ]
        );
    }

    #[test]
    fn agents_move_freely() {
        assert_eq!(allowed::<AgentStatus>().len(), 6);
    }
}
