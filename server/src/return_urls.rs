//! The shop's own pages the buyer comes back to (cart, review, confirmation, cancel), per flow, and the check
//! that keeps every one of them on an origin the shop registered: the server never sends a buyer anywhere else,
//! so it cannot be used as an open redirect.
//!
//! Pages come from the configuration (`AMAZON_PAY_RETURN_PAGES`, checked at start) or, for one checkout, from
//! the widget's request (checked when it arrives, refused with a clear error). Each must be an absolute http(s)
//! URL without credentials or fragment, on an allowed origin, https in live mode (Amazon requires https return
//! URLs), and short enough for PAYONE's `successurl`/`errorurl`/`backurl` fields.

use crate::store::db::{params, Conn, DbError, OptionalExtension};
use amazon_pay_contract::cv2::ReturnPages;
use reqwest::Url;
use serde::{Deserialize, Serialize};

/// PAYONE's `successurl`, `errorurl` and `backurl` are at most 255 characters (format `AN..255`).
pub const MAX_URL_LEN: usize = 255;

/// What the error URL adds to the review page (`errorurl`), counted against [`MAX_URL_LEN`].
const REVIEW_ERROR: (&str, &str) = ("error", "amazon");

/// A return page that cannot be used, said so the shop can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnUrlError {
    /// Relative, or not http(s).
    #[error("return page {0:?} is not an absolute http(s) URL such as https://shop.example/checkout/review")]
    NotAbsolute(String),
    /// With a user name, password or fragment.
    #[error("return page {0:?} must not carry credentials or a #fragment")]
    Forbidden(String),
    /// On an origin the shop did not register.
    #[error("return page {url:?} is on {origin}, which is not an allowed origin (AMAZON_PAY_RETURN_ORIGINS, else --allowed-origins)")]
    OriginNotAllowed {
        /// The page.
        url: String,
        /// Its origin.
        origin: String,
    },
    /// Plain http in live mode.
    #[error("return page {0:?} must be https in live mode (Amazon sends buyers only to https pages)")]
    NotHttps(String),
    /// Longer than PAYONE takes.
    #[error("return page {url:?} is {len} characters as sent to PAYONE; PAYONE takes at most {MAX_URL_LEN}")]
    TooLong {
        /// The URL as sent.
        url: String,
        /// Its length.
        len: usize,
    },
    /// A public URL too long for the return URLs on this server that PAYONE gets (with the order's token).
    #[error(
        "AMAZON_PAY_PUBLIC_URL {public:?} is too long: PAYONE's return URLs on it, such as {url:?}, would be {len} \
         characters; PAYONE takes at most {MAX_URL_LEN}"
    )]
    PublicUrlTooLong {
        /// The public URL.
        public: String,
        /// The longest return URL on it.
        url: String,
        /// Its length.
        len: usize,
    },
    /// A setting that is not `FLOW.PAGE=URL`.
    #[error("AMAZON_PAY_RETURN_PAGES: {0:?} is not FLOW.PAGE=URL (FLOW cv2 or apb; PAGE cart, review, confirmation or cancel)")]
    BadSetting(String),
    /// An origin that is not one.
    #[error("AMAZON_PAY_RETURN_ORIGINS: {0}")]
    BadOrigin(#[from] crate::security::SecurityConfigError),
}

/// The settings, as `amazon-pay-server --help` shows them (flattened into `config::Args`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReturnPageArgs {
    /// Origins the shop's return pages may be on (comma-separated, like --allowed-origins), besides this
    /// server's own. Defaults to --allowed-origins.
    #[arg(long, env = "AMAZON_PAY_RETURN_ORIGINS", value_delimiter = ',')]
    pub return_origins: Vec<String>,
    /// The shop's pages per flow, comma-separated `FLOW.PAGE=URL` (FLOW `cv2` or `apb`; PAGE `cart`, `review`,
    /// `confirmation` or `cancel`), e.g. `cv2.review=https://shop.example/checkout/review`. Unset `cv2` pages are
    /// this server's demo pages (`/`, `/review.html`, `/confirmation.html`; cancel is the cart); unset `apb` pages
    /// are the `cv2` ones.
    #[arg(long = "return-page", env = "AMAZON_PAY_RETURN_PAGES", value_delimiter = ',')]
    pub return_pages: Vec<String>,
}

