//! The log subscriber: text for people, JSON lines for collectors. Both print the `request` span, whose `id`
//! field is the request id (see [`super::request_id`]), on every line the request causes.

use crate::telemetry::LogFormat;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber, writing to stdout (`RUST_LOG` overrides the default filter). Text is colored
/// only on a terminal: in a file, journald or a collector, escape codes would be bytes in every line.
pub fn init(format: LogFormat) {
    use std::io::IsTerminal;
    install(format, std::io::stdout, std::io::stdout().is_terminal());
}

/// Installs the global subscriber, writing to `writer` (tests capture the lines), without colors.
pub fn init_with<W>(format: LogFormat, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    install(format, writer, false);
}

fn install<W>(format: LogFormat, writer: W, ansi: bool)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "amazon_pay_server=info,tower_http=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(ansi);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).flatten_event(true).init(),
    }
}
