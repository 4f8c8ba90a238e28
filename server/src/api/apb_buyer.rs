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
            malformed_field(b).map_or(Ok(()), |detail| Err(bad(&detail)))?;
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
        (ProductType::PayOnly, buyer) => {
            // Sent as the billing data when given: the same shape rules, nothing required.
            if let Some(detail) = buyer.as_ref().and_then(malformed_field) {
                return Err(bad(&detail));
            }
            Ok(buyer.as_ref())
        }
    }
}

/// The longest field taken (nothing in a postal address or an e-mail address is longer).
const MAX_FIELD: usize = 255;

/// Why a field of the shop's form is not part of an address, naming it; `None` when each could be. The form is
/// anyone's: a line break, an escape code or 20 000 characters would otherwise go to PAYONE or Amazon, into the
/// order and the merchant's webhooks, and come back as an upstream error the buyer cannot act on.
fn malformed_field(b: &ApbBuyer) -> Option<String> {
    let a = &b.address;
    let fields = [
        ("email", &b.email),
        ("phone", &b.phone),
        ("first_name", &a.first_name),
        ("last_name", &a.last_name),
        ("company", &a.company),
        ("street", &a.street),
        ("addition", &a.addition),
        ("zip", &a.zip),
        ("city", &a.city),
        ("state", &a.state),
        ("country", &a.country),
        ("address phone", &a.phone),
    ];
    for (name, value) in fields {
        if value.chars().count() > MAX_FIELD {
            return Some(format!("{name} is longer than {MAX_FIELD} characters"));
        }
        if value.chars().any(char::is_control) {
            return Some(format!("{name} contains a control character (a line break, tab or escape)"));
        }
    }
    let iso_code = |c: &str| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic());
    if !a.country.is_empty() && !iso_code(&a.country) {
        return Some(format!("country {:?} is not a two-letter ISO 3166 code such as DE", a.country));
    }
    let email_ok = match b.email.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.contains('@') && !b.email.contains(char::is_whitespace),
        None => false,
    };
    (!b.email.is_empty() && !email_ok).then(|| format!("email {:?} is not an e-mail address", b.email))
}
