//! The log subscriber: text for people, JSON lines for collectors. Both print the `request` span, whose `id`
//! field is the request id (see [`super::request_id`]), on every line the request causes.

use crate::telemetry::LogFormat;
use std::fmt::{Debug, Write as _};
use tracing_subscriber::field::delimited::Delimited;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::{debug_fn, FieldFn, Writer};
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
        LogFormat::Text => builder.fmt_fields(escaped_fields()).init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).flatten_event(true).init(),
    }
}

/// The text format's fields, as the default prints them (`message name=value …`) but with every character a
/// client could use to forge a line or drive a terminal written as `\u{…}`: a refusal's detail quotes what the
/// request sent (serde names an unknown variant as it came), and a line break there would start a line of the
/// client's own. The JSON format escapes these itself.
type FieldFormatter = FieldFn<fn(&mut Writer<'_>, &tracing::field::Field, &dyn Debug) -> std::fmt::Result>;

fn escaped_fields() -> Delimited<&'static str, FieldFormatter> {
    let format: fn(&mut Writer<'_>, &tracing::field::Field, &dyn Debug) -> std::fmt::Result = |writer, field, value| {
        if field.name() != "message" {
            write!(writer, "{field}=")?;
        }
        let mut text = String::new();
        write!(text, "{value:?}")?;
        writer.write_str(&escape_controls(&text))
    };
    debug_fn(format).delimited(" ")
}

/// `text` with control characters (line breaks, ESC) and the bidi controls that reorder what follows
/// ("Trojan Source") replaced by their `\u{…}` escapes; everything else as it is.
fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars().map(|c| if unsafe_char(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect::<String>().into()
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn controls_and_bidi_overrides_are_escaped_and_nothing_else() {
        assert_eq!(escape_controls("a\r\nb\u{1b}[31m\u{202e}c"), "a\\u{d}\\u{a}b\\u{1b}[31m\\u{202e}c");
        assert_eq!(escape_controls("Müller 東京 ÷"), "Müller 東京 ÷");
    }
}
