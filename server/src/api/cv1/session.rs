//! Starting a PAYONE CV1 checkout (`getconfiguration`), reading it again, and the buyer's details behind the
//! order reference (`getorderreferencedetails`).

use super::{decline_error, generic, insert_cv1_session, send, Answer, Cv1SessionRow};
use crate::api::checkoutchamp::check_amazon_order_id;
use crate::api::payone_calls::{address, live_checkout, send_recorded_then, LangQuery, SESSION_LIFETIME_SECS};
use crate::api::ApiJson;
use crate::error::AppError;
use crate::orders::OrderRecord;
use crate::payone::PayoneResponse;
use crate::state::AppState;
use crate::store::db::Conn;
use crate::store::{insert_checkout, Checkout};
use amazon_pay_contract::cv1::{CreateCv1SessionRequest, Cv1Details, Cv1Session, OrderReferenceRequest, WidgetsConfig};
use amazon_pay_contract::cv2::{CartLine, DeliveryOption, PostalAddress};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use axum::extract::{Path, Query, State};

/// Only order references (`S02-…`, `P01-…`) reach PAYONE's CV1 calls; ids are checked before they travel.
pub(super) fn check_reference(id: &str, lang: Language) -> Result<(), AppError> {
    check_amazon_order_id(id, false).map_err(|detail| AppError::new(ErrorCode::BadRequest, detail).in_language(lang))
}

pub(super) fn check_token(token: &str, lang: Language) -> Result<(), AppError> {
    if crate::amazon_profile::token_is_well_formed(token) {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::BadRequest, "access_token is not a Login with Amazon token").in_language(lang))
    }
}

/// The stored CV1 checkout: known, younger than 24 hours, and really a CV1 one.
pub(super) fn live_cv1(state: &AppState, workorder_id: &str, lang: Language) -> Result<(Checkout, Cv1SessionRow), AppError> {
    let checkout = live_checkout(state, workorder_id, lang)?;
    let row = state.store.cv1_session(workorder_id)?.filter(|_| checkout.flow == "cv1").ok_or_else(|| {
        AppError::new(ErrorCode::NotFound, format!("workorder {workorder_id:?} is not an Amazon Pay v1 checkout")).in_language(lang)
    })?;
    Ok((checkout, row))
}

fn view(state: &AppState, checkout: &Checkout, row: &Cv1SessionRow) -> Result<Cv1Session, AppError> {
    let items: Vec<CartLine> = serde_json::from_str(&checkout.items_json).unwrap_or_default();
    // An order still in Amazon's confirmation flow (the buyer left its MFA page with Back) is not named: its page
    // would say "still checking" while nobody decides, and "Place order" reopens Amazon's flow for that same order.
    let placed = |o: &OrderRecord| !o.allows_retry() && o.state != OrderState::Redirected;
    let order_id = state.store.orders_for_workorder(&checkout.workorder_id)?.into_iter().rev().find(placed).map(|o| o.id);
    Ok(Cv1Session {
        workorder_id: checkout.workorder_id.clone(),
        widgets: WidgetsConfig {
            client_id: row.client_id.clone(),
            seller_id: row.seller_id.clone(),
            sandbox: state.is_sandbox(),
            script_url: super::script_url(state),
        },
        items: state.catalogue.describe(&items),
        amount: checkout.amount,
        amazon_order_reference_id: row.amazon_reference_id.clone(),
        order_id,
        expires_at: checkout.created_at + SESSION_LIFETIME_SECS,
    })
}

/// `POST /api/cv1/sessions`: prices the cart and asks PAYONE for a workorder and the widgets' ids.
pub(super) async fn create(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateCv1SessionRequest>,
) -> Result<ApiJson<Cv1Session>, AppError> {
    let lang = request.language;
    let amount = state
        .catalogue
        .price(&request.items, DeliveryOption::default())
        .map_err(|e| AppError::new(ErrorCode::BadRequest, e.to_string()).in_language(lang))?;
    let mut call = generic(&state, "getconfiguration");
    call.set("currency", amount.currency.code());
    // PAYONE's answer, the checkout and its CV1 row are stored in one write.
    let (checkout, row) = send_recorded_then(&state, "getconfiguration", &call, |response| {
        let missing = |field: &str| AppError::new(ErrorCode::UpstreamInvalid, format!("PAYONE's getconfiguration answer lacks {field}"));
        let row = Cv1SessionRow {
            workorder_id: response.get("workorderid").ok_or_else(|| missing("workorderid"))?.to_owned(),
            client_id: response.paydata("client_id").ok_or_else(|| missing("add_paydata[client_id]"))?.to_owned(),
            seller_id: response.paydata("seller_id").ok_or_else(|| missing("add_paydata[seller_id]"))?.to_owned(),
            amazon_reference_id: None,
        };
        let checkout = Checkout::started(row.workorder_id.clone(), "cv1", amount, &request.items);
        let stored = (checkout.clone(), row.clone());
        Ok((stored, move |c: &Conn<'_>| {
            insert_checkout(c, &checkout)?;
            insert_cv1_session(c, &row)
        }))
    })
    .await
    .map_err(|e| e.in_language(lang))?;
    Ok(ApiJson(view(&state, &checkout, &row)?))
}