/// The four pages of one flow, absolute URLs that passed [`Policy::check`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pages {
    /// The cart ("Back to cart").
    pub cart: String,
    /// The order-review page Amazon returns the buyer to.
    pub review: String,
    /// The page that follows the order's status.
    pub confirmation: String,
    /// Where a buyer who cancels on Amazon's pages goes.
    pub cancel: String,
}

impl Pages {
    /// `successurl`, `errorurl` and `backurl` of PAYONE's `createCheckoutSessionPayload`: the review page, the
    /// review page with `error=amazon`, the cancel page with the cancel marker; each within PAYONE's length.
    pub fn session_urls(&self) -> Result<[String; 3], ReturnUrlError> {
        let urls = [self.review.clone(), with_query(&self.review, &[REVIEW_ERROR]), self.cancel_url()];
        match urls.iter().find(|u| u.len() > MAX_URL_LEN) {
            Some(url) => Err(ReturnUrlError::TooLong { url: url.clone(), len: url.len() }),
            None => Ok(urls),
        }
    }

    /// Where Amazon sends a buyer who cancels on its pages: the cancel page with
    /// [`amazon_pay_contract::routes::CANCEL_MARKER`], from which the widget there tells `amazonpay:cancelled`.
    pub fn cancel_url(&self) -> String {
        with_query(&self.cancel, &[(amazon_pay_contract::routes::CANCEL_MARKER, "1")])
    }
}

/// Which origins return pages may be on, and whether they must be https.
#[derive(Debug, Clone)]
pub struct Policy {
    origins: Vec<String>,
    https_only: bool,
}

impl Policy {
    /// `url` as an absolute URL when it may be a return page.
    pub fn check(&self, url: &str) -> Result<Url, ReturnUrlError> {
        let parsed = Url::parse(url.trim()).map_err(|_| ReturnUrlError::NotAbsolute(url.to_owned()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(ReturnUrlError::NotAbsolute(url.to_owned()));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() || parsed.fragment().is_some() {
            return Err(ReturnUrlError::Forbidden(url.to_owned()));
        }
        // Before the origin: `http://shop.example` with `https://shop.example` allowed needs https, not another origin.
        if self.https_only && parsed.scheme() != "https" && !is_loopback(&parsed) {
            return Err(ReturnUrlError::NotHttps(url.to_owned()));
        }
        let origin = parsed.origin().ascii_serialization();
        if !self.origins.contains(&origin) {
            return Err(ReturnUrlError::OriginNotAllowed { url: url.to_owned(), origin });
        }
        if parsed.as_str().len() > MAX_URL_LEN {
            return Err(ReturnUrlError::TooLong { url: url.to_owned(), len: parsed.as_str().len() });
        }
        Ok(parsed)
    }
}

/// A live server tried out on this machine (`http://127.0.0.1`, `http://localhost`) is not refused.
fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let ip = host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>();
    host == "localhost" || ip.is_ok_and(|ip| ip.is_loopback())
}

/// A flow whose buyers come back to the shop's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Checkout v2 (button, review page, order).
    Cv2,
    /// Authorization first (the shop's own button at the end of its checkout).
    Apb,
}

impl Flow {
    /// The flow of an order as the store names it (`"cv2"`, `"apb"`); CV2's pages for anything else.
    pub fn of_order(flow: &str) -> Flow {
        if flow == "apb" {
            Flow::Apb
        } else {
            Flow::Cv2
        }
    }
}

