//! `amazon-pay-server`: the thin Amazon Pay backend with its offline sandbox.

use amazon_pay_server::config::{Args, Config};
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "amazon_pay_server=info,tower_http=warn".into()),
        )
        .init();
    // The configuration file only fills in environment variables, so it is applied before parsing.
    let argv: Vec<String> = std::env::args().collect();
    amazon_pay_server::config_file::apply(&argv)?;
    let config = Config::from_args(Args::parse())?;
    let server = amazon_pay_server::app::Server::bind(config).await?;
    // Tests and scripts read this line to find the port when `--listen 127.0.0.1:0` was asked for.
    println!("amazon-pay-server listening on {}", server.base_url());
    server.run_until(shutdown_signal()).await?;
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
