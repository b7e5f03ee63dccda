//! Snapshots of error bodies (insta), with what differs per run or per
//! backend taken out, so one committed snapshot holds on SQLite and on
//! PostgreSQL alike.

use serde_json::Value;

/// `body` with every UUID inside a string replaced by `[uuid]`: ids the
/// test created and references to logged causes differ on every run.
pub fn normalised(body: &Value) -> Value {
    match body {
        Value::String(text) => Value::String(without_uuids(text)),
        Value::Array(items) => Value::Array(items.iter().map(normalised).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| (name.clone(), normalised(value)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn without_uuids(text: &str) -> String {
    const UUID_LEN: usize = 36;
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(candidate) = text.get(i..i + UUID_LEN)
            && uuid::Uuid::try_parse(candidate).is_ok()
        {
            out.push_str("[uuid]");
            i += UUID_LEN;
            continue;
        }
        let c = text[i..].chars().next().expect("a character");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// `insta::assert_json_snapshot!` of a response body, normalised, with the
/// volatile extensions redacted. Takes an optional snapshot name first (for
/// several snapshots in one loop).
macro_rules! assert_error_snapshot {
    ($body:expr) => {
        let body = $crate::helpers::normalised(&$body);
        insta::assert_json_snapshot!(body, {
            ".errors[].extensions.reference" => "[reference]",
            ".errors[].extensions.requestId" => "[request id]",
        })
    };
    ($name:expr, $body:expr) => {
        let body = $crate::helpers::normalised(&$body);
        insta::assert_json_snapshot!($name, body, {
            ".errors[].extensions.reference" => "[reference]",
            ".errors[].extensions.requestId" => "[request id]",
        })
    };
}
pub(crate) use assert_error_snapshot;
