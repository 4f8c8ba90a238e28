//! The router and the listening server: one process serves the widget, the demo pages, the JSON API and
//! (in sandbox mode) the stand-ins for Amazon and PAYONE.

use crate::catalogue::Catalogue;
use crate::config::{Config, Mode};
use crate::payone::PayoneClient;
pub use crate::state::{AppState, Inner};
use crate::store::Store;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

/// Builds the whole application router for `state`.
pub fn router(state: AppState) -> Router {
    // dist/ holds `.br` and `.gz` twins of the widget's files (scripts/build-widget writes them): served to
    // browsers that accept them, so a page really downloads the bytes the size budget counts.
    let dist = ServeDir::new(&state.config.dist_dir).precompressed_br().precompressed_gzip();
    let pages = dist.fallback(ServeDir::new(&state.config.static_dir));
    let api = crate::security::protect_api(crate::api::router(&state.config), &state.public_url, &state.config.allowed_origins);
    let mut app = Router::new()
        .route(amazon_pay_contract::routes::HEALTHZ, get(healthz))
        .merge(api)
        // Not behind protect_api: no CORS, its own origin check and keys (merchant/mod.rs).
        .merge(crate::merchant::router(&state))
        .merge(crate::merchant::dashboard::router(&state))
        .nest("/sandbox", sandbox_routes(&state));
    if state.is_sandbox() {
        if let Some(secret) = &state.config.merchant.webhook_secret {
            app = app.merge(crate::webhooks::receiver::router(secret));
        }
    }
    let pages = crate::security::page_headers(pages, state.config.content_security_policy.as_deref());
    let pages: Router = Router::new()
        .fallback_service(pages)
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::assets::headers))
        .layer(axum::middleware::from_fn(crate::merchant::dashboard::hide_from_pages))
        .layer(axum::middleware::from_fn(crate::security::refuse_scheme_relative_paths));
    // The harness's language choice (a cookie) relabels the demo pages; never in live mode.
    let pages = if state.is_sandbox() { pages.layer(axum::middleware::from_fn(crate::demo_language::pages)) } else { pages };
    app.fallback_service(pages)
        .with_state(state)
        .layer(crate::security::referrer_policy_layer())
        // Outermost, so a route's own limit (the buyer API's 64 KB, the merchant API's 16 KB) replaces it.
        .layer(axum::extract::DefaultBodyLimit::max(DEFAULT_BODY_LIMIT))
}

/// The body limit of the routes that set none of their own, the sandbox's (its simulators, hosted pages and
/// webhook receiver: small forms and JSON), which had axum's 2 MB, and any route added later.
const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// `/sandbox/…`: the sandbox in sandbox mode; refused in live mode (and always in a server built without the
/// sandbox), so a page can never load a fake script.
#[cfg_attr(not(feature = "sandbox"), allow(unused_variables))]
fn sandbox_routes(state: &AppState) -> Router<AppState> {
    #[cfg(feature = "sandbox")]
    if let Some(sandbox) = &state.sandbox {
        let inspector = crate::sandbox_link::StoreInspector {
            store: state.store.clone(),
            page_dirs: [state.config.dist_dir.clone(), state.config.static_dir.clone()],
            provider: state.config.provider,
        };
        return amazon_pay_sandbox::router(sandbox.clone(), Arc::new(inspector));
    }
    Router::new().fallback(|| async { (StatusCode::NOT_FOUND, "The sandbox is disabled: this server runs in live mode.") })
}

/// Why a server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Sandbox mode was chosen (`--sandbox`, or no live credentials), but this binary has no sandbox.
    #[error(
        "sandbox mode needs the offline sandbox, and this server was built without it; build one that has it \
         with `cargo build -p amazon-pay-server --features sandbox`, or give live credentials (see --help)"
    )]
    SandboxNotBuilt,
    /// The address to listen on cannot be bound: another process has it (often an earlier instance still
    /// finishing its requests after SIGTERM), or it is not this machine's.
    #[error(
        "cannot listen on {addr} ({setting}): {cause}. Another process may hold it (an earlier amazon-pay-server \
         still shutting down, or another service); stop it or choose another address"
    )]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// The flag and variable that set it.
        setting: &'static str,
        /// Said in the message itself (not a `source`, which would print it twice).
        cause: std::io::Error,
    },
}

async fn healthz() -> &'static str {
    "ok"
}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    /// `--metrics-listen`, when set.
    metrics: Option<TcpListener>,
}

