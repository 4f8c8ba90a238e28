//! The CheckoutChamp lander's endpoints: Import Order (one-time or recurring), Import Upsale, and the order's
//! status for the buyer while Amazon decides a pending one.
//!
//! The widget sends the buyer's `access_token`, Amazon's order reference or billing agreement id and campaign
//! products with quantities. Names and email come from Amazon's profile endpoint (read here with the token),
//! prices from CheckoutChamp. A repeated `idempotency_key` gets the first answer back without a second call.

use super::ApiJson;
use crate::amazon_profile::{split_name, token_is_well_formed, AmazonProfile, ProfileError};
use crate::checkoutchamp::orders::quantity_of;
use crate::checkoutchamp::{
    AmazonImportOrder, AmazonImportUpsale, CheckoutChamp, CrmError, CrmOrder, DeclineReason, StoredImport, Unsettled, UnsettledUpsale,
};
use crate::error::AppError;
use crate::state::AppState;
use amazon_pay_contract::checkoutchamp::{
    crm_declined_message, upsale_declined_message, upsale_undecided_message, CampaignLine, CrmOrderState, CrmOrderStatus, CrmStatusRequest,
    ImportOrderRequest, ImportOrderResponse, ImportUpsaleRequest,
};
use amazon_pay_contract::{ErrorCode, Language};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// More lines than a lander ever sends is a mistake or abuse.
const MAX_LINES: usize = 20;

/// Maps a CheckoutChamp failure to what the buyer and the developer are told.
pub(super) fn crm_error(err: CrmError) -> AppError {
    let code = match &err {
        CrmError::Timeout(_) => ErrorCode::UpstreamTimeout,
        CrmError::Garbage(_) => ErrorCode::UpstreamInvalid,
        CrmError::Transport(_) | CrmError::HttpStatus { .. } | CrmError::Refused(_) | CrmError::Redirect => ErrorCode::UpstreamError,
        CrmError::Declined { reason, .. } => match reason {
            DeclineReason::InvalidPaymentMethod | DeclineReason::PaymentMethodNotAllowed => ErrorCode::SoftDecline,
            DeclineReason::AmazonRejected | DeclineReason::Other(_) => ErrorCode::HardDecline,
            // Amazon did not decide in time and nothing was charged: trying again shortly may work.
            DeclineReason::TransactionTimedOut => ErrorCode::UpstreamError,
        },
        CrmError::ConsentMissing(_) => ErrorCode::ConsentRequired,
        CrmError::AmazonSession(_) => ErrorCode::SessionExpired,
        CrmError::Configuration(_) => ErrorCode::Configuration,
    };
    AppError::new(code, err.to_string())
}

/// Maps a failed Import Upsale: as [`crm_error`] (the same code), but a decline is told as what it is on the
/// upsell page: this product was not added, and the lander's order (whose status is `order`: placed, or still
/// pending) stands with nothing more charged.
fn upsale_error(err: CrmError, lang: Language, order: CrmOrderStatus) -> AppError {
    let error = crm_error(err).in_language(lang);
    match error.code {
        ErrorCode::SoftDecline | ErrorCode::HardDecline => error.with_message(upsale_declined_message(lang, order)),
        _ => error,
    }
}

/// An upsale on an order Amazon has declined (learnt by the status sweep): refused before CheckoutChamp is
/// asked, with the order's own sentence (not placed, nothing charged, order again), as a hard decline, which
/// ends the upsell page's offer. A product cannot be added to an order that was never paid.
fn declined_order(lang: Language) -> AppError {
    AppError::new(ErrorCode::HardDecline, "the order was declined by Amazon; nothing can be added to it")
        .in_language(lang)
        .with_message(crm_declined_message(lang))
}

/// Maps a failed profile read: a refused token means the buyer must sign in with Amazon again.
pub(super) fn profile_error(err: ProfileError) -> AppError {
    let code = match &err {
        ProfileError::InvalidToken => ErrorCode::SessionExpired,
        ProfileError::InsufficientScope => ErrorCode::Configuration,
        ProfileError::Timeout(_) => ErrorCode::UpstreamTimeout,
        ProfileError::Transport(_) | ProfileError::HttpStatus(_) => ErrorCode::UpstreamError,
        ProfileError::Invalid(_) => ErrorCode::UpstreamInvalid,
    };
    AppError::new(code, format!("Amazon profile: {err}"))
}

