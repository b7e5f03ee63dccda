//! Logging and tracing. Logs: `tracing`, human-readable by default or JSON
//! lines, filtered by `RUST_LOG`; request spans carry the request id (and,
//! with tracing on, the trace id), so every line logged while serving a
//! request names it. Traces: with an OTLP endpoint, the spans of
//! [`spans`] go to an OpenTelemetry collector ([`otlp`]); without one no
//! OpenTelemetry layer exists and those spans' callsites stay disabled, so
//! making them costs a cached check and nothing else.

mod otlp;
pub(crate) mod spans;

use std::sync::OnceLock;

use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogFormat, ServeArgs};

pub use otlp::Tracing;

/// The target of the spans exported as traces: never log lines.
pub(crate) const SPANS: &str = "agentgraph_trace";

const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn";

/// The exporter, once tracing is on; its absence is the "off" that every
/// span helper checks first.
static TRACING: OnceLock<Tracing> = OnceLock::new();

/// Whether spans are being exported.
pub(crate) fn on() -> bool {
    TRACING.get().is_some()
}

/// Installs the log subscriber and, when `serve` names an OTLP endpoint,
/// the exporter of traces. Must run within the tokio runtime (the exporter
/// sends on it). A second call (tests) keeps the first's subscriber.
pub fn init(format: LogFormat, serve: Option<&ServeArgs>) -> anyhow::Result<()> {
    let filter = log_filter()?;
    let Some(tracing) = serve.and_then(|serve| serve.otlp_endpoint.as_deref().map(|e| (e, serve)))
    else {
        // A global filter and the formatter unboxed, as before tracing
        // existed: nothing on the path of a span or an event is added.
        let registry = tracing_subscriber::registry().with(filter);
        let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
        let _ = match format {
            LogFormat::Text => registry.with(layer).try_init(),
            LogFormat::Json => registry
                .with(layer.json().with_current_span(true).with_span_list(false))
                .try_init(),
        };
        return Ok(());
    };
    let (endpoint, serve) = tracing;
    if TRACING.get().is_some() {
        return Ok(());
    }
    let exporter = Tracing::start(endpoint, &serve.otel_service_name)?;
    let otel = tracing_opentelemetry::layer()
        .with_tracer(exporter.tracer())
        .with_location(false)
        .with_threads(false)
        .with_level(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_filter(filter_fn(|metadata| {
            metadata.is_span() && metadata.target() == SPANS
        }));
    let installed = tracing_subscriber::registry()
        .with(fmt_layer(format).with_filter(filter))
        .with(otel)
        .try_init();
    if installed.is_err() {
        anyhow::bail!("tracing needs the process's log subscriber, which was already installed");
    }
    let _ = TRACING.set(exporter);
    tracing::info!(endpoint, "exporting traces over OTLP/HTTP");
    Ok(())
}

/// Sends the spans ended so far; the server calls it as it stops.
pub async fn flush() {
    if let Some(tracing) = TRACING.get() {
        tracing.flush().await;
    }
}

/// `RUST_LOG` (or the default), never logging the trace spans themselves.
fn log_filter() -> anyhow::Result<EnvFilter> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    Ok(filter.add_directive(format!("{SPANS}=off").parse()?))
}

fn fmt_layer<S>(format: LogFormat) -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match format {
        LogFormat::Text => layer.boxed(),
        LogFormat::Json => layer
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    }
}
