//! Checkout v2 with Amazon Pay direct: the signed button, the review page, delivery changes and placing the
//! order (Update Checkout Session, then the buyer goes to `amazonPayRedirectUrl`).

use super::calls::recorded;
use super::details::{details, resolve};
use crate::amazon::errors::app_error;
use crate::api::payone_calls::LangQuery;
use crate::api::ApiJson;
use crate::config::Authorization;
use crate::error::AppError;
use crate::orders::{valid_idempotency_key, OrderRecord, Provider};
use crate::return_urls::{with_query, Flow};
use crate::state::AppState;
use crate::store::personal::AmazonPersonal;
use crate::store::{insert_checkout, Checkout};
use amazon_pay_contract::address::AddressProblem;
use amazon_pay_contract::cv2::{
    ButtonConfig, CartLine, CheckoutDetails, CreateSessionRequest, DeliveryOption, PlaceOrderOutcome, PlaceOrderRequest, PlaceOrderResponse,
    ProductType, UpdateDeliveryRequest,
};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Money};
use amazon_pay_v2::button::{ButtonPayload, ButtonWebCheckoutDetails, DeliverySpecifications};
use amazon_pay_v2::models::{MerchantMetadata, PaymentDetails, PaymentIntent, Price, UpdateCheckoutSessionRequest, WebCheckoutDetails};
use axum::extract::{Path, Query, State};
use serde::Deserialize;

/// What the buyer shares with the shop: name, email, phone and billing address (the shipping address comes
/// with PayAndShip).
pub(super) const SCOPES: [&str; 4] = ["name", "email", "phoneNumber", "billingAddress"];

/// Amazon's price for `amount`.
pub(super) fn price(amount: Money) -> Price {
    Price::from_minor(amount.minor.max(0) as u64, amount.currency.code())
}

/// `paymentIntent` for the server's authorization setting (the one PAYONE's orders use too).
pub(super) fn intent(state: &AppState) -> PaymentIntent {
    match state.config.payone_authorization {
        Authorization::Preauthorization => PaymentIntent::Authorize,
        Authorization::Authorization => PaymentIntent::AuthorizeWithCapture,
    }
}

/// Refuses a total in a currency the account's region does not take.
pub(super) fn check_currency(amazon: &crate::amazon::AmazonPay, amount: Money) -> Result<(), AppError> {
    if amazon.region.ledger_currencies().contains(&amount.currency) {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::Configuration,
        format!("the catalogue prices in {}, which an Amazon Pay account of region {} does not take", amount.currency.code(), amazon.region.code()),
    ))
}

/// `POST /api/cv2/sessions`: prices the cart, stores the checkout and signs the button's payload.
pub(super) async fn create_session(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateSessionRequest>,
) -> Result<ApiJson<ButtonConfig>, AppError> {
    let amazon = super::account(&state)?;
    let lang = request.language;
    let bad = |detail: String| AppError::new(ErrorCode::BadRequest, detail).in_language(lang);
    let amount = state.catalogue.price(&request.items, DeliveryOption::default()).map_err(|e| bad(e.to_string()))?;
    check_currency(amazon, amount).map_err(|e| e.in_language(lang))?;
    let pages = state.return_pages.for_request(Flow::Cv2, &request.return_pages).map_err(|e| bad(e.to_string()))?;
    let workorder_id = super::new_checkout_id();
    // The cart decides: digital goods only is PayOnly (no address asked for), anything physical PayAndShip.
    let product_type = state.catalogue.product_type(&request.items);
    let payload = ButtonPayload {
        web_checkout_details: ButtonWebCheckoutDetails {
            checkout_review_return_url: Some(with_query(&pages.review, &[("workorderId", &workorder_id)])),
            checkout_cancel_url: Some(pages.cancel_url()),
            ..Default::default()
        },
        store_id: amazon.store_id.clone(),
        scopes: SCOPES.map(str::to_owned).to_vec(),
        // Until an order exists the checkout is the shop's reference (placing the order replaces it).
        merchant_metadata: Some(MerchantMetadata { merchant_reference_id: Some(super::merchant_reference(&workorder_id)), ..Default::default() }),
        delivery_specifications: match product_type {
            ProductType::PayAndShip => delivery_specifications(&state.config.address_rules),
            ProductType::PayOnly => None,
        },
        ..Default::default()
    };
    let button = super::button_config(&state, amazon, &payload, workorder_id.clone(), amount, product_type, lang);
    let checkout = Checkout::started(workorder_id.clone(), "cv2", amount, &request.items);
    let asked_pages = !request.return_pages.is_empty();
    state
        .store
        .write(move |c| {
            insert_checkout(c, &checkout)?;
            if asked_pages {
                crate::return_urls::insert(c, &checkout.workorder_id, &pages)
            } else {
                Ok(())
            }
        })
        .await?;
    Ok(ApiJson(button))
}

