//! The idempotency key of a create, as the service layer remembers it: the
//! caller (the API key's name), the key, and a hash of the mutation's name
//! and its whole input but the key, so a retry is told apart from a
//! different request under a reused key.

use async_graphql::{Context, InputType, Value};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::service::write::idempotency::Claim;

pub(crate) const KEY_MAX: usize = 200;

/// The claim of `input` to `mutation` when it carries a key.
pub(crate) fn claim_of<I: InputType>(
    ctx: &Context<'_>,
    mutation: &str,
    input: &I,
    key: Option<&str>,
) -> Option<Claim> {
    let key = key?;
    let Caller { tenant, name, .. } = super::caller(ctx);
    let caller = name.clone().unwrap_or_default();
    let mut canonical = Vec::with_capacity(256);
    write_canonical(&input.to_value(), Some("idempotencyKey"), &mut canonical);
    let digest = Sha256::new()
        .chain_update(mutation.as_bytes())
        .chain_update(b"\n")
        .chain_update(&canonical)
        .finalize();
    Some(Claim {
        tenant: tenant.clone(),
        caller,
        key: key.to_owned(),
        request_hash: format!("{mutation}:{}", hex::encode(digest)),
    })
}

/// Compact JSON with object keys sorted, so equal inputs hash alike
/// whatever order their fields were written in; `skip` leaves out one
/// field of the outermost object. Written straight from the GraphQL value:
/// the bytes are those of its `serde_json` form (which keys stored before
/// were hashed from), without building that form first.
fn write_canonical(value: &Value, skip: Option<&str>, out: &mut Vec<u8>) {
    match value {
        Value::Object(fields) => {
            let mut keys: Vec<&str> = fields
                .keys()
                .map(|name| name.as_str())
                .filter(|name| Some(*name) != skip)
                .collect();
            keys.sort_unstable();
            out.push(b'{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_json(key, out);
                out.push(b':');
                write_canonical(&fields[key], None, out);
            }
            out.push(b'}');
        }
        Value::List(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_canonical(item, None, out);
            }
            out.push(b']');
        }
        // serde_json writes bytes as an array of numbers.
        Value::Binary(bytes) => write_json(&bytes[..], out),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(flag) => write_json(flag, out),
        Value::Number(number) => write_json(number, out),
        Value::String(text) => write_json(text, out),
        Value::Enum(name) => write_json(name.as_str(), out),
    }
}

fn write_json(value: &(impl serde::Serialize + ?Sized), out: &mut Vec<u8>) {
    // Writing to a Vec fails only for values that cannot be JSON, which
    // these scalars always can.
    let _ = serde_json::to_writer(out, value);
}

#[cfg(test)]
mod tests {
    use async_graphql::Value;
    use serde_json::Value as Json;

    use super::write_canonical;

    fn canonical(value: &Value, skip: Option<&str>) -> String {
        let mut out = Vec::new();
        write_canonical(value, skip, &mut out);
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    /// The form keys were hashed from before: the value as `serde_json`
    /// builds it, printed with sorted keys.
    fn through_serde_json(value: &Json, out: &mut String) {
        match value {
            Json::Object(fields) => {
                let mut keys: Vec<&String> = fields.keys().collect();
                keys.sort();
                out.push('{');
                for (index, key) in keys.into_iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    out.push_str(&Json::String(key.clone()).to_string());
                    out.push(':');
                    through_serde_json(&fields[key], out);
                }
                out.push('}');
            }
            Json::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    through_serde_json(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }

    #[test]
    fn key_order_does_not_change_the_canonical_form() {
        let a = Value::from_json(serde_json::json!({ "b": [1, { "y": 2, "x": 1 }], "a": null }));
        let b = Value::from_json(serde_json::json!({ "a": null, "b": [1, { "x": 1, "y": 2 }] }));
        assert_eq!(
            canonical(&a.expect("a value"), None),
            canonical(&b.expect("a value"), None)
        );
    }

    #[test]
    fn the_form_is_the_one_keys_were_hashed_from_before() {
        let mut input = async_graphql::indexmap::IndexMap::new();
        for (name, value) in [
            (
                "zeta",
                Value::String("quote \" back\\slash \u{1} é 😀".into()),
            ),
            (
                "alpha",
                Value::Number(serde_json::Number::from_f64(2.5).expect("finite")),
            ),
            ("whole", Value::Number(1.into())),
            ("negative", Value::Number((-7).into())),
            (
                "big",
                Value::Number(serde_json::Number::from_f64(1e300).expect("finite")),
            ),
            (
                "status",
                Value::Enum(async_graphql::Name::new("IN_PROGRESS")),
            ),
            ("flag", Value::Boolean(false)),
            ("none", Value::Null),
            ("bytes", Value::Binary(vec![0, 7, 255].into())),
            ("idempotencyKey", Value::String("k-1".into())),
            (
                "nested",
                Value::List(vec![
                    Value::from_json(serde_json::json!({ "b": {}, "a": [[]] })).expect("a value"),
                ]),
            ),
        ] {
            input.insert(async_graphql::Name::new(name), value);
        }
        let value = Value::Object(input);

        let mut json = serde_json::to_value(&value).expect("serialises");
        if let Some(fields) = json.as_object_mut() {
            fields.remove("idempotencyKey");
        }
        let mut before = String::new();
        through_serde_json(&json, &mut before);

        assert_eq!(canonical(&value, Some("idempotencyKey")), before);
        assert!(!before.contains("k-1"));
    }
}
