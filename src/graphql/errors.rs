//! How a resolver's errors reach GraphQL clients: every error carries
//! `extensions.code`, and `BAD_USER_INPUT` also carries `extensions.field`.
//! async-graphql's own errors get theirs in `engine::response`.

use async_graphql::Context;

use crate::error::{AppError, ErrorCode, Violation};

fn violation_error(violation: &Violation) -> async_graphql::Error {
    let mut error =
        async_graphql::Error::new(format!("{}: {}", violation.field, violation.message));
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", ErrorCode::BadUserInput.as_str());
    extensions.set("field", violation.field.as_str());
    error
}

/// Turns an [`AppError`] into the GraphQL error(s) a client sees. Every
/// violation of a bad input becomes an error of its own, so a client learns
/// of all of them at once.
pub(crate) fn to_graphql_error(ctx: &Context<'_>, err: AppError) -> async_graphql::Error {
    if let AppError::BadUserInput(violations) = &err {
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
        return violation_error(last);
    }
    plain_error(err)
}

/// [`to_graphql_error`] where no resolver context is at hand (a
/// subscription's later events): one error, with its code.
pub(crate) fn plain_error(err: AppError) -> async_graphql::Error {
    if let AppError::BadUserInput(violations) = &err
        && let Some(first) = violations.first()
    {
        return violation_error(first);
    }
    let mut error = coded(err.to_string(), err.code());
    if let Some(extensions) = error.extensions.as_mut() {
        if let Some(reference) = err.reference() {
            extensions.set("reference", reference.to_string());
        }
        if let AppError::ConflictAt { field, .. } = &err {
            extensions.set("field", field.as_str());
        }
    }
    error
}

fn coded(message: String, code: ErrorCode) -> async_graphql::Error {
    let mut error = async_graphql::Error::new(message);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    error
}

/// `result.gql(ctx)?` in resolvers.
pub(crate) trait GqlResult<T> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for Result<T, AppError> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|err| to_graphql_error(ctx, err))
    }
}