impl Server {
    /// Opens the store, binds the listener and wires the upstream clients to the bound address.
    pub async fn bind(config: Config) -> anyhow::Result<Server> {
        #[cfg(not(feature = "sandbox"))]
        if config.mode == Mode::Sandbox {
            return Err(StartError::SandboxNotBuilt.into());
        }
        let listener = TcpListener::bind(config.listen).await.map_err(|source| StartError::Listen {
            addr: config.listen,
            setting: "--listen, AMAZON_PAY_LISTEN",
            cause: source,
        })?;
        let addr: SocketAddr = listener.local_addr()?;
        let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{addr}")).trim_end_matches('/').to_owned();
        let store = Store::open_url(&config.database_url, &config.data_dir)?;
        let catalogue = match &config.catalogue {
            Some(path) => {
                let (currencies, provider) = config.catalogue_currencies();
                Catalogue::load_for(path, currencies, provider)?
            }
            None => Catalogue::demo(),
        };
        // Before anything is served or sent: a store another shop wrote is refused (docs/operations.md#several-shops).
        store.claim_for_shop(&config.shop_identity(catalogue.currency), &config.database_url.location(&config.data_dir)).await?;
        let live_payone = |endpoint: &Option<String>| {
            let endpoint = endpoint.clone().unwrap_or_else(|| format!("http://{addr}/sandbox/payone/post-gateway/"));
            PayoneClient::new(config.payone.clone(), endpoint, config.mode, config.payone_timeout)
        };
        #[cfg(feature = "sandbox")]
        let sandbox = (config.mode == Mode::Sandbox)
            .then(|| Arc::new(amazon_pay_sandbox::Sandbox::new(&crate::sandbox_link::sandbox_config(&config), &public_url)));
        // Sandbox without an endpoint: the simulator in process (same wire format, no loopback HTTP per call).
        #[cfg(feature = "sandbox")]
        let payone = match (&sandbox, &config.payone.endpoint) {
            (Some(sandbox), None) => PayoneClient::in_process(config.payone.clone(), sandbox.payone_gateway(), config.mode, config.payone_timeout),
            (_, endpoint) => live_payone(endpoint)?,
        };
        #[cfg(not(feature = "sandbox"))]
        let payone = live_payone(&config.payone.endpoint)?;
        let payone = payone.with_api_version(&config.payone_api_version);
        let checkoutchamp = crate::checkoutchamp::CheckoutChamp::build(&config, addr, &store)?;
        let return_pages =
            crate::return_urls::ReturnPagesConfig::resolve(&config.return_pages, &public_url, &config.allowed_origins, config.mode == Mode::Live)?;
        let amazon = match &config.amazon {
            None => None,
            Some(amazon_config) => {
                #[cfg(feature = "sandbox")]
                let lent = match &sandbox {
                    Some(s) => Some(crate::sandbox_link::amazon_key(s, amazon_config, &public_url)?),
                    None => None,
                };
                #[cfg(not(feature = "sandbox"))]
                let lent = None;
                Some(crate::amazon::AmazonPay::build(amazon_config, lent)?)
            }
        };
        let mut config = config;
        if config.mode == Mode::Sandbox {
            // Webhooks go to the sandbox's own receiver unless the tester configured a URL.
            crate::webhooks::receiver::use_by_default(&mut config.merchant, &public_url);
        }
        let state = AppState {
            inner: Arc::new(Inner {
                config,
                public_url,
                store: store.clone(),
                lifecycle: Default::default(),
                catalogue,
                payone,
                #[cfg(feature = "sandbox")]
                sandbox,
                order_locks: crate::orders::OrderLocks::for_store(&store),
                checkoutchamp,
                return_pages,
                amazon,
                sns_certificates: Default::default(),
                key_attempts: Default::default(),
            }),
        };
        let metrics = crate::ops::metrics_server::bind(&state).await.map_err(|(addr, source)| StartError::Listen {
            addr,
            setting: "--metrics-listen, AMAZON_PAY_METRICS_LISTEN",
            cause: source,
        })?;
        Ok(Server { listener, state, metrics })
    }

    /// `http://127.0.0.1:PORT` (or the configured public URL).
    pub fn base_url(&self) -> &str {
        &self.state.public_url
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The state the handlers will get (tests inspect it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The metrics address, when `--metrics-listen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serves until `shutdown` completes, then shuts down gracefully (see [`crate::ops::shutdown`]).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        if let Some(metrics) = self.metrics {
            crate::ops::metrics_server::spawn(metrics, self.state.clone());
        }
        // Webhooks from the outbox, for as long as the server runs.
        let webhooks = crate::webhooks::spawn(self.state.store.clone(), &self.state.config.merchant);
        let _stop_webhooks = webhooks.map(AbortOnDrop);
        // Orders whose buyer never came back from Amazon's pages, and placements cut off, given up after their time.
        let _stop_expiry =
            AbortOnDrop(crate::redirect_expiry::spawn(self.state.store.clone(), crate::redirect_expiry::Expiry::of_config(&self.state.config)));
        // CheckoutChamp orders Amazon had not decided at their import, followed until it has.
        let _stop_crm_status = self.state.checkoutchamp.clone().map(|cc| AbortOnDrop(crate::checkoutchamp::status::spawn(cc)));
        // Second authorizations found before a restart and not yet released.
        tokio::spawn(crate::merchant::duplicates::release_pending(self.state.clone()));
        let (close_listener, listener_closes) = tokio::sync::watch::channel(false);
        let (shutdown, deadline) = crate::ops::shutdown::sequence(self.state.clone(), shutdown, close_listener);
        let app = crate::ops::wrap(router(self.state.clone()), &self.state);
        let listener = crate::ops::listener::Closable::new(self.listener, listener_closes);
        // TCP_NODELAY, the peer's address for the handlers that check it (TransactionStatus sender ranges), and
        // limits on how long a client may take to send its headers and body and to read its answer (ops/serve.rs).
        let timeouts = crate::ops::serve::Timeouts::of(&self.state.config.ops);
        tokio::select! {
            () = crate::ops::serve::serve(listener, app, timeouts, shutdown) => Ok(()),
            () = deadline => Err(crate::ops::shutdown::DeadlinePassed.into()),
        }
    }

    /// Serves in the background (for tests); the task ends when the runtime does.
    pub fn spawn(self) -> (String, AppState) {
        let base = self.state.public_url.clone();
        let state = self.state.clone();
        tokio::spawn(self.run_until(std::future::pending()));
        (base, state)
    }
}

/// Stops a background task when the server stops.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
