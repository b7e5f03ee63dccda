//! How errors reach GraphQL clients: every error carries `extensions.code`,
//! and `BAD_USER_INPUT` also carries `extensions.field`.

use async_graphql::{Context, ErrorExtensionValues, ServerError, Value};

use crate::error::{AppError, Violation};

fn violation_error(violation: &Violation) -> async_graphql::Error {
    let mut error =
        async_graphql::Error::new(format!("{}: {}", violation.field, violation.message));
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", "BAD_USER_INPUT");
    extensions.set("field", violation.field.as_str());
    error
}

/// Turns an [`AppError`] into the GraphQL error(s) a client sees. Every
/// violation of a bad input becomes an error of its own, so a client learns
/// of all of them at once.
pub fn to_graphql_error(ctx: &Context<'_>, err: AppError) -> async_graphql::Error {
    match &err {
        AppError::BadUserInput(violations) => {
            // All but the last go straight into the response; the last is
            // returned, so the errors keep the order the rules were checked in.
            let Some((last, others)) = violations.split_last() else {
                return coded(err.to_string(), err.code());
            };
            for other in others {
                let mut server_error = violation_error(other).into_server_error(ctx.item.pos);
                if let Some(path) = ctx.path_node {
                    server_error.path = path
                        .to_string_vec()
                        .into_iter()
                        .map(async_graphql::PathSegment::Field)
                        .collect();
                }
                ctx.add_error(server_error);
            }
            violation_error(last)
        }
        AppError::Internal { reference } => {
            let mut error = coded(err.to_string(), err.code());
            if let Some(extensions) = error.extensions.as_mut() {
                extensions.set("reference", reference.to_string());
            }
            error
        }
        AppError::ConflictAt { field, .. } => {
            let mut error = coded(err.to_string(), err.code());
            if let Some(extensions) = error.extensions.as_mut() {
                extensions.set("field", field.as_str());
            }
            error
        }
        _ => coded(err.to_string(), err.code()),
    }
}

fn coded(message: String, code: &str) -> async_graphql::Error {
    let mut error = async_graphql::Error::new(message);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// `result.gql(ctx)?` in resolvers.
pub trait GqlResult<T> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for Result<T, AppError> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|err| to_graphql_error(ctx, err))
    }
}

/// Gives the errors async-graphql raises itself (a document that does not
/// parse or validate, a variable of the wrong type, a value a scalar rejects)
/// the contract's `BAD_USER_INPUT` and, where the message names one, the
/// offending `field`. Errors that already have a code are left alone.
pub fn add_missing_code(error: &mut ServerError) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.get("code").is_some());
    if has_code {
        return;
    }
    let field = field_named_in(&error.message);
    let extensions = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    extensions.set("code", "BAD_USER_INPUT");
    if let Some(field) = field {
        extensions.set("field", Value::String(field));
    }
}

/// `Invalid value for argument "input.priority", ...` names `input.priority`;
/// `Variable "$input" ...` names `input`.
fn field_named_in(message: &str) -> Option<String> {
    let quoted_after = |prefix: &str| {
        let rest = &message[message.find(prefix)? + prefix.len()..];
        let rest = rest.strip_prefix('"')?;
        let end = rest.find('"')?;
        Some(rest[..end].trim_start_matches('$').to_owned())
    };
    quoted_after("Invalid value for argument ")
        .or_else(|| quoted_after("Variable "))
        .or_else(|| quoted_after("argument "))
}

#[cfg(test)]
mod tests {
    use super::field_named_in;

    #[test]
    fn finds_the_argument_path_in_async_graphql_messages() {
        assert_eq!(
            field_named_in(r#"Invalid value for argument "input.priority", expected type "Int""#)
                .as_deref(),
            Some("input.priority")
        );
        assert_eq!(
            field_named_in(r#"Variable "$input" is not defined"#).as_deref(),
            Some("input")
        );
        assert_eq!(field_named_in("Unknown field \"x\""), None);
    }
}
