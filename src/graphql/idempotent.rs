//! The idempotency key of a create, as the service layer remembers it: the
//! caller (the API key's name), the key, and a hash of the mutation's name
//! and its whole input but the key, so a retry is told apart from a
//! different request under a reused key.

use async_graphql::{Context, InputType};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::service::idempotency::Claim;

pub const KEY_MAX: usize = 200;

/// The claim of `input` to `mutation` when it carries a key.
pub fn claim_of<I: InputType>(
    ctx: &Context<'_>,
    mutation: &str,
    input: &I,
    key: Option<&str>,
) -> Option<Claim> {
    let key = key?;
    let caller = ctx
        .data_opt::<Caller>()
        .map(|caller| caller.name.clone())
        .unwrap_or_default();
    let mut value = serde_json::to_value(input.to_value()).unwrap_or(Json::Null);
    if let Some(fields) = value.as_object_mut() {
        fields.remove("idempotencyKey");
    }
    let mut canonical = String::new();
    write_canonical(&value, &mut canonical);
    let digest = Sha256::new()
        .chain_update(mutation.as_bytes())
        .chain_update(b"\n")
        .chain_update(canonical.as_bytes())
        .finalize();
    Some(Claim {
        caller,
        key: key.to_owned(),
        request_hash: format!("{mutation}:{}", hex::encode(digest)),
    })
}

/// JSON with object keys sorted, so equal inputs hash alike whatever order
/// their JSON fields were written in.
fn write_canonical(value: &Json, out: &mut String) {
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
                write_canonical(&fields[key], out);
            }
            out.push('}');
        }
        Json::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::write_canonical;

    #[test]
    fn key_order_does_not_change_the_canonical_form() {
        let (mut a, mut b) = (String::new(), String::new());
        write_canonical(
            &serde_json::json!({ "b": [1, { "y": 2, "x": 1 }], "a": null }),
            &mut a,
        );
        write_canonical(
            &serde_json::json!({ "a": null, "b": [1, { "x": 1, "y": 2 }] }),
            &mut b,
        );
        assert_eq!(a, b);
        assert_eq!(a, r#"{"a":null,"b":[1,{"x":1,"y":2}]}"#);
    }
}
