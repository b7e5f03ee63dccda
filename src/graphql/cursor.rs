//! Opaque cursors: a position in one ordering, bound to that ordering and
//! to the caller's tenant.
//!
//! A cursor holds the ordering's tag, the row's id and its sort value, so
//! the next page is a keyset condition with no lookup. The tag makes a
//! cursor from one ordering useless in another (where its position means
//! nothing), and the version prefix lets the encoding change later. A
//! tenant other than `default` is named in the tag by a hash of its name,
//! so another tenant's cursor is refused like a forged one (and cursors of
//! tenant `default`, where everyone was before tenants, stay as they were).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};

use crate::auth::Tenant;
use crate::service::store::order::{Key, Sort, SortValue};
use crate::service::store::resource::Resource;

const PREFIX: &str = "agentgraph:v2:";

/// A list's cursors' binding to one tenant's rows: a fingerprint of the
/// tenant, none for `default`. Cheap to make for every list, selected
/// cursors or not; the tag is written only when a cursor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scope(Option<u64>);

impl Scope {
    pub(crate) fn new(tenant: &Tenant) -> Self {
        if tenant.as_str() == Tenant::DEFAULT {
            return Self(None);
        }
        // FNV-1a: a fixed, cheap fingerprint; the name itself stays out of
        // the cursor.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in tenant.as_str().bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        Self(Some(hash))
    }

    /// The ordering's tag, bound to the tenant.
    fn tag<E: Resource>(self, sort: &Sort<E>) -> String {
        match self.0 {
            None => sort.tag(),
            Some(hash) => format!("{}@{hash:016x}", sort.tag()),
        }
    }
}

pub(crate) fn encode<E: Resource>(sort: &Sort<E>, scope: Scope, key: &Key) -> String {
    let value = match &key.value {
        SortValue::Time(at) => format!("t{}", at.to_rfc3339_opts(SecondsFormat::Micros, true)),
        SortValue::Int(n) => format!("i{n}"),
        SortValue::Text(text) => format!("s{text}"),
    };
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{}|{}|{value}", scope.tag(sort), key.id))
}

/// The position `cursor` names, if this server made it under `sort` in
/// `scope`.
pub(crate) fn decode<E: Resource>(sort: &Sort<E>, scope: Scope, cursor: &str) -> Option<Key> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix(PREFIX)?;
    let (tag, rest) = rest.split_once('|')?;
    if tag != scope.tag(sort) {
        return None;
    }
    let (id, value) = rest.split_once('|')?;
    let value = match value.split_at_checked(1)? {
        ("t", at) => SortValue::Time(DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc)),
        ("i", n) => SortValue::Int(n.parse().ok()?),
        ("s", text) => SortValue::Text(text.to_owned()),
        _ => return None,
    };
    Some(Key {
        value,
        id: id.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use entity::{agent, goal, task};

    use super::*;
    use crate::service::store::order::Direction;

    fn key(value: SortValue) -> Key {
        Key {
            value,
            id: uuid::Uuid::now_v7(),
        }
    }

    #[test]
    fn every_kind_of_sort_value_survives_the_round_trip() {
        let at = "2026-12-01T10:00:00.123456Z".parse().expect("time");
        let by_name = Sort::<agent::Entity>::new(agent::Column::Name, Direction::Desc);
        let by_priority = Sort::<goal::Entity>::new(goal::Column::Priority, Direction::Asc);
        let by_update = Sort::<task::Entity>::new(task::Column::UpdatedAt, Direction::Asc);
        for (sort_tag, cursor, expected) in [
            {
                let k = key(SortValue::Text("a|b: ü".into()));
                (
                    by_name.tag(),
                    encode(&by_name, Scope::new(&Tenant::default()), &k),
                    k,
                )
            },
            {
                let k = key(SortValue::Int(7));
                (
                    by_priority.tag(),
                    encode(&by_priority, Scope::new(&Tenant::default()), &k),
                    k,
                )
            },
            {
                let k = key(SortValue::Time(at));
                (
                    by_update.tag(),
                    encode(&by_update, Scope::new(&Tenant::default()), &k),
                    k,
                )
            },
        ] {
            let decoded = match sort_tag.as_str() {
                "agents.name.desc" => decode(&by_name, Scope::new(&Tenant::default()), &cursor),
                "goals.priority.asc" => {
                    decode(&by_priority, Scope::new(&Tenant::default()), &cursor)
                }
                _ => decode(&by_update, Scope::new(&Tenant::default()), &cursor),
            };
            assert_eq!(decoded, Some(expected), "{sort_tag}");
        }
    }

    #[test]
    fn a_cursor_is_refused_under_another_ordering_or_when_forged() {
        let asc = Sort::<task::Entity>::new(task::Column::CreatedAt, Direction::Asc);
        let desc = Sort::<task::Entity>::new(task::Column::CreatedAt, Direction::Desc);
        let by_update = Sort::<task::Entity>::new(task::Column::UpdatedAt, Direction::Asc);
        let here = Tenant::default();
        let cursor = encode(&asc, Scope::new(&here), &key(SortValue::Time(Utc::now())));
        assert!(decode(&asc, Scope::new(&here), &cursor).is_some());
        assert!(decode(&desc, Scope::new(&here), &cursor).is_none());
        assert!(decode(&by_update, Scope::new(&here), &cursor).is_none());
        let (a, b) = (Tenant::trusted("a"), Tenant::trusted("b"));
        let of_a = encode(&asc, Scope::new(&a), &key(SortValue::Time(Utc::now())));
        assert!(decode(&asc, Scope::new(&a), &of_a).is_some());
        assert!(decode(&asc, Scope::new(&b), &of_a).is_none());
        assert!(decode(&asc, Scope::new(&here), &of_a).is_none());
        assert!(decode(&asc, Scope::new(&a), &cursor).is_none());
        for forged in [
            "",
            "x",
            "YWdlbnRncmFwaDp2MTo",
            &URL_SAFE_NO_PAD.encode("agentgraph:v2:tasks.created_at.asc|nope|t2026"),
        ] {
            assert!(
                decode(&asc, Scope::new(&here), forged).is_none(),
                "{forged}"
            );
        }
    }
}
