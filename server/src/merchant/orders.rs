//! `GET /merchant/api/orders` (filters and cursor pagination) and `GET /merchant/api/orders/{id}`.

use super::MerchantError;
use crate::state::AppState;
use crate::store::order_list::{self, OrderQuery};
use crate::store::order_view;
use crate::store::{Store, StoreError};
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde_json::{json, Value};

/// Orders per page when `limit` is not given, and the most a page holds.
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

/// The longest search text.
const MAX_SEARCH: usize = 200;

const FLOWS: [&str; 4] = ["cv2", "apb", "cv1", "checkoutchamp"];

fn parse_filter(query: Option<&str>) -> Result<OrderQuery, MerchantError> {
    let mut filter = OrderQuery { limit: DEFAULT_LIMIT, ..OrderQuery::default() };
    let pairs = super::query_pairs(query, "invalid_filter", "each filter takes one value")?;
    let unix = |name: &str, value: &str| {
        value
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .ok_or_else(|| MerchantError::bad_request("invalid_filter", format!("{name} must be a time in Unix seconds, got {value:?}.")))
    };
    for (name, value) in pairs {
        match name.as_str() {
            "state" => {
                let known = amazon_pay_contract::orders::OrderState::parse(&value).is_some()
                    || crate::checkoutchamp::types::STORED_STATUSES.contains(&value.as_str());
                if !known {
                    // The merchant's cancel and refund leave the state as the provider reported it.
                    let hint = match amazon_pay_contract::merchant::PaymentStatus::parse(&value) {
                        Some(_) => format!(" Capture, refund and cancel leave the state as the provider reported it: use payment_status={value}."),
                        None => String::new(),
                    };
                    let states = state_names().join(", ");
                    return Err(MerchantError::bad_request("invalid_filter", format!("state {value:?} is not one of {states}.{hint}")));
                }
                filter.state = Some(value);
            }
            "payment_status" => {
                if amazon_pay_contract::merchant::PaymentStatus::parse(&value).is_none() {
                    let all: Vec<&str> = amazon_pay_contract::merchant::PaymentStatus::ALL.iter().map(|s| s.as_str()).collect();
                    return Err(MerchantError::bad_request("invalid_filter", format!("payment_status {value:?} is not one of {}.", all.join(", "))));
                }
                filter.payment_status = Some(value);
            }
            "flow" => {
                if !FLOWS.contains(&value.as_str()) {
                    return Err(MerchantError::bad_request("invalid_filter", format!("flow {value:?} is not one of {}.", FLOWS.join(", "))));
                }
                filter.flow = Some(value);
            }
            "created_since" => filter.since = Some(unix(&name, &value)?),
            "created_until" => filter.until = Some(unix(&name, &value)?),
            "limit" => {
                filter.limit = value.parse::<i64>().ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or_else(|| {
                    MerchantError::bad_request("invalid_filter", format!("limit must be an integer from 1 to {MAX_LIMIT}, got {value:?}."))
                })?;
            }
            "cursor" => filter.after = Some(decode_cursor(&value)?),
            "q" => filter.search = search_text(&value)?,
            "amazon_id" => {
                if value.is_empty() || value.len() > 100 || !value.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(MerchantError::bad_request(
                        "invalid_filter",
                        "amazon_id must be Amazon's id of the order as it shows it (1 to 100 visible characters).",
                    ));
                }
                filter.amazon_id = Some(value);
            }
            other => {
                return Err(MerchantError::bad_request(
                    "invalid_filter",
                    format!(
                        "{other:?} is not a filter: use q, state, payment_status, flow, amazon_id, created_since, created_until, limit or cursor."
                    ),
                ))
            }
        }
    }
    // Half-open (`since <= created < until`): a window that does not end after it starts holds no order, and
    // is a mistake (the two swapped) rather than a question whose answer is an empty list.
    if let (Some(since), Some(until)) = (filter.since, filter.until) {
        if since >= until {
            return Err(MerchantError::bad_request(
                "invalid_filter",
                format!("created_since ({since}) must be earlier than created_until ({until}): created_since <= created < created_until."),
            ));
        }
    }
    Ok(filter)
}

/// The values `state` takes: the order states, then CheckoutChamp's stored statuses not among them.
fn state_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = amazon_pay_contract::orders::OrderState::ALL.iter().map(|s| s.as_str()).collect();
    for status in crate::checkoutchamp::types::STORED_STATUSES {
        if !names.contains(&status) {
            names.push(status);
        }
    }
    names
}

