//! Structured logging through `tracing`; levels from RUST_LOG (default `info`). Text for
//! people (coloured only on a terminal), or `json`: one object per line, each request's
//! lines carrying its `request_id`. A request answered with a client error is an INFO
//! line with its status, not a warning: only the server's own failures are ERRORs.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Installs the global subscriber once; later calls (tests start many servers) do nothing.
pub fn init(format: &str) {
    init_at(format, "info");
}

/// As [`init`], with `default` as the level when RUST_LOG is not set (the demo's thousands
/// of in-process requests would drown its one line of outcome at `info`).
pub fn init_at(format: &str, default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Closing spans are logged so every request leaves one line with its status and latency.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .with_ansi(format != "json" && std::io::stderr().is_terminal());
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
