//! Subscription cursors: a position in the change log, with the time of
//! the change there so an expired one is told apart without a lookup.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Change;

const PREFIX: &str = "agentgraph:change:v1:";

/// Where a subscription stands in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) seq: i64,
    /// Microseconds since the epoch.
    pub(crate) at: i64,
}

pub(crate) fn encode(change: &Change) -> String {
    encode_at(change.seq, change.at)
}

/// The cursor of the change at `seq`, made at `at` (a history's entries
/// share the subscriptions' cursors: either resumes the other).
pub(crate) fn encode_at(seq: i64, at: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{seq}:{at}"))
}

/// The position `cursor` names, if this server made it.
pub(crate) fn decode(cursor: &str) -> Option<Position> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (seq, at) = text.strip_prefix(PREFIX)?.split_once(':')?;
    let position = Position {
        seq: seq.parse().ok()?,
        at: at.parse().ok()?,
    };
    (position.seq >= 0).then_some(position)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::{ChangeKind, Resource};

    #[test]
    fn round_trips_and_refuses_strangers() {
        let change = Change {
            seq: 42,
            tenant: crate::auth::Tenant::default(),
            resource: Resource::Task,
            kind: ChangeKind::Created,
            object_id: uuid::Uuid::nil(),
            parent_id: None,
            agent_id: None,
            old_agent_id: None,
            version: 1,
            at: 1_700_000_000_000_000,
            wakes: false,
        };
        assert_eq!(
            decode(&encode(&change)),
            Some(Position {
                seq: 42,
                at: 1_700_000_000_000_000
            })
        );
        assert_eq!(decode("not a cursor"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("agentgraph:v2:x|y|z")), None);
    }
}