/// The shop's address rules as Amazon's `deliverySpecifications` (Amazon then offers only addresses that pass).
pub(super) fn delivery_specifications(rules: &crate::address_rules::AddressRules) -> Option<DeliverySpecifications> {
    let countries: Vec<&str> = rules.countries.iter().map(String::as_str).collect();
    let mut spec = if countries.is_empty() { DeliverySpecifications::default() } else { DeliverySpecifications::allowed_countries(&countries) };
    spec.special_restrictions = [(rules.refuse_po_boxes, "RestrictPOBoxes"), (rules.refuse_packstations, "RestrictPackstations")]
        .into_iter()
        .filter(|&(on, _)| on)
        .map(|(_, name)| name.to_owned())
        .collect();
    (spec != DeliverySpecifications::default()).then_some(spec)
}

/// `?lang=de&amazonCheckoutSessionId=…` of the review page's request.
#[derive(Debug, Deserialize)]
pub(super) struct ReviewQuery {
    #[serde(default)]
    lang: Option<String>,
    #[serde(default, rename = "amazonCheckoutSessionId")]
    amazon_checkout_session_id: Option<String>,
}

/// `GET /api/cv2/sessions/{id}?lang=xx&amazonCheckoutSessionId=S`: `id` is our checkout id or Amazon's session id
/// (without the buyer once the order exists: `placed_review`).
pub(super) async fn get_session(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ReviewQuery>,
) -> Result<ApiJson<CheckoutDetails>, AppError> {
    let amazon = super::account(&state)?;
    let lang = LangQuery { lang: query.lang }.language();
    let (checkout, session) = resolve(&state, amazon, &id, query.amazon_checkout_session_id.as_deref(), lang).await?;
    let details = details(&state, amazon, &checkout, &session).map_err(|e| e.in_language(lang))?;
    Ok(ApiJson(crate::api::placed_review::answer(details)))
}

/// `POST /api/cv2/sessions/{id}/delivery`: re-prices the cart and tells Amazon the new amount.
pub(super) async fn update_delivery(
    State(state): State<AppState>,
    Path(workorder_id): Path<String>,
    ApiJson(request): ApiJson<UpdateDeliveryRequest>,
) -> Result<ApiJson<CheckoutDetails>, AppError> {
    let amazon = super::account(&state)?;
    let lang = request.language;
    let _placing = state.order_locks.lock(&workorder_id).await.map_err(|e| AppError::from(e).in_language(lang))?;
    let (mut checkout, session) = resolve(&state, amazon, &workorder_id, None, lang).await?;
    if state.store.orders_for_workorder(&workorder_id)?.iter().any(|o| !o.allows_retry()) {
        return Err(AppError::new(ErrorCode::BadRequest, "the order is already placed; its total cannot change").in_language(lang));
    }
    let items: Vec<CartLine> = serde_json::from_str(&checkout.items_json).unwrap_or_default();
    let amount = state
        .catalogue
        .price_chosen_delivery(&items, request.delivery)
        .map_err(|e| AppError::new(ErrorCode::BadRequest, e.to_string()).in_language(lang))?;
    let mut session = session;
    if amount != checkout.amount {
        let update = UpdateCheckoutSessionRequest {
            payment_details: Some(PaymentDetails { charge_amount: Some(price(amount)), ..Default::default() }),
            ..Default::default()
        };
        let id = session.checkout_session_id.clone();
        session = recorded(&state, "updateCheckoutSession", &id, amazon.client.update_checkout_session(&id, &update))
            .await
            .map_err(|e| app_error(&e).in_language(lang))?;
    }
    state.store.update_checkout_delivery(&workorder_id, request.delivery, amount).await?;
    checkout.delivery = request.delivery;
    checkout.amount = amount;
    Ok(ApiJson(details(&state, amazon, &checkout, &session).map_err(|e| e.in_language(lang))?))
}