/// Every flow's pages, checked once at start, and the policy requests are checked against.
#[derive(Debug, Clone)]
pub struct ReturnPagesConfig {
    policy: Policy,
    /// This server's own origin: a page there is redirected to by its path (works behind a proxy too).
    own_origin: String,
    cv2: Pages,
    apb: Pages,
}

/// The longest return URL on this server PAYONE gets (CV1's success URL with the token) within [`MAX_URL_LEN`].
fn check_own_return_urls(public: &str) -> Result<(), ReturnUrlError> {
    let order = crate::orders::new_order_id();
    let url = crate::return_token::url(public, &amazon_pay_contract::routes::cv1_return(&order), "success", "", &order);
    match url.len() {
        len if len > MAX_URL_LEN => Err(ReturnUrlError::PublicUrlTooLong { public: public.to_owned(), url, len }),
        _ => Ok(()),
    }
}

impl ReturnPagesConfig {
    /// Reads the settings; `public_url` is where buyers reach this server (the demo pages' origin).
    pub fn resolve(args: &ReturnPageArgs, public_url: &str, allowed_origins: &[String], live: bool) -> Result<Self, ReturnUrlError> {
        let public = public_url.trim_end_matches('/');
        check_own_return_urls(public)?;
        let own_origin = Url::parse(public).map_err(|_| ReturnUrlError::NotAbsolute(public.to_owned()))?.origin().ascii_serialization();
        let configured = crate::security::parse_origins(&args.return_origins)?;
        // This server's own origin is always allowed: its demo pages are the defaults.
        let listed = if configured.is_empty() { allowed_origins } else { &configured };
        let origins = listed.iter().cloned().chain([own_origin.clone()]).collect();
        let policy = Policy { origins, https_only: live };
        let [cart, review, confirmation] = [format!("{public}/"), format!("{public}/review.html"), format!("{public}/confirmation.html")].map(Some);
        // CV2's pages default to the demo's; APB's to CV2's (below), so a shop that names its pages once gets
        // APB buyers back to them too, not to this server's demo pages.
        let mut flows = [ReturnPages { cart, review, confirmation, cancel: None }, ReturnPages::default()];
        for setting in args.return_pages.iter().filter(|s| !s.trim().is_empty()) {
            let bad = || ReturnUrlError::BadSetting(setting.clone());
            let (key, url) = setting.split_once('=').ok_or_else(bad)?;
            let (flow, page) = key.trim().split_once('.').ok_or_else(bad)?;
            let pages = match flow {
                "cv2" => &mut flows[0],
                "apb" => &mut flows[1],
                _ => return Err(bad()),
            };
            let slot = match page {
                "cart" => &mut pages.cart,
                "review" => &mut pages.review,
                "confirmation" => &mut pages.confirmation,
                "cancel" => &mut pages.cancel,
                _ => return Err(bad()),
            };
            *slot = Some(url.trim().to_owned());
        }
        let [cv2, mut apb] = flows;
        for (page, cv2_page) in
            [(&mut apb.cart, &cv2.cart), (&mut apb.review, &cv2.review), (&mut apb.confirmation, &cv2.confirmation), (&mut apb.cancel, &cv2.cancel)]
        {
            if page.is_none() {
                page.clone_from(cv2_page);
            }
        }
        let mut config = ReturnPagesConfig { policy, own_origin, cv2: Pages::default(), apb: Pages::default() };
        // Every page is named above, so merging onto nothing checks each one.
        config.cv2 = config.merge(&Pages::default(), &cv2)?;
        config.apb = config.merge(&Pages::default(), &apb)?;
        Ok(config)
    }

    /// The pages a checkout returns its buyer to: those it asked for ([`stored`]), else its flow's configured
    /// ones (`flow` as the order records it).
    pub fn for_checkout(&self, store: &crate::store::Store, workorder_id: &str, flow: &str) -> Result<Pages, crate::store::StoreError> {
        Ok(match stored(store, workorder_id)? {
            Some(pages) => pages,
            None => self.pages(Flow::of_order(flow)).clone(),
        })
    }

