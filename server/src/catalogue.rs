//! The server's price list. The browser sends SKUs and quantities; every amount comes from here.

use amazon_pay_contract::cv2::CartLine;
use amazon_pay_contract::{Currency, Money};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One product the shop sells.
#[derive(Debug, Clone, Deserialize)]
pub struct Product {
    pub name: String,
    /// Unit price in minor units.
    pub price: i64,
}

/// A price list in one currency.
#[derive(Debug, Clone, Deserialize)]
pub struct Catalogue {
    pub currency: Currency,
    pub products: BTreeMap<String, Product>,
}

/// Why a cart cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("the cart is empty")]
    Empty,
    #[error("unknown item {0:?}")]
    UnknownSku(String),
    #[error("quantity of {0:?} must be between 1 and 99")]
    BadQuantity(String),
    #[error("the total is too large")]
    Overflow,
}

impl Catalogue {
    /// The demo shop's catalogue, shipped with the server.
    pub fn demo() -> Catalogue {
        serde_json::from_str(include_str!("../demo-catalogue.json")).expect("the bundled demo catalogue is valid JSON")
    }

    /// The total of `lines`, refusing unknown items and silly quantities.
    pub fn price(&self, lines: &[CartLine]) -> Result<Money, PricingError> {
        if lines.is_empty() {
            return Err(PricingError::Empty);
        }
        let mut total = Money::new(0, self.currency);
        for line in lines {
            let product = self.products.get(&line.sku).ok_or_else(|| PricingError::UnknownSku(line.sku.clone()))?;
            if !(1..=99).contains(&line.quantity) {
                return Err(PricingError::BadQuantity(line.sku.clone()));
            }
            let amount = product.price.checked_mul(i64::from(line.quantity)).ok_or(PricingError::Overflow)?;
            total = total.checked_add(Money::new(amount, self.currency)).ok_or(PricingError::Overflow)?;
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, quantity: u32) -> CartLine {
        CartLine { sku: sku.into(), quantity }
    }

    #[test]
    fn prices_the_demo_cart() {
        let c = Catalogue::demo();
        let mug = c.products["mug"].price;
        let tee = c.products["tshirt"].price;
        assert_eq!(c.price(&[line("mug", 2), line("tshirt", 1)]), Ok(Money::eur(2 * mug + tee)));
    }

    #[test]
    fn refuses_bad_carts() {
        let c = Catalogue::demo();
        assert_eq!(c.price(&[]), Err(PricingError::Empty));
        assert_eq!(c.price(&[line("nope", 1)]), Err(PricingError::UnknownSku("nope".into())));
        assert_eq!(c.price(&[line("mug", 0)]), Err(PricingError::BadQuantity("mug".into())));
        assert_eq!(c.price(&[line("mug", 100)]), Err(PricingError::BadQuantity("mug".into())));
    }
}