fn service(state: &AppState) -> Result<&CheckoutChamp, AppError> {
    state.checkoutchamp.as_ref().ok_or_else(|| {
        AppError::new(ErrorCode::Configuration, "CheckoutChamp is not configured: set CHECKOUTCHAMP_LOGIN_ID and the other CHECKOUTCHAMP_* variables")
    })
}

pub(crate) fn check_key(key: &str) -> Result<(), String> {
    let ok = (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(()).ok_or_else(|| "idempotency_key must be 8 to 128 characters of A-Z, a-z, 0-9, '-' and '_'".to_owned())
}

fn check_token(token: &str) -> Result<(), String> {
    token_is_well_formed(token).then_some(()).ok_or_else(|| "access_token is not a Login with Amazon token".to_owned())
}

/// `S02-1234567-1234567` (order reference) or `B02-…` (billing agreement), as Amazon's widgets return them.
pub(crate) fn check_amazon_order_id(id: &str, recurring: bool) -> Result<(), String> {
    let parts: Vec<&str> = id.split('-').collect();
    let shaped = parts.len() == 3
        && parts[0].len() == 3
        && parts[0].as_bytes()[0].is_ascii_uppercase()
        && parts[0][1..].bytes().all(|b| b.is_ascii_digit())
        && parts[1..].iter().all(|p| p.len() == 7 && p.bytes().all(|b| b.is_ascii_digit()));
    if !shaped {
        return Err(format!("amazon_order_id {id:?} is not an Amazon order reference or billing agreement id"));
    }
    match (recurring, id.starts_with('B')) {
        (true, false) => Err("recurring orders need the billing agreement id (B02-…) from the AddressBook widget".into()),
        (false, true) => Err("a billing agreement id (B02-…) is for recurring orders; set recurring: true".into()),
        _ => Ok(()),
    }
}

fn check_quantity(quantity: u32) -> Result<(), String> {
    (1..=99).contains(&quantity).then_some(()).ok_or_else(|| format!("quantity {quantity} must be between 1 and 99"))
}

fn check_items(items: &[CampaignLine]) -> Result<(), String> {
    if items.is_empty() || items.len() > MAX_LINES {
        return Err(format!("items must have 1 to {MAX_LINES} lines"));
    }
    let mut seen = std::collections::HashSet::new();
    for line in items {
        if line.product_id == 0 || !seen.insert(line.product_id) {
            return Err(format!("product_id {} is zero or repeated", line.product_id));
        }
        check_quantity(line.quantity)?;
    }
    Ok(())
}

/// A digest of what was asked, so one idempotency key cannot stand for two different purchases.
fn fingerprint(value: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(value.to_string().as_bytes()))
}

/// The stored answer for a repeated key, or a refusal when the key was used for something else.
fn replay(stored: StoredImport, kind: &str, fingerprint: &str, lang: Language) -> Result<ApiJson<ImportOrderResponse>, AppError> {
    if stored.kind != kind || stored.fingerprint != fingerprint {
        return Err(AppError::new(ErrorCode::BadRequest, "idempotency_key was already used for a different request").in_language(lang));
    }
    tracing::info!(order_id = %stored.order_id, "repeated CheckoutChamp import answered from the store");
    Ok(ApiJson(stored.response))
}

fn response(order: CrmOrder) -> ImportOrderResponse {
    ImportOrderResponse { order_id: order.order_id, status: order.status, total: order.total, items: order.items }
}

fn buyer_contact(profile: &AmazonProfile) -> Result<(crate::amazon_profile::NameParts, String), AppError> {
    let invalid =
        |what: &str| AppError::new(ErrorCode::UpstreamInvalid, format!("the Amazon profile has no {what}; request the `profile` scope at login"));
    let name = profile.name.as_deref().and_then(split_name).ok_or_else(|| invalid("name"))?;
    let email = profile.email.as_deref().map(str::trim).filter(|e| e.contains('@')).ok_or_else(|| invalid("email"))?;
    Ok((name, email.to_owned()))
}