/// `q`: found anywhere (any case) in the order id, PAYONE's txid and workorder, Amazon's order reference, and
/// the buyer's name, e-mail and company as PAYONE's notifications carry them (`store/order_list.rs`). Empty:
/// no search.
fn search_text(text: &str) -> Result<Option<String>, MerchantError> {
    let text = text.trim();
    if text.chars().count() > MAX_SEARCH {
        return Err(MerchantError::bad_request("invalid_filter", format!("q is longer than {MAX_SEARCH} characters.")));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

fn encode_cursor(created: i64, id: &str) -> String {
    hex::encode(format!("{created}:{id}"))
}

fn decode_cursor(text: &str) -> Result<(i64, String), MerchantError> {
    let bad = || MerchantError::bad_request("invalid_cursor", "The cursor is not one this API handed out (use next_cursor as it is).");
    let raw = String::from_utf8(hex::decode(text).map_err(|_| bad())?).map_err(|_| bad())?;
    let (created, id) = raw.split_once(':').ok_or_else(bad)?;
    Ok((created.parse().map_err(|_| bad())?, id.to_owned()))
}

/// `GET /merchant/api/orders`: newest first, `limit` per page; `next_cursor` fetches the next page.
pub(super) async fn list(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Json<Value>, MerchantError> {
    let filter = parse_filter(query.as_deref())?;
    let (orders, has_more) = read_page(&state.store, filter, || {})?;
    let next_cursor = if has_more { orders.last().map(|(created, id, _)| encode_cursor(*created, id)) } else { None };
    let data: Vec<Value> = orders
        .into_iter()
        .map(|(_, _, mut order)| {
            name_items(&state, &mut order);
            order
        })
        .collect();
    Ok(Json(json!({"object": "list", "data": data, "has_more": has_more, "next_cursor": next_cursor})))
}

/// A page of orders: `(created, id, order)` and whether more follow.
type Page = (Vec<(i64, String, Value)>, bool);

/// Reads a [`Page`]. The ids and every order's own reads run in one snapshot, so a state change committed
/// meanwhile cannot put a paid order on a page of approved ones (or an order's amounts beside payments of
/// another moment). `between` runs after the ids are read and before the orders are: the tests' seam for a
/// write committed in between.
fn read_page(store: &Store, filter: OrderQuery, between: impl FnOnce()) -> Result<Page, StoreError> {
    store.read_snapshot(move |c| {
        let ids = order_list::page(c, &filter)?;
        between();
        let has_more = ids.len() as i64 > filter.limit;
        let mut orders = Vec::new();
        for (created, id) in ids.into_iter().take(filter.limit as usize) {
            if let Some(order) = order_view::order_json(c, &id)? {
                orders.push((created, id, order));
            }
        }
        Ok((orders, has_more))
    })
}

/// `GET /merchant/api/orders/{id}`: the order with its webhook deliveries and its products' names.
pub(super) async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, MerchantError> {
    let Some(mut order) = read_order(&state.store, &id, &state.config.merchant.webhook_urls, || {})? else {
        return Err(MerchantError::not_found("order_not_found", format!("There is no order {id:?}.")));
    };
    name_items(&state, &mut order);
    Ok(Json(order))
}

/// Order `id` with its webhook deliveries, read in one snapshot: an event committed meanwhile (and its delivery)
/// cannot show beside an order still in the state before it. `between` runs after the order is read and
/// before its deliveries are (the tests' seam).
fn read_order(store: &Store, id: &str, configured: &[String], between: impl FnOnce()) -> Result<Option<Value>, StoreError> {
    store.read_snapshot(|c| {
        let Some(mut order) = order_view::order_json(c, id)? else { return Ok(None) };
        between();
        // A receiver's URL may carry the shop's token for it (query, user info): the merchant's key is not the
        // receiver's secret, so the page shows where each delivery goes and no more, as the logs do.
        // Two receivers shown alike (differing only in a token) are told apart by their place, as in the outbox.
        let mut deliveries = crate::store::events::deliveries_of(c, id)?;
        let shown = crate::config::merchant::urls_shown(configured);
        for delivery in &mut deliveries {
            if let Some(url) = delivery["url"].as_str() {
                let at = configured.iter().position(|c| c == url);
                let url = at.map_or_else(|| crate::config::merchant::url_shown(url), |i| shown[i].clone());
                delivery["url"] = Value::String(url);
            }
        }
        order["webhook_deliveries"] = Value::Array(deliveries);
        Ok(Some(order))
    })
}

/// A money action's answer (fresh or replayed), its order's products named as the order's page names them;
/// an error's body as it is.
pub(super) fn named_answer(state: &AppState, body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(mut order) if order.get("items").is_some() => {
            name_items(state, &mut order);
            order.to_string()
        }
        _ => body.to_owned(),
    }
}

/// The products' names from the catalogue, for people (the order keeps SKUs and quantities; prices are in its
/// amounts), in the list as in the order's page.
fn name_items(state: &AppState, order: &mut Value) {
    if let Some(items) = order["items"].as_array_mut() {
        for item in items {
            let name = item["sku"].as_str().and_then(|sku| state.catalogue.products.get(sku)).map(|p| p.name.clone());
            if let Some(name) = name {
                item["name"] = Value::String(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked() {
        let f = parse_filter(Some("state=approved&flow=cv2&created_since=10&created_until=20&limit=5")).unwrap();
        assert_eq!((f.state.as_deref(), f.flow.as_deref(), f.since, f.until, f.limit), (Some("approved"), Some("cv2"), Some(10), Some(20), 5));
        assert_eq!(parse_filter(None).unwrap().limit, DEFAULT_LIMIT);
        let twice = parse_filter(Some("state=approved&limit=5&state=paid")).unwrap_err();
        assert_eq!((twice.code, twice.message.as_str()), ("invalid_filter", "state is given twice; each filter takes one value."));
        assert_eq!(parse_filter(Some("q=50%25_off")).unwrap().search.as_deref(), Some("50%_off"));
        assert_eq!(parse_filter(Some("q=+")).unwrap().search, None, "blank: no search");
        assert_eq!(parse_filter(Some("amazon_id=S02-123")).unwrap().amazon_id.as_deref(), Some("S02-123"));
        assert_eq!(parse_filter(Some("payment_status=cancelled")).unwrap().payment_status.as_deref(), Some("cancelled"));
        let states = "placing, redirected, approved, pending, paid, failed, declined, abandoned, upstream_failed, complete, partial, other";
        let state = parse_filter(Some("state=cancelled")).unwrap_err();
        assert_eq!(
            state.message,
            format!("state \"cancelled\" is not one of {states}. Capture, refund and cancel leave the state as the provider reported it: use payment_status=cancelled.")
        );
        // Like payment_status and flow, the refusal names what state takes.
        let bogus = parse_filter(Some("state=bogus")).unwrap_err();
        assert_eq!((bogus.code, bogus.message), ("invalid_filter", format!("state \"bogus\" is not one of {states}.")));
        for state in states.split(", ") {
            assert_eq!(parse_filter(Some(&format!("state={state}"))).unwrap().state.as_deref(), Some(state));
        }
        // A window that ends before it starts (or where it starts: until is exclusive) is refused, naming both.
        for swapped in ["created_since=20&created_until=10", "created_until=10&created_since=10"] {
            let err = parse_filter(Some(swapped)).unwrap_err();
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{swapped}");
            assert!(err.message.contains("created_since") && err.message.contains("created_until"), "{}", err.message);
        }
        assert_eq!(parse_filter(Some("created_since=10&created_until=11")).unwrap().until, Some(11));
        // The hint speaks of the status asked for only (it once said cancelled and captured orders were found by
        // payment_status=refunded).
        let refunded = parse_filter(Some("state=refunded")).unwrap_err().message;
        assert!(refunded.ends_with("use payment_status=refunded.") && !refunded.contains("ancelled") && !refunded.contains("aptured"), "{refunded}");
        for bad in [
            "amazon_id=",
            "amazon_id=a%20b",
            "state=shipped",
            "payment_status=released",
            "payment_status=",
            "flow=paypal",
            "created_since=yesterday",
            "created_until=-1",
            "limit=0",
            "limit=101",
            "limit=x",
            "cursor=zz",
            "cursor=00",
            "sort=asc",
        ] {
            let err = parse_filter(Some(bad)).unwrap_err();
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
        }
        let cursor = encode_cursor(1_700_000_000, "OABC");
        assert_eq!(parse_filter(Some(&format!("cursor={cursor}"))).unwrap().after, Some((1_700_000_000, "OABC".to_owned())));
    }

    /// A store with one approved PAYONE order; its id.
    async fn approved_order(store: &Store) -> String {
        let mut order =
            crate::orders::OrderRecord::placing(crate::orders::Provider::Payone, Some("WO1"), "cv2", "key-1", amazon_pay_contract::Money::eur(1290));
        order.state = amazon_pay_contract::orders::OrderState::Approved;
        store.insert_order(&order).await.unwrap();
        order.id
    }

    /// A write that moves order `id` on to paid with its event, as a notification does.
    fn paid(store: &Store, runtime: &tokio::runtime::Handle, id: &str) {
        let id = id.to_owned();
        runtime
            .block_on(store.write(move |c| {
                c.execute("UPDATE orders SET state = 'paid' WHERE id = ?1", [&id])?;
                crate::store::events::record(c, &id, "order.paid")
            }))
            .unwrap();
    }

    /// A page of approved orders is one snapshot: an order paid between the ids' read and the orders' reads is
    /// shown as the list found it (approved), never as a paid order on a page of approved ones.
    async fn a_page_is_one_snapshot(store: Store) {
        let id = approved_order(&store).await;
        let (writer, runtime) = (store.clone(), tokio::runtime::Handle::current());
        let filter = parse_filter(Some("state=approved")).unwrap();
        let (orders, has_more) =
            tokio::task::spawn_blocking(move || read_page(&store, filter, || paid(&writer, &runtime, &id)).unwrap()).await.unwrap();
        assert!(!has_more);
        let states: Vec<&str> = orders.iter().map(|(_, _, order)| order["state"].as_str().unwrap_or("?")).collect();
        assert_eq!(states, ["approved"], "the page of state=approved shows its orders as it found them");
    }

    /// An order's page is one snapshot: an event committed between the order's read and its deliveries' is in
    /// neither (never an `order.paid` delivery beside an order still approved).
    async fn an_order_is_one_snapshot(store: Store) {
        let id = approved_order(&store).await;
        let urls = vec!["http://127.0.0.1:9/hook".to_owned()];
        store.queue_deliveries(urls.clone(), 0).await.unwrap();
        let (writer, runtime) = (store.clone(), tokio::runtime::Handle::current());
        let order = tokio::task::spawn_blocking({
            let id = id.clone();
            move || {
                let between = || {
                    paid(&writer, &runtime, &id);
                    assert_eq!(runtime.block_on(writer.queue_deliveries(urls, 1_000)).unwrap(), 1);
                };
                read_order(&store, &id, &[], between).unwrap().unwrap()
            }
        })
        .await
        .unwrap();
        assert_eq!(order["state"], "approved");
        let kinds: Vec<&str> = order["webhook_deliveries"].as_array().unwrap().iter().map(|d| d["type"].as_str().unwrap_or("?")).collect();
        assert!(!kinds.contains(&"order.paid"), "the deliveries of the order's moment, not a later one: {kinds:?}");
    }

    /// An order delivered to two receivers whose URLs differ only in a token (two Slack webhooks) listed both
    /// deliveries under the same `…/services/[redacted]/[redacted]/[redacted]`: which one failed could not be told.
    #[tokio::test]
    async fn deliveries_to_two_urls_that_differ_only_in_a_token_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let id = approved_order(&store).await;
        let urls = vec![
            "https://hooks.slack.com/services/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".to_owned(),
            "https://hooks.slack.com/services/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".to_owned(),
        ];
        store.queue_deliveries(urls.clone(), 0).await.unwrap();
        let event = id.clone();
        store.write(move |c| crate::store::events::record(c, &event, "order.approved")).await.unwrap();
        assert_eq!(store.queue_deliveries(urls.clone(), 1_000).await.unwrap(), 2);
        let order = read_order(&store, &id, &urls, || {}).unwrap().unwrap();
        let mut shown: Vec<&str> = order["webhook_deliveries"].as_array().unwrap().iter().map(|d| d["url"].as_str().unwrap_or("?")).collect();
        shown.sort_unstable();
        let mut expected = crate::config::merchant::urls_shown(&urls);
        expected.sort_unstable();
        assert_eq!(shown, expected);
        assert_ne!(shown[0], shown[1], "{shown:?}");
        assert!(shown.iter().all(|u| !u.contains("Xk9mWq2") && !u.contains("Qw3eRt5")), "{shown:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite_a_page_and_an_order_are_one_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        a_page_is_one_snapshot(Store::open(dir.path()).unwrap()).await;
        let dir = tempfile::tempdir().unwrap();
        an_order_is_one_snapshot(Store::open(dir.path()).unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgresql_a_page_and_an_order_are_one_snapshot() {
        let Some(store) = crate::store::test_postgres_store("orders").await else { return };
        a_page_is_one_snapshot(store).await;
        let Some(store) = crate::store::test_postgres_store("orders").await else { return };
        an_order_is_one_snapshot(store).await;
    }
}
