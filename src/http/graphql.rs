//! The GraphQL endpoint per the GraphQL-over-HTTP spec: POST with a JSON
//! body, GET for queries (mutations over GET are 405), the response media
//! type negotiated from `Accept`, and GraphiQL for a browser's plain GET.

use async_graphql::parser::types::OperationType;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::graphql::loaders::DbLoader;
use crate::state::AppState;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The response media types of the spec.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MediaType {
    /// Request errors are 4xx.
    GraphqlResponseJson,
    /// Legacy: well-formed requests are 200 whatever their errors.
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => GRAPHQL_RESPONSE_JSON,
            Self::Json => JSON,
        }
    }
}

/// The first acceptable media range of `Accept` wins; no `Accept` means JSON.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    if accept.trim().is_empty() {
        return Some(MediaType::Json);
    }
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim().replace(' ', "");
            p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
        });
        if refused {
            continue;
        }
        match essence.as_str() {
            GRAPHQL_RESPONSE_JSON => return Some(MediaType::GraphqlResponseJson),
            JSON | "application/*" | "*/*" => return Some(MediaType::Json),
            _ => {}
        }
    }
    None
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// A request error outside GraphQL execution, in the negotiated body shape.
fn request_error(status: StatusCode, media: MediaType, message: &str) -> Response {
    let body = json!({
        "errors": [{ "message": message, "extensions": { "code": "BAD_USER_INPUT" } }]
    });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.as_str()),
    );
    response
}

fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        [(header::CONTENT_TYPE, JSON)],
        json!({ "errors": [{ "message": format!("Accept must allow {GRAPHQL_RESPONSE_JSON} or {JSON}") }] })
            .to_string(),
    )
        .into_response()
}

pub async fn get_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let has_document = query.split('&').any(|pair| pair.starts_with("query="));
    if !has_document && wants_html(&headers) {
        return super::graphiql::page().into_response();
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let request = match async_graphql::http::parse_query_string(&query) {
        Ok(request) => request,
        Err(err) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                &format!("invalid query string: {err}"),
            );
        }
    };
    if request.query.is_empty() {
        return request_error(
            StatusCode::BAD_REQUEST,
            media,
            "the `query` parameter is required",
        );
    }
    if is_mutation(&request) {
        let mut response = request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            "mutations must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&state, request, media).await
}

pub async fn post_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    // Only JSON bodies: this also refuses the content types of cross-site
    // "simple" requests (form posts, text/plain) that skip CORS preflight.
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.type_() == mime::APPLICATION && m.subtype() == mime::JSON);
    if !is_json {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            "the request body must be application/json",
        );
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(err) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                &format!("invalid JSON body: {err}"),
            );
        }
    };
    if request.query.is_empty() {
        return request_error(
            StatusCode::BAD_REQUEST,
            media,
            "the `query` field is required",
        );
    }
    execute(&state, request, media).await
}

/// Whether the operation the request would run is a mutation. A document
/// that does not parse is left to execution, which reports it.
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let operations: Vec<_> = document.operations.iter().collect();
    let chosen = match &request.operation_name {
        Some(name) => operations
            .iter()
            .find(|(op_name, _)| op_name.map(|n| n.as_str()) == Some(name.as_str())),
        None if operations.len() == 1 => operations.first(),
        None => None,
    };
    chosen.is_some_and(|(_, op)| op.node.ty == OperationType::Mutation)
}

async fn execute(state: &AppState, request: async_graphql::Request, media: MediaType) -> Response {
    let request = request.data(DbLoader::new(state.db.reader.clone()));
    let response = state.schema.execute(request).await;
    // No data and no error path means the request never reached execution
    // (it did not parse or validate): a request error.
    let request_failed = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let status = if request_failed && media == MediaType::GraphqlResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = match serde_json::to_vec(&response) {
        Ok(body) => body,
        Err(err) => {
            let err = crate::error::AppError::internal(&err);
            return request_error(StatusCode::INTERNAL_SERVER_ERROR, media, &err.to_string());
        }
    };
    (status, [(header::CONTENT_TYPE, media.as_str())], body).into_response()
}