/// `POST /api/checkoutchamp/orders`: Import Order with `paySource=AMAZON`.
pub(super) async fn import_order(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ImportOrderRequest>,
) -> Result<ApiJson<ImportOrderResponse>, AppError> {
    let lang = request.language;
    let bad = |detail: String| AppError::new(ErrorCode::BadRequest, detail).in_language(lang);
    let cc = service(&state).map_err(|e| e.in_language(lang))?;
    check_key(&request.idempotency_key).map_err(bad)?;
    check_token(&request.access_token).map_err(bad)?;
    check_amazon_order_id(&request.amazon_order_id, request.recurring).map_err(bad)?;
    check_items(&request.items).map_err(bad)?;
    let fingerprint = fingerprint(&serde_json::json!({
        "amazon_order_id": request.amazon_order_id, "items": request.items, "recurring": request.recurring,
    }));

    // Same key or same Amazon order: one at a time, and the later one finds the earlier one's answer.
    let key_lock = cc.locks.lock_for(&format!("key:{}", request.idempotency_key));
    let _key_guard = key_lock.lock().await;
    let amazon_lock = cc.locks.lock_for(&format!("amazon:{}", request.amazon_order_id));
    let _amazon_guard = amazon_lock.lock().await;
    let in_lang = |e: AppError| e.in_language(lang);
    if let Some(stored) = cc.orders.import_by_key(&request.idempotency_key).map_err(|e| in_lang(e.into()))? {
        return replay(stored, "order", &fingerprint, lang);
    }
    let profile = cc.fresh_profile(&request.access_token).await.map_err(|e| in_lang(profile_error(e)))?;
    if !request.recurring {
        // An order reference is charged once: a reloaded lander with a new key gets the order it already has.
        // Found by the reference, not by the caller's own key: only to the buyer whose order it is (Amazon's
        // profile says who the token is), so a reference alone does not hand out the order.
        if let Some(stored) = cc.orders.one_time_import_for(&request.amazon_order_id).map_err(|e| in_lang(e.into()))? {
            // A read of its own: an order's buyer never changes (only its status and total do), so it agrees
            // with the import read before it.
            let owner = cc.orders.order(&stored.order_id).map_err(|e| in_lang(e.into()))?.map(|o| o.buyer_user_id);
            if owner.as_deref() != Some(profile.user_id.as_str()) {
                let detail = "this Amazon order reference has an order of another Amazon account";
                return Err(AppError::new(ErrorCode::NotFound, detail).in_language(lang));
            }
            return replay(stored, "order", &fingerprint, lang);
        }
    }

    let (name, email) = buyer_contact(&profile).map_err(in_lang)?;
    let record = |order: CrmOrder| async {
        let answer = response(order);
        cc.orders
            .record_order(&request.idempotency_key, &fingerprint, &request.amazon_order_id, &profile.user_id, request.recurring, &answer)
            .await
            .map_err(|e| in_lang(e.into()))?;
        Ok::<_, AppError>(ApiJson(answer))
    };
    // An earlier Import Order of this Amazon order got no answer: CheckoutChamp may have created the order (a
    // one-time reference would now be refused, a billing agreement charged twice). Asked first, and recorded
    // under this key if it exists; while CheckoutChamp cannot say, nothing is imported.
    if let Some(earlier) = cc.orders.unsettled(&request.amazon_order_id).map_err(|e| in_lang(e.into()))? {
        if earlier.buyer_user_id != profile.user_id {
            let detail = "this Amazon order is being imported for another Amazon account";
            return Err(AppError::new(ErrorCode::NotFound, detail).in_language(lang));
        }
        let found = cc.client.find_import(&earlier.reference, &email, earlier.started_at_ms).await.map_err(|e| in_lang(crm_error(e)))?;
        if let Some(order) = found {
            tracing::warn!(order_id = %order.order_id, "an Import Order answered too late created its order; recorded now");
            return record(order).await;
        }
    }

    let reference = import_reference(&request.idempotency_key);
    let unsettled = Unsettled { reference: reference.clone(), buyer_user_id: profile.user_id.clone(), started_at_ms: crate::store::now_ms() };
    cc.orders.begin_import(&request.amazon_order_id, &unsettled).await.map_err(|e| in_lang(e.into()))?;
    let imported = cc
        .client
        .import_order(&AmazonImportOrder {
            amazon_order_id: request.amazon_order_id.clone(),
            access_token: request.access_token.clone(),
            first_name: name.first,
            last_name: name.last,
            email,
            items: request.items.clone(),
            ip_address: crate::client_ip::client_ip(peer.ip(), &headers, &state.config.ops.trusted_proxies),
            reference,
        })
        .await;
    match imported {
        Ok(order) => record(order).await,
        Err(e) => {
            if !undecided(&e) {
                // CheckoutChamp answered with no order: there is nothing to ask about later. Should this write
                // fail, the next import merely asks first.
                if let Err(store) = cc.orders.settle_import(&request.amazon_order_id).await {
                    tracing::error!(error = %store, "cannot settle a refused CheckoutChamp import");
                }
            }
            Err(in_lang(crm_error(e)))
        }
    }
}