/// `GET /api/cv1/sessions/{workorderId}?lang=xx`: the checkout again, e.g. back from Amazon's confirmation flow.
pub(super) async fn get(
    State(state): State<AppState>,
    Path(workorder_id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<ApiJson<Cv1Session>, AppError> {
    let lang = query.language();
    let (checkout, row) = live_cv1(&state, &workorder_id, lang)?;
    Ok(ApiJson(view(&state, &checkout, &row)?))
}

/// The buyer's data from a `getorderreferencedetails` answer.
pub(super) struct ReferenceDetails {
    pub email: String,
    pub shipping: PostalAddress,
    pub billing: Option<PostalAddress>,
}

impl ReferenceDetails {
    fn from(response: &PayoneResponse, lang: Language) -> Result<ReferenceDetails, AppError> {
        let shipping = address(response, "shipping");
        let billing = address(response, "billing");
        let shipping = shipping
            .or_else(|| billing.clone())
            .ok_or_else(|| AppError::new(ErrorCode::UpstreamInvalid, "PAYONE's getorderreferencedetails answer has no address").in_language(lang))?;
        Ok(ReferenceDetails { email: response.paydata("email").unwrap_or_default().to_owned(), shipping, billing })
    }

    pub(super) fn buyer_name(&self) -> String {
        let holder = self.billing.as_ref().unwrap_or(&self.shipping);
        format!("{} {}", holder.first_name, holder.last_name).trim().to_owned()
    }
}

/// `getorderreferencedetails` for the checkout's workorder; binds the checkout to `reference_id` on first use.
/// A checkout bound to another order reference is refused: PAYONE's workorder belongs to that one.
pub(super) async fn reference_details(
    state: &AppState,
    checkout: &Checkout,
    row: &Cv1SessionRow,
    reference_id: &str,
    token: &str,
    lang: Language,
) -> Result<ReferenceDetails, AppError> {
    if let Some(bound) = row.amazon_reference_id.as_deref().filter(|b| *b != reference_id) {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!("this checkout belongs to order reference {bound}; start a new checkout for {reference_id}"),
        )
        .in_language(lang));
    }
    let mut call = generic(state, "getorderreferencedetails");
    call.set("workorderid", &checkout.workorder_id)
        .set("add_paydata[amazon_reference_id]", reference_id)
        .set("add_paydata[amazon_address_token]", token)
        .set("amount", checkout.amount.minor.to_string())
        .set("currency", checkout.amount.currency.code());
    match send(state, "getorderreferencedetails", &call, lang).await? {
        Answer::Ok(response) => {
            if row.amazon_reference_id.is_none() {
                state.store.bind_cv1_reference(&checkout.workorder_id, reference_id).await?;
            }
            ReferenceDetails::from(&response, lang)
        }
        Answer::Declined { code, reason, detail } => Err(decline_error(code, reason, detail, lang)),
    }
}

/// `POST /api/cv1/sessions/{workorderId}/details`: who pays and where it goes, for the page to show.
pub(super) async fn details(
    State(state): State<AppState>,
    Path(workorder_id): Path<String>,
    ApiJson(request): ApiJson<OrderReferenceRequest>,
) -> Result<ApiJson<Cv1Details>, AppError> {
    let lang = request.language;
    check_reference(&request.amazon_order_reference_id, lang)?;
    check_token(&request.access_token, lang)?;
    let _guard = state.order_locks.lock(&workorder_id).await?;
    let (checkout, row) = live_cv1(&state, &workorder_id, lang)?;
    let found = reference_details(&state, &checkout, &row, &request.amazon_order_reference_id, &request.access_token, lang).await?;
    let items: Vec<CartLine> = serde_json::from_str(&checkout.items_json).unwrap_or_default();
    Ok(ApiJson(Cv1Details {
        workorder_id,
        amazon_order_reference_id: request.amazon_order_reference_id,
        buyer_name: found.buyer_name(),
        email: found.email,
        shipping_address: found.shipping,
        billing_address: found.billing,
        items: state.catalogue.describe(&items),
        // The fee the session's total was priced with (CV1 has no choice: standard), named for the page's line.
        delivery_fee: Some(state.catalogue.delivery_charge(&items, DeliveryOption::Standard)).filter(|fee| fee.minor != 0),
        amount: checkout.amount,
    }))
}
