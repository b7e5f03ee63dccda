//! The OTLP/HTTP receiver the tracing tests export to, and reading the
//! spans it took.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;

/// The spans received, with their service's name.
#[derive(Clone, Default)]
pub(super) struct Receiver {
    pub(super) spans: Arc<Mutex<Vec<(String, Span)>>>,
}

impl Receiver {
    /// Serves `POST /v1/traces` on a free port; its base URL.
    pub(super) async fn start() -> (Self, String) {
        let receiver = Self::default();
        let spans = receiver.spans.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: Bytes| {
                let spans = spans.clone();
                async move {
                    let request =
                        ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf body");
                    let mut spans = spans.lock().expect("spans");
                    for resource in request.resource_spans {
                        let service = resource
                            .resource
                            .iter()
                            .flat_map(|r| &r.attributes)
                            .find(|kv| kv.key == "service.name")
                            .and_then(|kv| string_of(kv.value.as_ref()?.value.as_ref()?))
                            .unwrap_or_default();
                        for scope in resource.scope_spans {
                            for span in scope.spans {
                                spans.push((service.clone(), span));
                            }
                        }
                    }
                    (
                        [("content-type", "application/x-protobuf")],
                        ExportTraceServiceResponse::default().encode_to_vec(),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the receiver");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    /// The spans received once `done` holds of them, flushing the server's
    /// exporter between looks (a span ends a moment after its response).
    pub(super) async fn wait_for(&self, done: impl Fn(&[Span]) -> bool) -> Vec<Span> {
        for _ in 0..50 {
            agentgraph::telemetry::flush().await;
            let spans: Vec<Span> = self
                .spans
                .lock()
                .expect("spans")
                .iter()
                .map(|(_, span)| span.clone())
                .collect();
            if done(&spans) {
                return spans;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let received: Vec<(String, String, String, Option<String>)> = self
            .spans
            .lock()
            .expect("spans")
            .iter()
            .map(|(_, s)| {
                (
                    s.name.clone(),
                    hex::encode(&s.trace_id),
                    hex::encode(&s.parent_span_id),
                    attribute(s, "agentgraph.batch.creates"),
                )
            })
            .collect();
        panic!("the expected spans never came; received {received:?}");
    }
}

pub(super) fn string_of(value: &AnyValue) -> Option<String> {
    match value {
        AnyValue::StringValue(text) => Some(text.clone()),
        _ => None,
    }
}

pub(super) fn attribute(span: &Span, key: &str) -> Option<String> {
    let value = span.attributes.iter().find(|kv| kv.key == key)?;
    match value.value.as_ref()?.value.as_ref()? {
        AnyValue::StringValue(text) => Some(text.clone()),
        AnyValue::IntValue(n) => Some(n.to_string()),
        AnyValue::BoolValue(b) => Some(b.to_string()),
        other => Some(format!("{other:?}")),
    }
}