/// Whether CheckoutChamp may have created the order although its answer says nothing of it: no answer in
/// time, a broken connection, or an answer this server could not read.
fn undecided(err: &CrmError) -> bool {
    matches!(err, CrmError::Timeout(_) | CrmError::Transport(_) | CrmError::HttpStatus { .. } | CrmError::Garbage(_))
}

/// This import's tag in CheckoutChamp ([`crate::checkoutchamp::client::REFERENCE_FIELD`], 50 characters at
/// most): a digest of the idempotency key, which may be 128 characters long.
fn import_reference(key: &str) -> String {
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    format!("apk-{}", &digest[..32])
}

/// `POST /api/checkoutchamp/upsales`: Import Upsale on an order this server imported for the same buyer.
pub(super) async fn import_upsale(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ImportUpsaleRequest>,
) -> Result<ApiJson<ImportOrderResponse>, AppError> {
    let lang = request.language;
    let bad = |detail: String| AppError::new(ErrorCode::BadRequest, detail).in_language(lang);
    let cc = service(&state).map_err(|e| e.in_language(lang))?;
    check_key(&request.idempotency_key).map_err(bad)?;
    check_token(&request.access_token).map_err(bad)?;
    check_quantity(request.quantity).map_err(bad)?;
    if request.product_id == 0 {
        return Err(bad("product_id must be a campaign product id".into()));
    }
    if request.order_id.is_empty() || request.order_id.len() > 64 {
        return Err(bad("order_id must be CheckoutChamp's order id".into()));
    }
    let fingerprint = fingerprint(&serde_json::json!({
        "order_id": request.order_id, "product_id": request.product_id, "quantity": request.quantity,
    }));

    let key_lock = cc.locks.lock_for(&format!("key:{}", request.idempotency_key));
    let _key_guard = key_lock.lock().await;
    let order_lock = cc.locks.lock_for(&format!("order:{}", request.order_id));
    let _order_guard = order_lock.lock().await;
    let in_lang = |e: AppError| e.in_language(lang);
    if let Some(stored) = cc.orders.import_by_key(&request.idempotency_key).map_err(|e| in_lang(e.into()))? {
        return replay(stored, "upsale", &fingerprint, lang);
    }
    let not_found = || AppError::new(ErrorCode::NotFound, format!("no order {:?} for this Amazon account", request.order_id)).in_language(lang);
    let order = cc.orders.order(&request.order_id).map_err(|e| in_lang(e.into()))?.ok_or_else(not_found)?;
    // Asked of Amazon every time, not remembered: an upsale charges the buyer, and one press of a button
    // is one call (unlike the status polls), so a token revoked a minute ago must not add to an order.
    let profile = cc.fresh_profile(&request.access_token).await.map_err(|e| in_lang(profile_error(e)))?;
    if profile.user_id != order.buyer_user_id {
        return Err(not_found());
    }
    let status = CrmOrderStatus::parse(&order.status).unwrap_or(CrmOrderStatus::Other);
    if status == CrmOrderStatus::Declined {
        return Err(declined_order(lang));
    }
    let record = |updated: CrmOrder| async {
        let answer = response(updated);
        cc.orders.record_upsale(&request.idempotency_key, &fingerprint, request.product_id, &answer).await.map_err(|e| in_lang(e.into()))?;
        Ok::<_, AppError>(ApiJson(answer))
    };
    // An earlier press of this offer got no answer: CheckoutChamp may have added the product and charged Amazon.
    // Only that press's key asks (Order Query on the order) and sends it again if it is not there; another key
    // is refused rather than risk a second charge.
    let note = match cc.orders.unsettled_upsale(&order.order_id, request.product_id).map_err(|e| in_lang(e.into()))? {
        Some(note) if note.idempotency_key != request.idempotency_key => return Err(undecided_upsale(lang)),
        Some(note) if note.fingerprint != fingerprint => {
            return Err(AppError::new(ErrorCode::BadRequest, "idempotency_key was already used for a different request").in_language(lang));
        }
        Some(note) => {
            let now = cc.client.query_order(&order.order_id).await.map_err(|e| upsale_error(e, lang, status))?;
            if quantity_of(&now.items, request.product_id) > note.quantity_before {
                tracing::warn!(order_id = %order.order_id, "an Import Upsale answered too late added its product; recorded now");
                return record(now).await;
            }
            note
        }
        None => UnsettledUpsale {
            idempotency_key: request.idempotency_key.clone(),
            fingerprint: fingerprint.clone(),
            quantity_before: cc.orders.known_quantity(&order.order_id, request.product_id).map_err(|e| in_lang(e.into()))?,
            started_at_ms: 0,
        },
    };
    let note = UnsettledUpsale { started_at_ms: crate::store::now_ms(), ..note };
    // Written only if no other key's upsale of it is noted (another instance may have noted one meanwhile).
    if !cc.orders.begin_upsale(&order.order_id, request.product_id, &note).await.map_err(|e| in_lang(e.into()))? {
        return Err(undecided_upsale(lang));
    }
    let updated = cc
        .client
        .import_upsale(&AmazonImportUpsale {
            order_id: order.order_id.clone(),
            amazon_order_id: order.amazon_order_id.clone(),
            access_token: request.access_token.clone(),
            product_id: request.product_id,
            quantity: request.quantity,
            ip_address: crate::client_ip::client_ip(peer.ip(), &headers, &state.config.ops.trusted_proxies),
        })
        .await;
    match updated {
        Ok(updated) => record(updated).await,
        Err(e) => {
            if !undecided(&e) {
                // CheckoutChamp answered without adding it; should this write fail, the next press asks first.
                if let Err(store) = cc.orders.settle_upsale(&order.order_id, request.product_id).await {
                    tracing::error!(error = %store, "cannot settle a refused CheckoutChamp upsale");
                }
            }
            Err(upsale_error(e, lang, status))
        }
    }
}