/// `POST /api/cv2/sessions/{id}/orders`: one order per checkout however often it is clicked. Update Checkout
/// Session with the server's total, the payment intent, the result URL and the reference, then the buyer goes
/// to Amazon's `amazonPayRedirectUrl` (the return completes the session: `result.rs`).
pub(super) async fn place_order(
    State(state): State<AppState>,
    Path(workorder_id): Path<String>,
    ApiJson(request): ApiJson<PlaceOrderRequest>,
) -> Result<ApiJson<PlaceOrderResponse>, AppError> {
    let amazon = super::account(&state)?;
    let lang = request.language;
    if !valid_idempotency_key(&request.idempotency_key) {
        return Err(AppError::new(ErrorCode::BadRequest, "idempotency_key must be 8 to 64 URL-safe characters").in_language(lang));
    }
    let placing = state.order_locks.lock(&workorder_id).await.map_err(|e| AppError::from(e).in_language(lang))?;
    // The attempt this key made: its answer; but one Amazon did not answer in time is placed again (the widget
    // keeps its key after a timeout), unless the checkout has a live order meanwhile, whose answer it gets.
    // Nothing can have been charged: only this server completes the session, on the return from the redirect
    // URL that attempt never handed out.
    let mut timed_out = None;
    if let Some(existing) = state.store.order_by_key(&request.idempotency_key)? {
        if existing.workorder_id != workorder_id {
            return Err(AppError::new(ErrorCode::BadRequest, "this idempotency_key belongs to another checkout").in_language(lang));
        }
        if !(existing.state == OrderState::UpstreamFailed && existing.decline == Some(ErrorCode::UpstreamTimeout)) {
            return crate::api::replay_order(&existing, lang);
        }
        timed_out = Some(existing);
    }
    if let Some(answer) = crate::api::replay_placed(&state, &workorder_id, lang)? {
        return Ok(answer);
    }
    let (checkout, session) = resolve(&state, amazon, &workorder_id, None, lang).await?;
    // The shop's rules, checked on the address as Amazon has it now: a refused address or a missing phone
    // number places no order.
    let details = details(&state, amazon, &checkout, &session).map_err(|e| e.in_language(lang))?;
    let refused = |problem: AddressProblem| {
        AppError::new(ErrorCode::BadRequest, format!("the checkout cannot be ordered: {}", problem.as_str()))
            .in_language(lang)
            .with_message(problem.buyer_message(lang))
    };
    if let Some(problem) = details.address_problem {
        return Err(refused(problem));
    }
    if let Some(shipping) = &details.shipping_address {
        state.config.address_rules.phone(&shipping.phone, request.phone.as_deref()).map_err(refused)?;
    }
    let Some(session_id) = state.store.amazon_session_of(&workorder_id)? else {
        return Err(AppError::new(ErrorCode::NotFound, "no Amazon checkout session for this checkout").in_language(lang));
    };
    let again = timed_out.is_some();
    let mut order = match timed_out {
        Some(order) => OrderRecord { state: OrderState::Placing, decline: None, amount: checkout.amount, ..order },
        None => OrderRecord::placing(Provider::Amazon, Some(&workorder_id), "cv2", &request.idempotency_key, checkout.amount),
    };
    // Stored before Amazon is called: whatever happens next, the store knows this attempt exists.
    // Still ours? (a lost lease must not place: another instance may be placing this checkout now)
    placing.confirm().await.map_err(|e| AppError::from(e).in_language(lang))?;
    if again {
        state.store.finish_placing(&order).await?;
    } else {
        state.store.insert_order(&order).await?;
    }
    // The buyer and addresses as Amazon has them now (the session is open; after completion Amazon names only
    // the charge permission): what the merchant ships to, kept with the order, with no call of its own.
    state.store.insert_amazon_order(&order.id, &session_id, &AmazonPersonal::of(&session)).await?;
    let result_url = format!("{}{}", state.public_url, super::RESULT_PATH.replace("{order_id}", &order.id));
    let update = UpdateCheckoutSessionRequest {
        web_checkout_details: Some(WebCheckoutDetails { checkout_result_return_url: Some(result_url), ..Default::default() }),
        payment_details: Some(PaymentDetails {
            payment_intent: Some(intent(&state)),
            can_handle_pending_authorization: Some(true),
            charge_amount: Some(price(order.amount)),
            ..Default::default()
        }),
        // From here on Amazon (Seller Central, its e-mails to the buyer) names the order as the merchant sees
        // it in the dashboard and the webhooks, as Amazon's own plugins send the shop's order number.
        merchant_metadata: Some(MerchantMetadata { merchant_reference_id: Some(super::merchant_reference(&order.id)), ..Default::default() }),
    };
    let answer = recorded(&state, "updateCheckoutSession", &session_id, amazon.client.update_checkout_session(&session_id, &update)).await;
    let outcome = match answer {
        Ok(session) => {
            // The widget navigates the shop's page to it: a web address only (upstream_redirect.rs).
            let redirect =
                session.web_checkout_details.amazon_pay_redirect_url.as_deref().map(|url| crate::upstream_redirect::check(url, !state.is_sandbox()));
            match (redirect, session.constraints.first()) {
                (Some(Ok(url)), None) => {
                    order.state = OrderState::Redirected;
                    PlaceOrderOutcome::Redirect { url }
                }
                (redirect, constraint) => {
                    order.state = OrderState::UpstreamFailed;
                    order.decline = Some(ErrorCode::UpstreamInvalid);
                    state.store.finish_placing(&order).await?;
                    let why = match (constraint, redirect) {
                        (Some(c), _) => format!("constraint {}", c.constraint_id),
                        (None, Some(Err(bad))) => format!("amazonPayRedirectUrl refused: {bad}"),
                        (None, _) => "no amazonPayRedirectUrl".to_owned(),
                    };
                    return Err(AppError::new(ErrorCode::UpstreamInvalid, format!("Amazon cannot take the order yet: {why}")).in_language(lang));
                }
            }
        }
        Err(err) => {
            let err = app_error(&err);
            if matches!(err.code, ErrorCode::SoftDecline | ErrorCode::HardDecline) {
                order.state = OrderState::Declined;
                order.decline = Some(err.code);
                PlaceOrderOutcome::Declined { code: err.code, message: err.code.buyer_message(lang).to_owned() }
            } else {
                order.state = OrderState::UpstreamFailed;
                order.decline = Some(err.code);
                state.store.finish_placing(&order).await?;
                return Err(err.in_language(lang));
            }
        }
    };
    let response = PlaceOrderResponse { order_id: order.id.clone(), outcome };
    order.response_json = serde_json::to_string(&response).ok();
    state.store.finish_placing(&order).await?;
    Ok(ApiJson(response))
}
