//! Statements sent as PostgreSQL simple Queries, their values written into
//! their text: one message, one round trip, nothing prepared.
//!
//! Behind a transaction-mode pooler (Debian's PgBouncer 1.18) sqlx's
//! extended protocol costs a statement four round trips, each through two
//! hops: its Parse and its Bind must reach the same server connection, so
//! they run inside a BEGIN … COMMIT of their own (see `db::Pooled`), and
//! the statements sqlx names are left on the server connection for another
//! client to meet. A simple Query runs whole on whichever server connection
//! the pooler picks, in an implicit transaction of its own (or in the
//! transaction the client has open).
//!
//! Each value is written as a quoted literal cast to the type sqlx would
//! have bound it as (`'…'::uuid`, `'…'::int8`, `E'…'::text`), so
//! PostgreSQL resolves the statement exactly as it does the prepared one.
//! Strings are escape strings (`E'…'`): their escaping holds whatever
//! `standard_conforming_strings` says. A value without a literal form here,
//! or SQL this scanner does not follow (a dollar quote, an unclosed quote
//! or comment), yields `None`: the caller sends the statement with bound
//! values instead.

use std::fmt::Write as _;

use sea_orm::Value;
use sea_orm::sqlx::{self, postgres::PgConnection};

use super::wanted::{Output, Wanted, output_of};

/// Runs `sql` on `connection` as one simple Query, `prelude` (whole
/// statements, each ended by `;`) ahead of it in the same message; `None`
/// when it must go with bound values instead.
pub(super) async fn run(
    connection: &mut PgConnection,
    prelude: &str,
    sql: &str,
    values: &[Value],
    wanted: Wanted,
) -> Option<Result<Output, sqlx::Error>> {
    let whole = inline(prelude, sql, values)?;
    Some(output_of!(
        sqlx::raw_sql(sqlx::AssertSqlSafe(whole)),
        connection,
        wanted
    ))
}

/// `prelude`, then `sql` with each `$n` replaced by `values[n - 1]` as a
/// typed literal.
fn inline(prelude: &str, sql: &str, values: &[Value]) -> Option<String> {
    let literals = values.iter().map(literal).collect::<Option<Vec<_>>>()?;
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(
        prelude.len() + sql.len() + literals.iter().map(String::len).sum::<usize>(),
    );
    out.push_str(prelude);
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            quote @ (b'\'' | b'"') => {
                // In an escape string (`E'…'`) a backslash escapes a quote.
                let escapes = quote == b'\''
                    && at > 0
                    && matches!(bytes[at - 1], b'E' | b'e')
                    && (at < 2 || !is_identifier_byte(bytes[at - 2]));
                at = closing(bytes, at, quote, escapes)?;
            }
            b'-' if bytes.get(at + 1) == Some(&b'-') => {
                at = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |end| at + end + 1);
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => at = comment_end(bytes, at)?,
            b'$' => {
                let digits = bytes[at + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let in_identifier = at > 0 && is_identifier_byte(bytes[at - 1]);
                if in_identifier {
                    at += 1;
                    continue;
                }
                if digits == 0 {
                    // A dollar-quoted string.
                    return None;
                }
                let number: usize = sql[at + 1..at + 1 + digits].parse().ok()?;
                let literal = literals.get(number.checked_sub(1)?)?;
                out.push_str(&sql[copied..at]);
                out.push_str(literal);
                at += 1 + digits;
                copied = at;
            }
            _ => at += 1,
        }
    }
    out.push_str(&sql[copied..]);
    Some(out)
}

/// The index just past the quote that closes the one at `open` (a doubled
/// quote is one inside, and so is one after a backslash when `escapes`).
fn closing(bytes: &[u8], open: usize, quote: u8, escapes: bool) -> Option<usize> {
    let mut at = open + 1;
    loop {
        let byte = *bytes.get(at)?;
        if escapes && byte == b'\\' {
            at += 2;
            continue;
        }
        if byte == quote {
            if bytes.get(at + 1) == Some(&quote) {
                at += 2;
                continue;
            }
            return Some(at + 1);
        }
        at += 1;
    }
}

/// The index just past the block comment opened at `open`; PostgreSQL's
/// block comments nest.
fn comment_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = open;
    loop {
        match (bytes.get(at)?, bytes.get(at + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                at += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => at += 1,
        }
    }
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' || byte >= 0x80
}

/// `value` as a literal of the type sqlx binds it as; `None` for a kind
/// of value this server does not send, which then goes bound.
fn literal(value: &Value) -> Option<String> {
    fn typed(text: Option<String>, cast: &str) -> String {
        match text {
            Some(text) => format!("'{text}'::{cast}"),
            None => format!("NULL::{cast}"),
        }
    }
    Some(match value {
        Value::Bool(b) => typed(b.map(|b| b.to_string()), "bool"),
        Value::SmallInt(i) => typed(i.map(|i| i.to_string()), "int2"),
        Value::Int(i) => typed(i.map(|i| i.to_string()), "int4"),
        Value::BigInt(i) => typed(i.map(|i| i.to_string()), "int8"),
        Value::TinyUnsigned(i) => typed(i.map(|i| i.to_string()), "int2"),
        Value::SmallUnsigned(i) => typed(i.map(|i| i.to_string()), "int4"),
        Value::Unsigned(i) => typed(i.map(|i| i.to_string()), "int8"),
        Value::BigUnsigned(i) => match i {
            Some(i) => typed(Some(i64::try_from(*i).ok()?.to_string()), "int8"),
            None => typed(None, "int8"),
        },
        Value::Float(f) => typed(f.map(|f| f.to_string()), "float4"),
        Value::Double(f) => typed(f.map(|f| f.to_string()), "float8"),
        Value::String(s) => text(s.as_deref(), "text")?,
        Value::Char(c) => text(c.map(String::from).as_deref(), "text")?,
        Value::Json(json) => match json {
            Some(json) => text(Some(&serde_json::to_string(json).ok()?), "jsonb")?,
            None => typed(None, "jsonb"),
        },
        Value::Uuid(u) => typed(u.map(|u| u.to_string()), "uuid"),
        // Microseconds, cut as sqlx's binary encoding cuts them (a
        // literal's extra digits would be rounded instead).
        Value::ChronoDateTimeUtc(t) => typed(
            t.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
            "timestamptz",
        ),
        Value::ChronoDateTime(t) => typed(
            t.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()),
            "timestamp",
        ),
        _ => return None,
    })
}

