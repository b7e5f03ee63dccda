//! `history(id)`: one object's retained changes, oldest first, paged
//! forward by the subscriptions' change cursors (`crate::changes::history`).

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::errors::GqlResult as _;
use super::pagination::{DEFAULT_FIRST, MAX_PAGE, PageInfo, page_complexity};
use super::subscription::{ChangeKind, position_after};
use super::validate::Violations;
use crate::changes::{cursor, history};
use crate::error::AppError;

#[derive(Default)]
pub(crate) struct HistoryQuery;

#[Object]
impl HistoryQuery {
    /// The retained changes of one object of any kind (agent, goal, plan or
    /// task), oldest first: who made each and which fields it changed.
    /// Kept as long as the change log (`--change-retention`); an object
    /// deleted within it still has its history, an unknown id an empty one.
    #[graphql(complexity = "page_complexity(first, None, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's id.")] id: Uuid,
        #[graphql(desc = "How many changes, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "A cursor of this list or of a subscription: start after that change.")]
        after: Option<String>,
    ) -> Result<HistoryConnection> {
        let mut violations = Violations::under("");
        let first = first.unwrap_or(DEFAULT_FIRST);
        if !(1..=MAX_PAGE).contains(&first) {
            violations.add("first", format!("must be between 1 and {MAX_PAGE}"));
        }
        let position = match after
            .as_deref()
            .map(|text| position_after(ctx, text, "ask"))
        {
            None => Some(0),
            Some(Ok(seq)) => Some(seq),
            Some(Err(AppError::BadUserInput(found))) => {
                for violation in found {
                    violations.add(&violation.field, violation.message);
                }
                None
            }
            Some(Err(other)) => return Err(other).gql(ctx),
        };
        violations.finish().gql(ctx)?;
        let seq = position.unwrap_or(0);
        let caller = super::caller(ctx);
        let limit = u64::try_from(first).unwrap_or(1);
        let (entries, more) = history::page(&super::db(ctx).reader, &caller.tenant, id, seq, limit)
            .await
            .gql(ctx)?;
        let nodes: Vec<HistoryEntry> = entries.into_iter().map(HistoryEntry::from).collect();
        let page_info = PageInfo {
            has_next_page: more,
            has_previous_page: after.is_some(),
            start_cursor: nodes.first().map(|n| n.cursor.clone()),
            end_cursor: nodes.last().map(|n| n.cursor.clone()),
        };
        Ok(HistoryConnection {
            edges: nodes
                .iter()
                .map(|node| HistoryEdge {
                    cursor: node.cursor.clone(),
                    node: node.clone(),
                })
                .collect(),
            nodes,
            page_info,
        })
    }
}

/// A page of an object's history.
#[derive(SimpleObject)]
pub(crate) struct HistoryConnection {
    edges: Vec<HistoryEdge>,
    nodes: Vec<HistoryEntry>,
    page_info: PageInfo,
}

#[derive(SimpleObject)]
pub(crate) struct HistoryEdge {
    /// The entry's cursor: pass it as `after` (here or to a subscription).
    cursor: String,
    node: HistoryEntry,
}

/// One committed change of the object.
#[derive(SimpleObject, Clone)]
pub(crate) struct HistoryEntry {
    /// The change's position: pass it as `after` here or to a subscription.
    cursor: String,
    kind: ChangeKind,
    /// The object's version after the change (for DELETED, its last).
    version: i32,
    /// When the change committed.
    at: DateTime<Utc>,
    /// Who made it: the API key's name or the token's `sub`; null with
    /// credentials off and for the server's own changes (an expired lease).
    actor: Option<String>,
    /// The fields whose values the change changed, as the schema spells
    /// them (`version` and `updatedAt` left out); empty for CREATED and
    /// DELETED.
    changed_fields: Vec<String>,
}

impl From<history::Entry> for HistoryEntry {
    fn from(entry: history::Entry) -> Self {
        Self {
            cursor: cursor::encode_at(entry.seq, entry.at),
            kind: entry.kind.into(),
            version: entry.version,
            at: DateTime::from_timestamp_micros(entry.at).unwrap_or_default(),
            actor: entry.actor,
            changed_fields: entry
                .changed_fields
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}
