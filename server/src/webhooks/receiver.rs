//! The sandbox's webhook receiver at `/sandbox/webhooks`: in sandbox mode, when no `--webhook-url` is
//! configured, the server delivers its events here (signed with a secret made up at start), so a tester sees
//! webhooks without running a receiver. It verifies each delivery as a shop would and keeps the last
//! [`KEEP`] for `GET /sandbox/webhooks[?after=N]` (the harness's live log polls it).

use super::sign;
use crate::config::merchant::MerchantConfig;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Where the sandbox receiver listens.
pub const PATH: &str = "/sandbox/webhooks";
/// Deliveries kept.
pub const KEEP: usize = 1000;

/// Points `merchant` at the sandbox receiver of the server at `public_url` when no URL is configured.
pub fn use_by_default(merchant: &mut MerchantConfig, public_url: &str) {
    if !merchant.webhook_urls.is_empty() {
        return;
    }
    merchant.webhook_urls = vec![format!("{}{PATH}", public_url.trim_end_matches('/'))];
    if merchant.webhook_secret.is_none() {
        use rand::Rng;
        let bytes: [u8; 32] = rand::rng().random();
        merchant.webhook_secret = Some(hex::encode(bytes));
    }
}

/// One delivery as the receiver saw it.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// How many deliveries came before this one (the `after` of the next poll).
    pub number: usize,
    /// The event's `id`.
    pub event_id: String,
    /// The event's `type`.
    pub event_type: String,
    /// The event's `order.id`.
    pub order_id: String,
    /// The event's `sequence` (per order).
    pub sequence: i64,
    /// Whether the signature verified with the server's secret (and its timestamp was fresh).
    pub signature_valid: bool,
    /// When it arrived, in Unix milliseconds (the harness orders its log by it).
    pub received_at_ms: i64,
}

struct Receiver {
    secret: Vec<u8>,
    seen: Mutex<(usize, VecDeque<Delivery>)>,
}

/// The receiver's routes, with its own state; merged into the app in sandbox mode.
pub fn router<S: Clone + Send + Sync + 'static>(secret: &str) -> Router<S> {
    let receiver = Arc::new(Receiver { secret: secret.as_bytes().to_vec(), seen: Mutex::default() });
    Router::new().route(PATH, post(receive).get(list)).with_state(receiver)
}

async fn receive(State(receiver): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers.get(sign::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let valid = sign::verify(&receiver.secret, signature, &body, crate::store::now()).is_ok();
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut seen = receiver.seen.lock().unwrap_or_else(|p| p.into_inner());
    let (count, list) = &mut *seen;
    list.push_back(Delivery {
        number: *count,
        event_id: event["id"].as_str().unwrap_or_default().to_owned(),
        event_type: event["type"].as_str().unwrap_or_default().to_owned(),
        order_id: event["order"]["id"].as_str().unwrap_or_default().to_owned(),
        sequence: event["sequence"].as_i64().unwrap_or_default(),
        signature_valid: valid,
        received_at_ms: crate::store::now_ms(),
    });
    *count += 1;
    if list.len() > KEEP {
        list.pop_front();
    }
    // A shop refuses what it cannot verify; the server then retries it.
    if valid {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct After {
    #[serde(default)]
    after: usize,
}

async fn list(State(receiver): State<Arc<Receiver>>, Query(after): Query<After>) -> Json<Vec<Delivery>> {
    let seen = receiver.seen.lock().unwrap_or_else(|p| p.into_inner());
    Json(seen.1.iter().filter(|d| d.number >= after.after).cloned().collect())
}