/// An escape string (`E'…'`) cast to `cast`. PostgreSQL's text holds no
/// NUL, which a bound value reports as an error of its own.
fn text(text: Option<&str>, cast: &str) -> Option<String> {
    let Some(text) = text else {
        return Some(format!("NULL::{cast}"));
    };
    if text.contains('\0') {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str("E'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            c => out.push(c),
        }
    }
    let _ = write!(out, "'::{cast}");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_each_value_in_place_of_its_number() {
        let id = uuid::Uuid::nil();
        let sql = r#"SELECT "a"."name" FROM "agents" AS "a" WHERE "a"."id" = $1 AND "a"."tenant" = $2 LIMIT $3"#;
        let values = [
            Value::Uuid(Some(id)),
            Value::String(Some("t".into())),
            Value::BigInt(Some(-1)),
        ];
        assert_eq!(
            inline("", sql, &values).as_deref(),
            Some(
                r#"SELECT "a"."name" FROM "agents" AS "a" WHERE "a"."id" = '00000000-0000-0000-0000-000000000000'::uuid AND "a"."tenant" = E't'::text LIMIT '-1'::int8"#
            )
        );
    }

    #[test]
    fn quotes_and_backslashes_stay_inside_the_string() {
        let sql = "SELECT $1";
        let values = [Value::String(Some(r"a'b\'; DROP TABLE x; --".into()))];
        assert_eq!(
            inline("", sql, &values).as_deref(),
            Some(r"SELECT E'a''b\\''; DROP TABLE x; --'::text")
        );
        assert_eq!(inline("", sql, &[Value::String(Some("a\0".into()))]), None);
    }

    #[test]
    fn leaves_quoted_text_and_identifiers_alone() {
        let sql = r#"SELECT '$1', "x$1", a$1, $1"#;
        assert_eq!(
            inline("", sql, &[Value::Int(Some(7))]).as_deref(),
            Some(r#"SELECT '$1', "x$1", a$1, '7'::int4"#)
        );
        assert_eq!(
            inline("", r#"SELECT 'it''s $1', $1"#, &[Value::Int(None)]).as_deref(),
            Some(r#"SELECT 'it''s $1', NULL::int4"#)
        );
    }

    #[test]
    fn follows_escape_strings() {
        let one = [Value::Int(Some(1))];
        assert_eq!(
            inline("", r"SELECT x LIKE $1 ESCAPE E'\\', E'\' $1', e'$1'", &one).as_deref(),
            Some(r"SELECT x LIKE '1'::int4 ESCAPE E'\\', E'\' $1', e'$1'")
        );
        // `E` ending an identifier does not start an escape string.
        assert_eq!(
            inline("", r"SELECT typE'\', $1", &one).as_deref(),
            Some(r"SELECT typE'\', '1'::int4")
        );
    }

    #[test]
    fn leaves_comments_alone() {
        let one = [Value::Int(Some(1))];
        assert_eq!(
            inline(
                "",
                "SELECT 1 -- $1 ' \n, $1 WHERE /* a /* $1 ' */ */ 1 = 1",
                &one
            )
            .as_deref(),
            Some("SELECT 1 -- $1 ' \n, '1'::int4 WHERE /* a /* $1 ' */ */ 1 = 1")
        );
        assert_eq!(
            inline("", "SELECT $1 -- the end", &one).as_deref(),
            Some("SELECT '1'::int4 -- the end")
        );
    }

    #[test]
    fn gives_up_on_what_it_does_not_follow() {
        let one = [Value::Int(Some(1))];
        assert_eq!(inline("", "SELECT $$x$$, $1", &one), None);
        assert_eq!(inline("", "SELECT /* /* */ $1", &one), None);
        assert_eq!(inline("", "SELECT 'open", &one), None);
        assert_eq!(inline("", r"SELECT E'\', $1", &one), None);
        assert_eq!(inline("", "SELECT $2", &one), None);
        assert_eq!(inline("", "SELECT $0", &one), None);
        assert_eq!(
            inline("", "SELECT $1", &[Value::Bytes(Some(vec![1]))]),
            None
        );
    }

    #[test]
    fn times_keep_microseconds_cut_not_rounded() {
        use chrono::TimeZone as _;
        let t = chrono::Utc
            .timestamp_opt(1_800_000_000, 123_456_999)
            .single()
            .expect("a time");
        assert_eq!(
            inline("", "SELECT $1", &[Value::ChronoDateTimeUtc(Some(t))]).as_deref(),
            Some("SELECT '2027-01-15T08:00:00.123456Z'::timestamptz")
        );
    }
}