/// An upsale refused while another key's upsale of the same product on the same order got no answer: that one
/// may have charged Amazon. `busy` (409) with the upsell page's sentence (nothing is charged twice).
fn undecided_upsale(lang: Language) -> AppError {
    let detail = "an earlier Import Upsale of this product on this order got no answer from CheckoutChamp; only its idempotency_key asks \
                  CheckoutChamp about it and sends it again";
    AppError::new(ErrorCode::Busy, detail).in_language(lang).with_message(upsale_undecided_message(lang))
}

/// `POST /api/checkoutchamp/order-status`: the stored status of an order this server imported, to its buyer
/// only (the token's Amazon account must be the order's; anyone else learns nothing, not even that it exists).
/// Only the store is read: CheckoutChamp is asked by the status sweep (`checkoutchamp/status.rs`), at its own
/// bounded rate, however many pages follow their orders; Amazon's profile endpoint about once per token in
/// five minutes (`checkoutchamp/token_owners.rs`).
pub(super) async fn order_status(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CrmStatusRequest>,
) -> Result<ApiJson<CrmOrderState>, AppError> {
    let lang = request.language;
    let bad = |detail: String| AppError::new(ErrorCode::BadRequest, detail).in_language(lang);
    let cc = service(&state).map_err(|e| e.in_language(lang))?;
    check_token(&request.access_token).map_err(bad)?;
    if request.order_id.is_empty() || request.order_id.len() > 64 {
        return Err(bad("order_id must be CheckoutChamp's order id".into()));
    }
    let not_found = || AppError::new(ErrorCode::NotFound, format!("no order {:?} for this Amazon account", request.order_id)).in_language(lang);
    let order = cc.orders.order(&request.order_id).map_err(|e| AppError::from(e).in_language(lang))?.ok_or_else(not_found)?;
    // The token's account as Amazon last accepted it, within minutes (`checkoutchamp/token_owners.rs`): a page
    // polls every 1 to 15 s for 10 minutes, and this read moves no money. A refused token is never remembered.
    let owner = cc.token_owner(&request.access_token).await.map_err(|e| profile_error(e).in_language(lang))?;
    if owner != order.buyer_user_id {
        return Err(not_found());
    }
    Ok(ApiJson(CrmOrderState { order_id: order.order_id, status: CrmOrderStatus::parse(&order.status).unwrap_or(CrmOrderStatus::Other) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_ids_must_fit_the_flow() {
        assert!(check_amazon_order_id("S02-1234567-7654321", false).is_ok());
        assert!(check_amazon_order_id("B02-1234567-7654321", true).is_ok());
        assert!(check_amazon_order_id("S02-1234567-7654321", true).is_err());
        assert!(check_amazon_order_id("B02-1234567-7654321", false).is_err());
        for bad in ["", "S02", "S02-123-456", "S02-1234567-765432x", "s02-1234567-7654321", "S02-1234567-7654321-1"] {
            assert!(check_amazon_order_id(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_and_items_are_checked() {
        assert!(check_key("abcdEFGH-1234_x").is_ok());
        assert!(check_key("short").is_err());
        assert!(check_key("has space in it").is_err());
        let line = |product_id, quantity| CampaignLine { product_id, quantity };
        assert!(check_items(&[line(101, 1), line(102, 99)]).is_ok());
        assert!(check_items(&[]).is_err());
        assert!(check_items(&[line(101, 0)]).is_err());
        assert!(check_items(&[line(101, 100)]).is_err());
        assert!(check_items(&[line(101, 1), line(101, 2)]).is_err());
        assert!(check_items(&[line(0, 1)]).is_err());
    }

    #[test]
    fn declines_map_to_buyer_codes() {
        let code = |reason| crm_error(CrmError::Declined { reason, message: String::new() }).code;
        assert_eq!(code(DeclineReason::InvalidPaymentMethod), ErrorCode::SoftDecline);
        assert_eq!(code(DeclineReason::AmazonRejected), ErrorCode::HardDecline);
        assert_eq!(code(DeclineReason::TransactionTimedOut), ErrorCode::UpstreamError);
        assert_eq!(crm_error(CrmError::ConsentMissing(String::new())).code, ErrorCode::ConsentRequired);
        assert_eq!(crm_error(CrmError::Timeout(std::time::Duration::from_secs(1))).code, ErrorCode::UpstreamTimeout);
        assert_eq!(profile_error(ProfileError::InvalidToken).code, ErrorCode::SessionExpired);
    }

    #[test]
    fn a_declined_upsale_keeps_its_code_and_says_the_order_stands() {
        let upsale = |reason, order| upsale_error(CrmError::Declined { reason, message: String::new() }, Language::De, order);
        for (reason, code) in [(DeclineReason::AmazonRejected, ErrorCode::HardDecline), (DeclineReason::InvalidPaymentMethod, ErrorCode::SoftDecline)]
        {
            for order in CrmOrderStatus::ALL {
                let err = upsale(reason.clone(), order);
                assert_eq!((err.code, err.language, err.message), (code, Language::De, Some(upsale_declined_message(Language::De, order))));
            }
        }
        // What it says of the order follows the order's status: placed, or received while Amazon decides.
        let said = |order| upsale(DeclineReason::AmazonRejected, order).message.unwrap_or_default();
        assert_ne!(said(CrmOrderStatus::Complete), said(CrmOrderStatus::Pending));
        // Not a decline (nothing was decided): the code's own sentence, which says to try again.
        let timeout = upsale(DeclineReason::TransactionTimedOut, CrmOrderStatus::Complete);
        assert_eq!((timeout.code, timeout.message), (ErrorCode::UpstreamError, None));
    }
}
