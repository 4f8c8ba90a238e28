//! A sandbox served on its own on a free loopback port, without the server: what the simulator tests need.

use amazon_pay_sandbox::{InspectError, Inspector, Sandbox, SandboxConfig, StoredOrder, UpstreamCall};
use std::sync::Arc;

/// No order store behind `/sandbox/inspect/`: the server is not running in these tests.
struct NoStore;

impl Inspector for NoStore {
    fn upstream_calls(&self) -> Result<Vec<UpstreamCall>, InspectError> {
        Ok(Vec::new())
    }
    fn orders(&self, _workorder_id: &str) -> Result<Vec<StoredOrder>, InspectError> {
        Ok(Vec::new())
    }
    fn notifications(&self, _after: usize, _limit: usize) -> Result<Vec<(String, String, String, i64)>, InspectError> {
        Ok(Vec::new())
    }
    fn provider(&self) -> &'static str {
        "payone"
    }
    fn pages(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Serves a fresh sandbox for `config` under `/sandbox` on 127.0.0.1 port 0: its base URL and the sandbox.
pub(crate) async fn serve(config: SandboxConfig) -> (String, Arc<Sandbox>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
    let base = format!("http://{}", listener.local_addr().expect("a bound listener has an address"));
    let sandbox = Arc::new(Sandbox::new(&config, &base));
    let app = axum::Router::new().nest("/sandbox", amazon_pay_sandbox::router(sandbox.clone(), Arc::new(NoStore)));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the sandbox serves") });
    (base, sandbox)
}
