//! The log subscriber: text for people, JSON lines for collectors. Both print the `request` span, whose `id`
//! field is the request id (see [`super::request_id`]), on every line the request causes.

use crate::telemetry::LogFormat;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber, writing to stdout (`RUST_LOG` overrides the default filter).
pub fn init(format: LogFormat) {
    init_with(format, std::io::stdout);
}

/// Installs the global subscriber, writing to `writer` (tests capture the lines).
pub fn init_with<W>(format: LogFormat, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "amazon_pay_server=info,tower_http=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).flatten_event(true).init(),
    }
}
