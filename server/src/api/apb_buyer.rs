//! What APB checks of the cart and the buyer before any provider is asked, the same for PAYONE (`apb.rs`) and
//! Amazon Pay direct (`amazon/apb.rs`): physical goods need PayAndShip with a complete address, a valid phone
//! number and an address the shop's rules take.

use crate::error::AppError;
use crate::state::AppState;
use amazon_pay_contract::address::AddressProblem;
use amazon_pay_contract::apb::{ApbBuyer, ApbOrderRequest};
use amazon_pay_contract::cv2::ProductType;
use amazon_pay_contract::ErrorCode;

/// The buyer of `request` once checked for `product_type` (what the cart decides): required and checked for
/// PayAndShip, taken as given (possibly none) for PayOnly.
pub(super) fn checked_buyer<'a>(state: &AppState, request: &'a ApbOrderRequest, product_type: ProductType) -> Result<Option<&'a ApbBuyer>, AppError> {
    let lang = request.language;
    let bad = |detail: &str| AppError::new(ErrorCode::BadRequest, detail.to_owned()).in_language(lang);
    if request.product_type == ProductType::PayOnly && product_type == ProductType::PayAndShip {
        return Err(bad("this cart holds physical goods: it needs PayAndShip with the buyer's address"));
    }
    let refused = |problem: AddressProblem| {
        AppError::new(ErrorCode::BadRequest, format!("the address is refused: {}", problem.as_str()))
            .in_language(lang)
            .with_message(problem.form_message(lang))
    };
    match (product_type, &request.buyer) {
        (ProductType::PayAndShip, None) => Err(bad("PayAndShip needs the buyer's address, email and phone")),
        (ProductType::PayAndShip, Some(b)) => {
            let a = &b.address;
            if [&a.last_name, &a.street, &a.zip, &a.city, &a.country, &b.phone, &b.email].iter().any(|f| f.trim().is_empty()) {
                return Err(bad("PayAndShip needs last name, street, zip, city, country, email and phone"));
            }
            if !amazon_pay_contract::address::valid_phone(&b.phone) {
                return Err(refused(AddressProblem::PhoneInvalid));
            }
            if let Some(problem) = state.config.address_rules.check(a) {
                return Err(refused(problem));
            }
            Ok(Some(b))
        }
        (ProductType::PayOnly, buyer) => Ok(buyer.as_ref()),
    }
}
