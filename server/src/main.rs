//! `amazon-pay-server`: the thin Amazon Pay backend with its offline sandbox.
//! `amazon-pay-server check-config [FLAGS]` validates the configuration without starting;
//! `amazon-pay-server migrate-store --from sqlite:PATH --to postgres://...` copies a store into PostgreSQL.

use amazon_pay_server::config::{Args, Config};
use clap::Parser;

/// `migrate-store --help`: what it does and takes (docs/operations.md has the whole procedure).
const MIGRATE_STORE_HELP: &str = "Usage: amazon-pay-server migrate-store --from sqlite:PATH --to postgres://...

Copies every table of a SQLite store (its file, e.g. sqlite:data/amazon-pay.sqlite) into an empty PostgreSQL
database, keeps every id and checks every table's row count at the end. Stop the server that writes the SQLite
file first. Operations: docs/operations.md (PostgreSQL).";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", refusal(&err, developer_backtrace()));
            std::process::ExitCode::FAILURE
        }
    }
}

/// Whether a refused start shows the error's backtrace: `RUST_LIB_BACKTRACE=1` (anyhow's and std's variable for
/// errors' backtraces) or `RUST_BACKTRACE=full`. `RUST_BACKTRACE=1` alone, often set for panics, does not: the
/// operator reads the sentence and what to do (docs/operations.md, "When the server does not start").
fn developer_backtrace() -> bool {
    match std::env::var("RUST_LIB_BACKTRACE") {
        Ok(value) => value != "0",
        Err(_) => std::env::var("RUST_BACKTRACE").is_ok_and(|value| value == "full"),
    }
}

/// A refused start as printed: the error and its causes, and the backtrace only when asked for.
fn refusal(err: &anyhow::Error, backtrace: bool) -> String {
    if backtrace {
        return format!("Error: {err:?}");
    }
    let mut text = format!("Error: {err}");
    let causes: Vec<String> = err.chain().skip(1).map(|cause| format!("    {cause}")).collect();
    if !causes.is_empty() {
        text.push_str("\n\nCaused by:\n");
        text.push_str(&causes.join("\n"));
    }
    text
}

/// The server, `check-config` or `migrate-store`; a refusal is printed by [`main`].
async fn run() -> anyhow::Result<()> {
    let mut argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("check-config") {
        argv.remove(1);
        std::process::exit(amazon_pay_server::ops::check::run(&argv));
    }
    if argv.get(1).map(String::as_str) == Some("migrate-store") {
        if argv[2..].iter().any(|a| a == "--help" || a == "-h") {
            println!("{MIGRATE_STORE_HELP}");
            return Ok(());
        }
        // Copies a SQLite store into an empty PostgreSQL database (docs/operations.md, "PostgreSQL").
        let counts = amazon_pay_server::store::copy::run(&argv[2..]).await?;
        for (table, rows) in counts {
            println!("{table}: {rows} rows copied, counts match");
        }
        println!("migrate-store: done");
        return Ok(());
    }
    // The configuration file only fills in environment variables, so it is applied before parsing.
    amazon_pay_server::config_file::apply(&argv)?;
    let args = Args::parse_from(&argv);
    amazon_pay_server::ops::logging::init(args.ops.log_format);
    // The start stops at the first problem; check-config finds the others without a start per problem.
    let config = Config::from_args(args)
        .map_err(|err| anyhow::anyhow!("{err}\n(`amazon-pay-server check-config` with the same settings lists every problem at once)"))?;
    let server = amazon_pay_server::app::Server::bind(config).await?;
    if let Some(warning) = amazon_pay_server::assets::not_built_warning(&server.state().config.dist_dir) {
        tracing::warn!("{warning}");
    }
    // Tests and scripts read this line to find the port when `--listen 127.0.0.1:0` was asked for: the bound
    // address, also when buyers reach the server at another URL (behind a balancer, docs/operations.md).
    let listening = format!("http://{}", server.local_addr());
    println!("amazon-pay-server listening on {listening}");
    if server.base_url() != listening {
        println!("amazon-pay-server public URL {}", server.base_url());
    }
    if let Some(warning) = server.state().config.public_url_warning(&listening) {
        println!("amazon-pay-server: {warning}");
    }
    if let Some(warning) = server.state().config.ipn_topics_warning() {
        println!("amazon-pay-server: {warning}");
    }
    if let Some(note) = server.state().config.without_payone() {
        println!("amazon-pay-server: {note}");
    }
    if let Some(addr) = server.metrics_addr() {
        println!("amazon-pay-server metrics on http://{addr}/metrics");
    }
    server.run_until(shutdown_signal()).await?;
    tracing::info!("shutdown: done");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
