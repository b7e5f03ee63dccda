//! HTTP: the GraphQL endpoint, the playground, health checks and metrics,
//! behind request ids, request logs, CORS and a body size limit.

mod graphiql;
mod graphql;
mod health;
mod sse;
mod state;
mod status;
mod ws;
mod ws_credentials;
mod ws_messages;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub(crate) use graphql::API_KEY_HEADER;
pub(crate) use state::{AppState, SocketLimits};

use crate::metrics as m;
use crate::telemetry::spans::Operation;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The application router. `metrics_on_main` puts `/metrics` here too.
pub(crate) fn router(
    state: AppState,
    max_body_bytes: usize,
    cors_origins: &[String],
    metrics_on_main: bool,
) -> Router {
    let mut router = Router::new()
        .route(
            "/graphql",
            get(graphql::get_graphql).post(graphql::post_graphql),
        )
        .merge(graphiql::routes())
        .route("/health", get(health::health))
        .route("/ready", get(health::ready));
    if metrics_on_main {
        router = router.route("/metrics", get(serve_metrics));
    }
    let mut router = router
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::from_fn(count_in_flight));
    if let Some(cors) = cors_layer(cors_origins) {
        router = router.layer(cors);
    }
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let request_id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    request_id,
                    method = %request.method(),
                    path = request.uri().path(),
                    // Recorded when the request is traced (`traced`).
                    trace_id = tracing::field::Empty,
                )
            }),
        )
        // Accepts the client's X-Request-Id or makes one, before anything logs.
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// The span of a GraphQL operation carried by `transport`, continuing the
/// client's trace (W3C `traceparent`, `tracestate`); the trace id goes on
/// the request's span, so the request's log lines name it.
pub(crate) fn traced(headers: &axum::http::HeaderMap, transport: &'static str) -> Operation {
    if !crate::telemetry::on() {
        return Operation::off();
    }
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let trace = Operation::start(transport, value("traceparent"), value("tracestate"));
    if let Some(trace_id) = trace.trace_id() {
        tracing::Span::current().record("trace_id", tracing::field::display(trace_id));
    }
    trace
}

/// `/metrics` alone, for `--metrics-listen`.
pub(crate) fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(serve_metrics))
        .with_state(state)
}

async fn serve_metrics(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(handle) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            m::render(handle, &state.engine.db),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics are not available").into_response(),
    }
}

async fn count_in_flight(request: Request, next: Next) -> Response {
    /// Decrements on drop, so a request abandoned by its client still leaves.
    struct InFlight(::metrics::Gauge);
    impl Drop for InFlight {
        fn drop(&mut self) {
            self.0.decrement(1.0);
        }
    }
    let gauge = ::metrics::gauge!(m::IN_FLIGHT);
    gauge.increment(1.0);
    let _in_flight = InFlight(gauge);
    next.run(request).await
}

/// CORS stays off (browsers' same-origin rule applies) unless origins are named.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::AUTHORIZATION,
                HeaderName::from_static(API_KEY_HEADER),
                REQUEST_ID,
            ]),
    )
}
