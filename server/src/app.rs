//! The router and the listening server: one process serves the widget, the demo pages, the JSON API and
//! (in sandbox mode) the stand-ins for Amazon and PAYONE.

use crate::catalogue::Catalogue;
use crate::config::{Config, Mode};
use crate::payone::PayoneClient;
use crate::store::Store;
use axum::routing::get;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

/// What every handler gets: configuration, store and upstream clients. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub inner: Arc<Inner>,
}

pub struct Inner {
    pub config: Config,
    /// Where buyers reach this server; return URLs are built from it.
    pub public_url: String,
    pub store: Store,
    pub catalogue: Catalogue,
    pub payone: PayoneClient,
    pub sandbox: Option<crate::sandbox::Sandbox>,
    /// Serializes order placement per checkout.
    pub order_locks: crate::orders::OrderLocks,
    /// `None` in live mode when CheckoutChamp is not configured.
    pub checkoutchamp: Option<crate::checkoutchamp::CheckoutChamp>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

/// Builds the whole application router for `state`.
pub fn router(state: AppState) -> Router {
    // dist/ holds `.br` and `.gz` twins of the widget's files (scripts/build-widget writes them): served to
    // browsers that accept them, so a page really downloads the bytes the size budget counts.
    let dist = ServeDir::new(&state.config.dist_dir).precompressed_br().precompressed_gzip();
    let pages = dist.fallback(ServeDir::new(&state.config.static_dir));
    let mut app = Router::new()
        .route(amazon_pay_contract::routes::HEALTHZ, get(healthz))
        .merge(crate::security::protect_api(crate::api::router(), &state));
    if state.sandbox.is_some() {
        app = app.nest("/sandbox", crate::sandbox::router());
    } else {
        app = app.nest("/sandbox", crate::sandbox::refuse_router());
    }
    let pages = crate::security::page_headers(pages, state.config.content_security_policy.as_deref());
    app.fallback_service(pages).with_state(state).layer(crate::security::referrer_policy_layer())
}

async fn healthz() -> &'static str {
    "ok"
}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    /// Opens the store, binds the listener and wires the upstream clients to the bound address.
    pub async fn bind(config: Config) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr: SocketAddr = listener.local_addr()?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_owned();
        let store = Store::open(&config.data_dir)?;
        let catalogue = match &config.catalogue {
            Some(path) => Catalogue::load(path)?,
            None => Catalogue::demo(),
        };
        let sandbox = (config.mode == Mode::Sandbox).then(|| crate::sandbox::Sandbox::new(&config, &public_url));
        // Sandbox without an endpoint: the simulator in process (same wire format, no loopback HTTP per call).
        let payone = match (&sandbox, &config.payone.endpoint) {
            (Some(sandbox), None) => {
                PayoneClient::in_process(config.payone.clone(), sandbox.payone_gateway(), config.mode, config.payone_timeout)
            }
            (_, endpoint) => {
                let endpoint = endpoint.clone().unwrap_or_else(|| format!("http://{addr}/sandbox/payone/post-gateway/"));
                PayoneClient::new(config.payone.clone(), endpoint, config.mode, config.payone_timeout)?
            }
        }
        .with_api_version(&config.payone_api_version);
        let checkoutchamp = crate::checkoutchamp::CheckoutChamp::build(&config, addr, &store)?;
        let state = AppState {
            inner: Arc::new(Inner { config, public_url, store, catalogue, payone, sandbox, order_locks: Default::default(), checkoutchamp }),
        };
        Ok(Server { listener, state })
    }

    /// `http://127.0.0.1:PORT` (or the configured public URL).
    pub fn base_url(&self) -> &str {
        &self.state.public_url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let app = router(self.state);
        // TCP_NODELAY: a response is written as headers and then its body; with Nagle's algorithm the body waits
        // for the client's delayed ACK of the headers, 40 ms on every static file of a fresh connection.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::warn!(%err, "cannot set TCP_NODELAY; responses may wait for delayed ACKs");
            }
        });
        // The peer address reaches handlers that check it (TransactionStatus sender ranges).
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }

    /// Serves in the background (for tests); the task ends when the runtime does.
    pub fn spawn(self) -> (String, AppState) {
        let base = self.state.public_url.clone();
        let state = self.state.clone();
        tokio::spawn(self.run_until(std::future::pending()));
        (base, state)
    }
}