    /// The configured pages of `flow`.
    pub fn pages(&self, flow: Flow) -> &Pages {
        match flow {
            Flow::Cv2 => &self.cv2,
            Flow::Apb => &self.apb,
        }
    }

    /// `flow`'s pages with those a request names instead, each checked; the cancel page defaults to the cart.
    pub fn for_request(&self, flow: Flow, requested: &ReturnPages) -> Result<Pages, ReturnUrlError> {
        self.merge(self.pages(flow), requested)
    }

    fn merge(&self, base: &Pages, requested: &ReturnPages) -> Result<Pages, ReturnUrlError> {
        let pick = |asked: &Option<String>, default: &str| match asked {
            Some(url) => self.policy.check(url).map(String::from),
            None => Ok(default.to_owned()),
        };
        let cart = pick(&requested.cart, &base.cart)?;
        // Cancelling on Amazon's pages leads back to the cart unless a cancel page of its own is named.
        let cancel = match (&requested.cancel, &requested.cart) {
            (Some(url), _) => self.policy.check(url)?.to_string(),
            (None, None) if !base.cancel.is_empty() => base.cancel.clone(),
            (None, _) => cart.clone(),
        };
        let pages =
            Pages { review: pick(&requested.review, &base.review)?, confirmation: pick(&requested.confirmation, &base.confirmation)?, cancel, cart };
        pages.session_urls()?;
        Ok(pages)
    }

    /// `path` on `origin`, the shop's origin a page of which asked (legacy CV1 returns the buyer to the page it
    /// started on), when return pages may be there.
    pub fn on_origin(&self, origin: &str, path: &str) -> Result<String, ReturnUrlError> {
        let url = format!("{}{path}", origin.trim().trim_end_matches('/'));
        self.policy.check(&url).map(String::from)
    }

    /// `url` with `query` added, checked again and absolute: for the widget to navigate to, from a page that
    /// may be on the shop's origin (where a path of this server's would name the shop's page).
    pub fn absolute(&self, url: &str, query: &[(&str, &str)]) -> Result<String, ReturnUrlError> {
        Ok(with_query(self.policy.check(url)?.as_str(), query))
    }

    /// The `Location` for sending the buyer to `url` with `query` added: checked again (the configuration may
    /// have changed since the page was stored), and a path only when the page is on this server.
    pub fn redirect(&self, url: &str, query: &[(&str, &str)]) -> Result<String, ReturnUrlError> {
        let checked = self.policy.check(url)?;
        let target = with_query(checked.as_str(), query);
        if checked.origin().ascii_serialization() == self.own_origin {
            let origin_len = self.own_origin.len();
            return Ok(target[origin_len..].to_owned());
        }
        Ok(target)
    }
}

/// `url` with `pairs` appended to its query (form-encoded).
pub fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            parsed.query_pairs_mut().extend_pairs(pairs);
            parsed.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

/// Stores the pages one checkout asked for (on the writer's connection, inside its job).
pub(crate) fn insert(c: &Conn<'_>, workorder_id: &str, pages: &Pages) -> crate::store::db::Result<()> {
    let json = serde_json::to_string(pages).map_err(|e| DbError::Encode(e.to_string()))?;
    c.prepare_cached(
        "INSERT INTO return_pages (workorder_id, pages_json) VALUES (?1, ?2)
         ON CONFLICT (workorder_id) DO UPDATE SET pages_json = excluded.pages_json",
    )?
    .execute(params![workorder_id, json])
    .map(drop)
}

