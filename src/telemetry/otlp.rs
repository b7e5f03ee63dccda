//! The exporter: OTLP/HTTP protobuf to `<endpoint>/v1/traces`, spans sent
//! in batches by the SDK's batch processor (a thread of its own, sized and
//! timed by the standard `OTEL_BSP_*` variables).
//!
//! The processor's thread blocks on each export, and the SDK's own async
//! HTTP clients need a tokio runtime on the thread that polls them. So the
//! client here hands each request to the server's runtime and waits for
//! its answer: reqwest over rustls (ring), no OpenSSL, no second runtime.

use std::time::Duration;

use bytes::Bytes;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

/// How long one export may take before it is given up (and its spans lost).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// A running exporter.
#[derive(Debug)]
pub struct Tracing {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
}

impl Tracing {
    /// Starts exporting to `endpoint` (the collector's base URL, as in
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`) as the service `service_name`.
    pub(super) fn start(endpoint: &str, service_name: &str) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| anyhow::anyhow!("tracing must start within the tokio runtime"))?;
        let client = RuntimeClient {
            client: reqwest::Client::builder().timeout(EXPORT_TIMEOUT).build()?,
            runtime,
        };
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_http_client(client)
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(traces_url(endpoint))
            .with_timeout(EXPORT_TIMEOUT)
            .build()?;
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(
                Resource::builder()
                    .with_service_name(service_name.to_owned())
                    .build(),
            )
            .build();
        let tracer = provider.tracer("agentgraph");
        Ok(Self { provider, tracer })
    }

    pub(super) fn tracer(&self) -> SdkTracer {
        self.tracer.clone()
    }

    pub(super) fn sdk_tracer(&self) -> &SdkTracer {
        &self.tracer
    }

    /// Exports what has ended. The processor's thread does the sending and
    /// this waits for it, off the runtime's threads: the export itself
    /// needs them.
    pub(super) async fn flush(&self) {
        let provider = self.provider.clone();
        let flushed = tokio::task::spawn_blocking(move || provider.force_flush()).await;
        if let Ok(Err(err)) = flushed {
            tracing::warn!(error = %err, "exporting the last spans failed");
        }
    }
}

/// `http://host:4318` → `http://host:4318/v1/traces`; a URL already ending
/// in the signal's path is kept.
fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_owned()
    } else {
        format!("{base}/v1/traces")
    }
}

#[derive(Debug)]
struct RuntimeClient {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for RuntimeClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = self.client.clone();
        let sent = self.runtime.spawn(async move {
            let (parts, body) = request.into_parts();
            let mut outgoing = client
                .request(parts.method, parts.uri.to_string())
                .body(body);
            for (name, value) in &parts.headers {
                outgoing = outgoing.header(name, value);
            }
            let response = outgoing.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        });
        let (status, headers, body) = sent.await??;
        let mut response = Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn the_signal_path_is_appended_once() {
        assert_eq!(
            traces_url("http://127.0.0.1:4318"),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://127.0.0.1:4318/"),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://collector/v1/traces"),
            "http://collector/v1/traces"
        );
    }
}
