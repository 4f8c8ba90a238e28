//! Starting a PAYONE CV1 checkout (`getconfiguration`), reading it again, and the buyer's details behind the
//! order reference (`getorderreferencedetails`).

use super::{cv1_session_in, decline_error, generic, insert_cv1_session, send, Answer, Cv1SessionRow};
use crate::api::checkoutchamp::check_amazon_order_id;
use crate::api::payone_calls::{address, send_recorded_then, still_live, LangQuery, SESSION_LIFETIME_SECS};
use crate::api::ApiJson;
use crate::error::AppError;
use crate::orders::OrderRecord;
use crate::payone::PayoneResponse;
use crate::state::AppState;
use crate::store::db::Conn;
use crate::store::{checkout_in, insert_checkout, Checkout, Store, StoreError};
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

/// The stored CV1 checkout: known, younger than 24 hours, and really a CV1 one. Its callers (placing, the
/// buyer's details) read the orders they act on again under the placement lock, so it reads no orders.
pub(super) fn live_cv1(state: &AppState, workorder_id: &str, lang: Language) -> Result<(Checkout, Cv1SessionRow), AppError> {
    let (checkout, row, _) = read_cv1(&state.store, workorder_id, false, || {})?;
    checked(checkout, row, workorder_id, lang)
}

/// The checkout `workorder_id`, its CV1 row and (with `orders`) its orders, in one snapshot: read one by one,
/// an order placed between the row's read and the orders' was named beside the row from before its order
/// reference was bound (`amazon_order_reference_id: null` beside an `order_id`). `between` runs after the row is
/// read and before the orders are (the tests' seam).
fn read_cv1(store: &Store, workorder_id: &str, orders: bool, between: impl FnOnce()) -> Result<Cv1Read, StoreError> {
    store.read_snapshot(|c| {
        let checkout = checkout_in(c, workorder_id)?;
        let row = cv1_session_in(c, workorder_id)?;
        between();
        let orders = if orders { crate::orders::orders_of_workorder(c, workorder_id)? } else { Vec::new() };
        Ok((checkout, row, orders))
    })
}

/// What [`read_cv1`] read: the checkout, its CV1 row, its orders.
type Cv1Read = (Option<Checkout>, Option<Cv1SessionRow>, Vec<OrderRecord>);

/// [`live_cv1`]'s checks on what [`read_cv1`] read.
fn checked(
    checkout: Option<Checkout>,
    row: Option<Cv1SessionRow>,
    workorder_id: &str,
    lang: Language,
) -> Result<(Checkout, Cv1SessionRow), AppError> {
    let checkout = still_live(checkout, workorder_id, lang)?;
    let row = row.filter(|_| checkout.flow == "cv1").ok_or_else(|| {
        AppError::new(ErrorCode::NotFound, format!("workorder {workorder_id:?} is not an Amazon Pay v1 checkout")).in_language(lang)
    })?;
    Ok((checkout, row))
}

fn view(state: &AppState, checkout: &Checkout, row: &Cv1SessionRow, orders: Vec<OrderRecord>) -> Result<Cv1Session, AppError> {
    let items: Vec<CartLine> = serde_json::from_str(&checkout.items_json).unwrap_or_default();
    // An order still in Amazon's confirmation flow (the buyer left its MFA page with Back) is not named: its page
    // would say "still checking" while nobody decides, and "Place order" reopens Amazon's flow for that same order.
    let placed = |o: &OrderRecord| !o.allows_retry() && o.state != OrderState::Redirected;
    let order_id = match orders.into_iter().rev().find(placed) {
        // Nor one whose confirmation PAYONE did not answer: "Place order" asks PAYONE about it again.
        Some(order) if super::confirmation_undecided(state, &order)? => None,
        order => order.map(|o| o.id),
    };
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
    // A workorder PAYONE just created has no orders.
    Ok(ApiJson(view(&state, &checkout, &row, Vec::new())?))
}

/// `GET /api/cv1/sessions/{workorderId}?lang=xx`: the checkout again, e.g. back from Amazon's confirmation flow.
pub(super) async fn get(
    State(state): State<AppState>,
    Path(workorder_id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<ApiJson<Cv1Session>, AppError> {
    let lang = query.language();
    let (checkout, row, orders) = read_cv1(&state.store, &workorder_id, true, || {})?;
    let (checkout, row) = checked(checkout, row, &workorder_id, lang)?;
    Ok(ApiJson(view(&state, &checkout, &row, orders)?))
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

#[cfg(test)]
mod tests {
    use super::*;
    use amazon_pay_contract::Money;

    /// A stored CV1 checkout `WO1` with no order reference bound yet.
    async fn checkout(store: &Store) {
        let checkout = Checkout::started("WO1".into(), "cv1", Money::eur(1290), &[]);
        let row = Cv1SessionRow { workorder_id: "WO1".into(), client_id: "c".into(), seller_id: "s".into(), amazon_reference_id: None };
        store.write(move |c| insert_checkout(c, &checkout).and_then(|()| insert_cv1_session(c, &row))).await.unwrap();
    }

    /// The buyer binds the order reference and an order is approved between the row's read and the orders':
    /// the session read is one snapshot, so it shows neither (never an order beside no order reference).
    async fn a_session_is_one_snapshot(store: Store) {
        checkout(&store).await;
        let (writer, runtime) = (store.clone(), tokio::runtime::Handle::current());
        let (_, row, orders) = tokio::task::spawn_blocking(move || {
            let between = || {
                runtime.block_on(writer.bind_cv1_reference("WO1", "S02-1234567-7654321")).unwrap();
                let mut order = OrderRecord::placing(crate::orders::Provider::Payone, Some("WO1"), "cv1", "key-1", Money::eur(1290));
                order.state = OrderState::Approved;
                runtime.block_on(writer.insert_order(&order)).unwrap();
            };
            read_cv1(&store, "WO1", true, between).unwrap()
        })
        .await
        .unwrap();
        let reference = row.and_then(|r| r.amazon_reference_id);
        assert_eq!((reference, orders.len()), (None, 0), "the row and the orders of one moment");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite_a_cv1_session_is_one_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        a_session_is_one_snapshot(Store::open(dir.path()).unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgresql_a_cv1_session_is_one_snapshot() {
        let Some(store) = crate::store::test_postgres_store("cv1").await else { return };
        a_session_is_one_snapshot(store).await;
    }
}
