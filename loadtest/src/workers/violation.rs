//! What the verification can find wrong, by rule, so that a report says
//! which rules broke and how often before it lists the cases.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::report::WorkersReport;

/// A rule of the queue that the server's answers or state broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// An answer contradicts its request (a claim's task not RUNNING, a
    /// complete not COMPLETED, a failTask's wrong status...).
    Answer,
    /// One attempt number handed to two claims.
    HandedOutTwice,
    /// Two completeTask calls answered COMPLETED for one task.
    CompletedTwice,
    /// A plan's tasks as read back differ from those created.
    ReadBack,
    /// PENDING, RUNNING or BLOCKED at the end.
    NotEnded,
    /// `leaseExpiresAt` on a task that is not RUNNING.
    LeaseLeft,
    /// `maxAttempts` or `dependsOn` differ from what was created.
    Fields,
    /// Status, `attempts` or `error` differ from what the rules give.
    End,
    /// The assignee or `outputData` of a COMPLETED task are not its
    /// completing claimant's.
    Claimant,
    /// CANCELLED though the test cancelled nothing it waits for.
    Cancelled,
    /// An attempt whose complete or fail never got an answer.
    Unknown,
    /// `attempts` counts a claim no agent was handed (with every claim
    /// answered).
    NeverHandedOut,
    /// `startedAt` earlier than a dependency's `completedAt`.
    StartedBeforeDependency,
    /// Claimed before the dependency's completeTask was even sent (the
    /// test's own clock).
    ClaimedBeforeDependency,
    /// Claimed again while a lease its agent walked away from still ran.
    LeasesOverlap,
}

impl Rule {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Answer => "an answer contradicts its request",
            Self::HandedOutTwice => "one attempt handed to two claims",
            Self::CompletedTwice => "completed by two claimants",
            Self::ReadBack => "tasks read back differ from those created",
            Self::NotEnded => "not ended (PENDING, RUNNING or BLOCKED)",
            Self::LeaseLeft => "leaseExpiresAt on a task not RUNNING",
            Self::Fields => "maxAttempts or dependsOn differ from the create",
            Self::End => "status, attempts or error differ from the rules",
            Self::Claimant => "assignee or outputData not the completing claimant's",
            Self::Cancelled => "CANCELLED without a cancelled or failed dependency",
            Self::Unknown => "an attempt's outcome is unknown",
            Self::NeverHandedOut => "an attempt counted that no agent was handed",
            Self::StartedBeforeDependency => "startedAt before a dependency's completedAt",
            Self::ClaimedBeforeDependency => "claimed before a dependency's completeTask was sent",
            Self::LeasesOverlap => "claimed again while an abandoned lease still ran",
        }
    }
}

/// One broken rule, with what shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    pub rule: Rule,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule.describe(), self.detail)
    }
}

/// How many times one rule broke.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    pub rule: Rule,
    pub description: &'static str,
    pub count: usize,
}

pub(crate) fn by_rule(violations: &[Violation]) -> Vec<RuleCount> {
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    for violation in violations {
        *counts.entry(violation.rule).or_default() += 1;
    }
    let mut rows: Vec<RuleCount> = counts
        .into_iter()
        .map(|(rule, count)| RuleCount {
            rule,
            description: rule.describe(),
            count,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(&b.rule)));
    rows
}

/// The first few cases of each rule broken, at most `limit` in all.
pub(crate) fn examples(report: &WorkersReport, per_rule: usize, limit: usize) -> Vec<&Violation> {
    let mut shown: HashMap<Rule, usize> = HashMap::new();
    report
        .violations
        .iter()
        .filter(|v| {
            let seen = shown.entry(v.rule).or_default();
            *seen += 1;
            *seen <= per_rule
        })
        .take(limit)
        .collect()
}