/// The pages a checkout asked for, if it asked for any.
pub fn stored(store: &crate::store::Store, workorder_id: &str) -> Result<Option<Pages>, crate::store::StoreError> {
    let json: Option<String> = store.read(|c| {
        c.prepare_cached("SELECT pages_json FROM return_pages WHERE workorder_id = ?1")?.query_row([workorder_id], |row| row.get(0)).optional()
    })?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pages: &[&str], live: bool) -> Result<ReturnPagesConfig, ReturnUrlError> {
        let args = ReturnPageArgs { return_origins: vec![], return_pages: pages.iter().map(|s| s.to_string()).collect() };
        ReturnPagesConfig::resolve(&args, "https://pay.shop.example/", &["https://shop.example".to_owned()], live)
    }

    #[test]
    fn defaults_are_the_demo_pages_and_cancel_is_the_cart() {
        let config = config(&[], true).unwrap();
        let pages = config.pages(Flow::Cv2);
        assert_eq!(pages.cart, "https://pay.shop.example/");
        assert_eq!(pages.review, "https://pay.shop.example/review.html");
        assert_eq!(pages.confirmation, "https://pay.shop.example/confirmation.html");
        assert_eq!(pages.cancel, pages.cart);
        let [success, error, back] = pages.session_urls().unwrap();
        assert_eq!(success, "https://pay.shop.example/review.html");
        assert_eq!(error, "https://pay.shop.example/review.html?error=amazon");
        assert_eq!(back, "https://pay.shop.example/?amazonPayCancelled=1", "the cancel page tells the widget there");
    }

    #[test]
    fn configured_pages_per_flow() {
        let configured = config(
            &["cv2.review=https://shop.example/r?x=1", "apb.cancel=https://shop.example/checkout", "cv2.cart=https://shop.example/cart"],
            true,
        )
        .unwrap();
        assert_eq!(configured.pages(Flow::Cv2).review, "https://shop.example/r?x=1");
        assert_eq!(configured.pages(Flow::Cv2).cancel, "https://shop.example/cart", "cancel follows the cart");
        assert_eq!(configured.pages(Flow::Apb).cancel, "https://shop.example/checkout");
        // APB's pages left unset are CV2's, the shop's where it named them, else the demo's.
        assert_eq!(configured.pages(Flow::Apb).review, "https://shop.example/r?x=1");
        assert_eq!(configured.pages(Flow::Apb).cart, "https://shop.example/cart");
        assert_eq!(configured.pages(Flow::Apb).confirmation, "https://pay.shop.example/confirmation.html");
        let apb_own = config(&["cv2.confirmation=https://shop.example/done", "apb.confirmation=https://shop.example/apb-done"], true).unwrap();
        assert_eq!(apb_own.pages(Flow::Apb).confirmation, "https://shop.example/apb-done");
        assert_eq!(apb_own.pages(Flow::Cv2).confirmation, "https://shop.example/done");
        assert_eq!(apb_own.pages(Flow::Apb).cancel, "https://pay.shop.example/", "cancel follows APB's cart, CV2's demo cart");
        assert_eq!(Flow::of_order("apb"), Flow::Apb);
        assert_eq!(Flow::of_order("cv2"), Flow::Cv2);
    }

    #[test]
    fn refusals() {
        let refused = |page: &str, live: bool| config(&[page], live).unwrap_err();
        assert!(matches!(refused("cv2.review=https://evil.example/r", false), ReturnUrlError::OriginNotAllowed { .. }));
        assert!(
            matches!(refused("cv2.review=http://shop.example/r", false), ReturnUrlError::OriginNotAllowed { .. }),
            "another scheme is another origin"
        );
        assert!(matches!(refused("cv2.review=/review.html", false), ReturnUrlError::NotAbsolute(_)));
        assert!(matches!(refused("cv2.review=javascript:alert(1)", false), ReturnUrlError::NotAbsolute(_)));
        assert!(matches!(refused("cv2.review=https://a:b@shop.example/r", false), ReturnUrlError::Forbidden(_)));
        assert!(matches!(refused("cv2.review=https://shop.example/r#top", false), ReturnUrlError::Forbidden(_)));
        assert!(matches!(refused("cv2.review", false), ReturnUrlError::BadSetting(_)));
        assert!(matches!(refused("cv2.home=https://shop.example/", false), ReturnUrlError::BadSetting(_)));
        // The review page is refused when its error URL would be too long for PAYONE.
        let long = format!("cv2.review=https://shop.example/{}", "r".repeat(MAX_URL_LEN - 30));
        assert!(matches!(refused(&long, false), ReturnUrlError::TooLong { .. }));
    }

    #[test]
    fn a_public_url_is_refused_when_the_return_urls_with_their_token_would_be_too_long_for_payone() {
        let args = ReturnPageArgs::default();
        // CV1's success URL adds 90 characters: /api/cv1/orders/O…/return?result=success&token=<32 hex>.
        let fits = format!("https://pay.shop.example/{}", "p".repeat(MAX_URL_LEN - 90 - 25));
        assert!(ReturnPagesConfig::resolve(&args, &fits, &[], false).is_ok(), "{} characters", fits.len());
        let order = crate::orders::new_order_id();
        let longest = crate::return_token::url(&fits, &amazon_pay_contract::routes::cv1_return(&order), "success", "k", &order);
        assert_eq!(longest.len(), MAX_URL_LEN, "the limit itself is taken");
        let long = format!("{fits}p");
        let err = ReturnPagesConfig::resolve(&args, &long, &[], false).unwrap_err();
        assert!(matches!(&err, ReturnUrlError::PublicUrlTooLong { len: 256, .. }), "{err}");
        assert!(err.to_string().contains("AMAZON_PAY_PUBLIC_URL"), "{err}");
    }

    #[test]
    fn live_mode_wants_https_except_on_this_machine() {
        let args = ReturnPageArgs { return_origins: vec!["http://shop.example".into(), "http://localhost:9".into()], return_pages: vec![] };
        let config = ReturnPagesConfig::resolve(&args, "http://127.0.0.1:8080", &[], true).unwrap();
        let err = config.for_request(Flow::Cv2, &ReturnPages { review: Some("http://shop.example/r".into()), ..Default::default() }).unwrap_err();
        assert!(matches!(err, ReturnUrlError::NotHttps(_)), "{err}");
        let ok = config.for_request(Flow::Cv2, &ReturnPages { review: Some("http://localhost:9/r".into()), ..Default::default() }).unwrap();
        assert_eq!(ok.review, "http://localhost:9/r");
        let sandbox = ReturnPagesConfig::resolve(&args, "http://127.0.0.1:8080", &[], false).unwrap();
        // The https twin of an allowed origin: the fix is https, not another origin (was "not an allowed origin").
        let https_allowed =
            ReturnPageArgs { return_origins: vec!["https://shop.example".into()], return_pages: vec!["cv2.review=http://shop.example/r".into()] };
        let err = ReturnPagesConfig::resolve(&https_allowed, "https://pay.shop.example", &[], true).unwrap_err();
        assert!(matches!(err, ReturnUrlError::NotHttps(_)), "{err}");
        assert!(sandbox.for_request(Flow::Cv2, &ReturnPages { review: Some("http://shop.example/r".into()), ..Default::default() }).is_ok());
    }

    #[test]
    fn redirects_are_paths_on_this_server_and_urls_elsewhere() {
        let config = config(&[], false).unwrap();
        assert_eq!(config.redirect("https://pay.shop.example/confirmation.html", &[("order", "O1")]).unwrap(), "/confirmation.html?order=O1");
        assert_eq!(
            config.redirect("https://shop.example/thanks?a=b", &[("order", "O 1&x")]).unwrap(),
            "https://shop.example/thanks?a=b&order=O+1%26x"
        );
        assert!(
            matches!(config.redirect("https://evil.example/", &[]), Err(ReturnUrlError::OriginNotAllowed { .. })),
            "checked again on the way out"
        );
    }
}
