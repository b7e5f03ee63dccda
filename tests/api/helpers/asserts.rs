//! Reading responses: the codes and fields of errors, and what a value must be.

use serde_json::Value;

/// The `(extensions.code, extensions.field)` of every error in a response
/// body, in order: what a client acts on.
pub fn codes(body: &Value) -> Vec<(String, Option<String>)> {
    errors(body)
        .iter()
        .map(|e| {
            (
                e["extensions"]["code"]
                    .as_str()
                    .unwrap_or("<none>")
                    .to_owned(),
                e["extensions"]["field"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// `(code, Some(field))`, to compare with [`codes`].
pub fn on(code: &str, field: &str) -> (String, Option<String>) {
    (code.to_owned(), Some(field.to_owned()))
}

/// `(code, None)`, to compare with [`codes`].
pub fn bare(code: &str) -> (String, Option<String>) {
    (code.to_owned(), None)
}

fn errors(body: &Value) -> &[Value] {
    body["errors"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The `extensions.code` of every error in a response body.
pub fn error_codes(body: &Value) -> Vec<String> {
    codes(body).into_iter().map(|(code, _)| code).collect()
}

/// The `extensions.field` of every error in a response body that has one.
pub fn error_fields(body: &Value) -> Vec<String> {
    codes(body)
        .into_iter()
        .filter_map(|(_, field)| field)
        .collect()
}

/// Fails the test unless the body holds an error with this `extensions.code`
/// (and, for a failed root field, no data for it).
pub fn assert_error_code(body: &Value, code: &str) {
    let codes = error_codes(body);
    assert!(
        codes.iter().any(|c| c == code),
        "expected an error with code {code}, got codes {codes:?} in {body:#}"
    );
}

/// Fails the test unless the body holds a `BAD_USER_INPUT` error whose
/// `extensions.field` is `field`.
pub fn assert_bad_input(body: &Value, field: &str) {
    assert_error_code(body, "BAD_USER_INPUT");
    let fields = error_fields(body);
    assert!(
        fields.iter().any(|f| f == field),
        "expected a BAD_USER_INPUT error on {field}, got fields {fields:?} in {body:#}"
    );
}

/// Fails the test unless the body is a `BAD_USER_INPUT` error (whatever its
/// `field`) and carries no data for the root field.
pub fn assert_refused_as_bad_input(body: &Value) {
    assert_error_code(body, "BAD_USER_INPUT");
    let data = &body["data"];
    assert!(
        data.is_null()
            || data
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_null)),
        "no data for a refused request: {body:#}"
    );
}

/// Parses a `DateTime` wire value, asserting it is RFC 3339 in UTC.
pub fn datetime(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a DateTime string, got {value}"));
    let parsed = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?} is not RFC 3339: {e}"));
    assert_eq!(
        parsed.offset().local_minus_utc(),
        0,
        "{text:?} is not in UTC"
    );
    parsed.with_timezone(&chrono::Utc)
}

/// The `id` strings of a connection's `nodes`.
pub fn node_ids(connection: &Value) -> Vec<String> {
    connection["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("a connection with nodes, got {connection}"))
        .iter()
        .map(|node| node["id"].as_str().expect("node id").to_owned())
        .collect()
}

/// A UUID that names nothing on the server.
pub fn unknown_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `("BAD_USER_INPUT", Some(field))`, to compare with [`codes`].
pub fn bad_input(field: &str) -> (String, Option<String>) {
    on("BAD_USER_INPUT", field)
}

/// `items` in order, for comparing what is reported in no particular order.
pub fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}
