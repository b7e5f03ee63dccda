//! What the GraphQL endpoint answers: the negotiated media type, the status
//! of a rejection, and the status and body of a GraphQL
//! response per the GraphQL-over-HTTP spec.

use std::time::Instant;

use async_graphql::ServerError;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::engine::outcome::record;
use crate::engine::rejection::{Reason, Rejection};
use crate::engine::response::code_of;
use crate::error::{AppError, ErrorCode};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The response media types of the spec.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
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
pub(crate) fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
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
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
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

pub(crate) fn not_acceptable() -> Response {
    let message = format!("Accept must allow {GRAPHQL_RESPONSE_JSON} or {JSON}");
    let mut response = Refusal::bad_request(message)
        .with_status(StatusCode::NOT_ACCEPTABLE)
        .body_response(MediaType::Json);
    // The one refusal whose body the client did not ask for in a type it takes.
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
}

/// A rejection as HTTP answers it: the status its reason and code call
/// for, or a more exact one the transport knows (413, 415).
pub(crate) struct Refusal {
    rejection: Rejection,
    status: StatusCode,
}

impl From<Rejection> for Refusal {
    fn from(rejection: Rejection) -> Self {
        let status = match rejection.reason {
            Reason::MutationOverGet => StatusCode::METHOD_NOT_ALLOWED,
            Reason::TimedOut => StatusCode::REQUEST_TIMEOUT,
            Reason::Code => rejection.code.status(),
        };
        Self { rejection, status }
    }
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        Rejection::from(err).into()
    }
}

impl Refusal {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Rejection::bad_request(message).into()
    }

    /// A more exact status than the code's own (413, 415).
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub(crate) fn into_response(
        self,
        media: MediaType,
        operation: &str,
        started: Instant,
    ) -> Response {
        let rejection = &self.rejection;
        record(operation, "rejected", &[rejection.code], started);
        tracing::info!(
            operation,
            outcome = "rejected",
            code = rejection.code.as_str(),
            status = self.status.as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "graphql request refused: {}",
            rejection.message
        );
        self.body_response(media)
    }

    fn body_response(self, media: MediaType) -> Response {
        let Rejection {
            code,
            message,
            field,
            request_error,
            ..
        } = self.rejection;
        let mut extensions = json!({ "code": code.as_str() });
        if let Some(field) = field {
            extensions["field"] = json!(field);
        }
        if let Some(trace_id) = crate::telemetry::spans::current_trace_id() {
            extensions["reference"] = json!(trace_id.to_string());
        }
        let body = json!({ "errors": [{ "message": message, "extensions": extensions }] });
        let status = match media {
            MediaType::Json if request_error => StatusCode::OK,
            _ => self.status,
        };
        let mut response = (status, body.to_string()).into_response();
        set_headers(&mut response, media, code.retry_after_secs());
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("X-API-Key"),
            );
        }
        response
    }
}

/// The content type, and `Retry-After` when the client may retry as is.
fn set_headers(response: &mut Response, media: MediaType, retry_after: Option<u64>) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.as_str()),
    );
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
}

/// How a GraphQL response leaves, by what it holds.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    /// Seconds for `Retry-After`, when the request may be sent again as is.
    pub(crate) retry_after: Option<u64>,
    /// Whether the body has a `data` entry.
    pub(crate) with_data: bool,
}

impl Answer {
    /// Nothing ran (the document did not parse or validate, a variable did
    /// not coerce): no `data` entry, and a 4xx where the media type allows.
    pub(crate) fn request_error(media: MediaType) -> Self {
        Self {
            status: match media {
                MediaType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
                MediaType::Json => StatusCode::OK,
            },
            retry_after: None,
            with_data: false,
        }
    }

    /// The status and shape `response` calls for.
    pub(crate) fn of(response: &async_graphql::Response, media: MediaType) -> Self {
        let errors = &response.errors;
        let no_data = response.data == async_graphql::Value::Null;
        // No data and no error path means the request never reached
        // execution (it did not validate): a request error.
        if no_data && !errors.is_empty() && errors.iter().all(|e| e.path.is_empty()) {
            return Self::request_error(media);
        }
        // Every root field failed and the database was out of reach: the
        // request as a whole can be retried. The spec allows a 5xx only for
        // a response without `data`, so the nulls are left out.
        let nothing_came_back = match &response.data {
            async_graphql::Value::Null => true,
            async_graphql::Value::Object(fields) => {
                fields.values().all(|v| *v == async_graphql::Value::Null)
            }
            _ => false,
        };
        let unavailable = errors
            .iter()
            .any(|e| code_of(e) == ErrorCode::ServiceUnavailable);
        if unavailable && nothing_came_back {
            return Self {
                status: ErrorCode::ServiceUnavailable.status(),
                retry_after: ErrorCode::ServiceUnavailable.retry_after_secs(),
                with_data: false,
            };
        }
        Self {
            status: StatusCode::OK,
            retry_after: None,
            with_data: true,
        }
    }

    /// The HTTP response: `response` whole, or only its errors.
    pub(crate) fn respond(
        self,
        media: MediaType,
        response: &async_graphql::Response,
    ) -> Result<Response, serde_json::Error> {
        #[derive(serde::Serialize)]
        struct ErrorsOnly<'a> {
            errors: &'a [ServerError],
        }
        let body = if self.with_data {
            serde_json::to_vec(response)?
        } else {
            serde_json::to_vec(&ErrorsOnly {
                errors: &response.errors,
            })?
        };
        let mut http = (self.status, body).into_response();
        set_headers(&mut http, media, self.retry_after);
        Ok(http)
    }
}
