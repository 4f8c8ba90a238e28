//! The server's price list. The browser sends SKUs and quantities; every amount comes from here.

use amazon_pay_contract::cv2::{CartLine, DeliveryOption, DeliveryPrice, PricedLine, ProductType};
use amazon_pay_contract::{Currency, Money};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// One product the shop sells.
#[derive(Debug, Clone, Deserialize)]
pub struct Product {
    /// The name.
    pub name: String,
    /// Unit price in minor units.
    pub price: i64,
    /// Delivered without shipping (downloads, licences, vouchers by email): a cart of only these is `PayOnly`.
    #[serde(default)]
    pub digital: bool,
}

/// A price list in one currency.
#[derive(Debug, Clone, Deserialize)]
pub struct Catalogue {
    /// The currency.
    pub currency: Currency,
    /// The products.
    pub products: BTreeMap<String, Product>,
    /// Price of each delivery option, in minor units.
    pub delivery: Delivery,
}

/// Delivery prices.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Delivery {
    /// Standard delivery, in minor units.
    pub standard: i64,
    /// Express delivery, in minor units.
    pub express: i64,
}

/// Why a cart cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("the cart is empty")]
    /// Empty.
    Empty,
    #[error("unknown item {0:?}")]
    /// Unknown SKU.
    UnknownSku(String),
    #[error("quantity of {0:?} must be between 1 and 99 (in the whole cart)")]
    /// Bad quantity.
    BadQuantity(String),
    #[error("the total is too large")]
    /// Overflow.
    Overflow,
    #[error("this cart holds only digital goods: there is no delivery to choose")]
    /// A delivery chosen for a cart that is not delivered.
    NothingDelivered,
}

/// A price list file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read the catalogue {path}: {source}")]
    /// Read.
    Read {
        /// The path.
        path: String,
        /// The source.
        source: std::io::Error,
    },
    #[error("the catalogue {path} is not valid: {message}")]
    /// Invalid.
    Invalid {
        /// The path.
        path: String,
        /// The message.
        message: String,
    },
}

impl Catalogue {
    /// Reads a price list; Amazon Pay through PAYONE needs it in EUR, with non-negative prices.
    pub fn load(path: &std::path::Path) -> Result<Catalogue, CatalogueError> {
        Catalogue::load_for(path, &[Currency::Eur], "Amazon Pay through PAYONE")
    }

    /// Reads a price list in one of `currencies` (what `provider`, named in the error, takes), with
    /// non-negative prices.
    pub fn load_for(path: &std::path::Path, currencies: &[Currency], provider: &str) -> Result<Catalogue, CatalogueError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Read { path: shown.clone(), source })?;
        let catalogue: Catalogue =
            serde_json::from_str(&text).map_err(|e| CatalogueError::Invalid { path: shown.clone(), message: e.to_string() })?;
        if !currencies.contains(&catalogue.currency) {
            let allowed: Vec<&str> = currencies.iter().map(|c| c.code()).collect();
            let message = format!("its currency is {}, but {provider} takes {} only", catalogue.currency, allowed.join(" or "));
            return Err(CatalogueError::Invalid { path: shown, message });
        }
        catalogue.validate().map_err(|message| CatalogueError::Invalid { path: shown, message })?;
        Ok(catalogue)
    }

    fn validate(&self) -> Result<(), String> {
        if let Some((sku, _)) = self.products.iter().find(|(_, p)| p.price < 0) {
            return Err(format!("the price of {sku:?} is negative"));
        }
        if self.delivery.standard < 0 || self.delivery.express < 0 {
            return Err("a delivery price is negative".into());
        }
        Ok(())
    }

    /// The demo shop's catalogue, shipped with the server.
    pub fn demo() -> Catalogue {
        serde_json::from_str(include_str!("../demo-catalogue.json")).expect("the bundled demo catalogue is valid JSON")
    }

    /// What the buyer pays for `lines` sent by `delivery`: the goods plus the option's fee when something is
    /// delivered, the goods alone for digital goods (nothing is delivered, no option is offered). Every flow
    /// prices here (CV2, APB and CV1 with `DeliveryOption::default()`, what a new checkout starts with; the review
    /// page's change with the buyer's choice), so the same cart costs the same whichever button the buyer used:
    /// APB and CV1 once charged the goods alone while CV2 added standard delivery's fee.
    pub fn price(&self, lines: &[CartLine], delivery: DeliveryOption) -> Result<Money, PricingError> {
        self.goods(lines)?.checked_add(self.delivery_charge(lines, delivery)).ok_or(PricingError::Overflow)
    }

    /// The price of `lines` once the buyer chose `delivery` on the review page: refused for digital goods, which
    /// have no delivery to choose (both providers' delivery change; Amazon direct once charged them the fee).
    pub fn price_chosen_delivery(&self, lines: &[CartLine], delivery: DeliveryOption) -> Result<Money, PricingError> {
        if self.product_type(lines) == ProductType::PayOnly {
            return Err(PricingError::NothingDelivered);
        }
        self.price(lines, delivery)
    }

    /// What `delivery` adds to the price of `lines`: its fee, nothing when only digital goods are bought. The
    /// review page's "Delivery" line reads it, so the line and the total cannot disagree.
    pub fn delivery_charge(&self, lines: &[CartLine], delivery: DeliveryOption) -> Money {
        match self.product_type(lines) {
            ProductType::PayOnly => Money::new(0, self.currency),
            ProductType::PayAndShip => self.delivery_fee(delivery),
        }
    }

    /// The goods of `lines` alone, refusing unknown items and silly quantities: at most 99 of a product in the
    /// whole cart, so repeating its line (1 500 lines of 99 T-shirts fit in a body) does not get round it.
    fn goods(&self, lines: &[CartLine]) -> Result<Money, PricingError> {
        if lines.is_empty() {
            return Err(PricingError::Empty);
        }
        let mut total = Money::new(0, self.currency);
        let mut per_product: HashMap<&str, u32> = HashMap::new();
        for line in lines {
            let product = self.products.get(&line.sku).ok_or_else(|| PricingError::UnknownSku(line.sku.clone()))?;
            let in_cart = per_product.entry(&line.sku).or_default();
            *in_cart = in_cart.saturating_add(line.quantity);
            if !(1..=99).contains(&line.quantity) || *in_cart > 99 {
                return Err(PricingError::BadQuantity(line.sku.clone()));
            }
            let amount = product.price.checked_mul(i64::from(line.quantity)).ok_or(PricingError::Overflow)?;
            total = total.checked_add(Money::new(amount, self.currency)).ok_or(PricingError::Overflow)?;
        }
        Ok(total)
    }

    /// `PayOnly` when every line is a digital product (no shipping address is asked, shown or sent),
    /// `PayAndShip` as soon as one is physical (or unknown: pricing refuses those).
    pub fn product_type(&self, lines: &[CartLine]) -> ProductType {
        let digital = |line: &CartLine| self.products.get(&line.sku).is_some_and(|p| p.digital);
        if !lines.is_empty() && lines.iter().all(digital) {
            ProductType::PayOnly
        } else {
            ProductType::PayAndShip
        }
    }

    /// The cart's lines with names and unit prices, for display. Unknown SKUs are left out.
    pub fn describe(&self, lines: &[CartLine]) -> Vec<PricedLine> {
        lines
            .iter()
            .filter_map(|line| {
                let product = self.products.get(&line.sku)?;
                Some(PricedLine {
                    sku: line.sku.clone(),
                    name: product.name.clone(),
                    quantity: line.quantity,
                    unit_price: Money::new(product.price, self.currency),
                })
            })
            .collect()
    }

    /// What a delivery option costs when something is delivered.
    fn delivery_fee(&self, delivery: DeliveryOption) -> Money {
        Money::new(
            match delivery {
                DeliveryOption::Standard => self.delivery.standard,
                DeliveryOption::Express => self.delivery.express,
            },
            self.currency,
        )
    }

    /// What each delivery option costs a cart of `product_type`, for the review page to show before the buyer
    /// chooses: none for `PayOnly` (nothing is delivered, no option is offered).
    pub fn delivery_prices(&self, product_type: ProductType) -> Vec<DeliveryPrice> {
        match product_type {
            ProductType::PayOnly => Vec::new(),
            ProductType::PayAndShip => {
                DeliveryOption::ALL.into_iter().map(|delivery| DeliveryPrice { delivery, fee: self.delivery_fee(delivery) }).collect()
            }
        }
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
        assert_eq!(c.price(&[line("mug", 2), line("tshirt", 1)], DeliveryOption::Standard), Ok(Money::eur(2 * mug + tee)));
    }

    #[test]
    fn express_delivery_costs_extra() {
        let c = Catalogue::demo();
        let goods = c.products["mug"].price;
        assert_eq!(c.price(&[line("mug", 1)], DeliveryOption::Standard), Ok(Money::eur(goods)));
        assert_eq!(c.price(&[line("mug", 1)], DeliveryOption::Express), Ok(Money::eur(goods + c.delivery.express)));
    }

    #[test]
    fn delivery_is_charged_unless_nothing_is_delivered() {
        let mut c = Catalogue::demo();
        c.delivery.standard = 390;
        let (mug, ebook) = (c.products["mug"].price, c.products["ebook"].price);
        assert_eq!(DeliveryOption::default(), DeliveryOption::Standard, "what a new checkout of every flow starts with");
        assert_eq!(c.price(&[line("mug", 1)], DeliveryOption::Standard), Ok(Money::eur(mug + 390)));
        assert_eq!(c.price(&[line("mug", 1), line("ebook", 1)], DeliveryOption::Express), Ok(Money::eur(mug + ebook + c.delivery.express)));
        assert_eq!(c.price(&[line("ebook", 1)], DeliveryOption::Standard), Ok(Money::eur(ebook)));
        assert_eq!(c.price(&[line("ebook", 1)], DeliveryOption::Express), Ok(Money::eur(ebook)), "digital goods pay no delivery");
        assert_eq!(c.delivery_charge(&[line("mug", 1)], DeliveryOption::Standard), Money::eur(390));
        assert_eq!(c.delivery_charge(&[line("ebook", 1)], DeliveryOption::Express), Money::eur(0));
        assert_eq!(c.price(&[line("nope", 1)], DeliveryOption::Standard), Err(PricingError::UnknownSku("nope".into())));
        assert_eq!(c.price_chosen_delivery(&[line("ebook", 1)], DeliveryOption::Express), Err(PricingError::NothingDelivered));
        assert_eq!(c.price_chosen_delivery(&[line("mug", 1)], DeliveryOption::Express), Ok(Money::eur(mug + c.delivery.express)));
        let prices = c.delivery_prices(ProductType::PayAndShip);
        assert_eq!(
            prices.iter().map(|p| (p.delivery, p.fee.minor)).collect::<Vec<_>>(),
            [(DeliveryOption::Standard, 390), (DeliveryOption::Express, c.delivery.express)]
        );
        assert!(c.delivery_prices(ProductType::PayOnly).is_empty());
    }

    #[test]
    fn catalogue_files_are_validated() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let good = write("good.json", include_str!("../demo-catalogue.json"));
        assert_eq!(Catalogue::load(&good).unwrap().products.len(), Catalogue::demo().products.len());
        let usd = write("usd.json", &include_str!("../demo-catalogue.json").replace("EUR", "USD"));
        assert!(Catalogue::load(&usd).unwrap_err().to_string().contains("EUR only"));
        assert_eq!(Catalogue::load_for(&usd, &[Currency::Usd], "an NA account").unwrap().currency, Currency::Usd, "Amazon Pay direct, NA");
        assert!(Catalogue::load_for(&usd, &[Currency::Eur, Currency::Gbp], "an EU account").unwrap_err().to_string().contains("EUR or GBP only"));
        let negative = write("neg.json", r#"{"currency":"EUR","products":{"x":{"name":"x","price":-1}},"delivery":{"standard":0,"express":0}}"#);
        assert!(Catalogue::load(&negative).unwrap_err().to_string().contains("negative"));
        assert!(Catalogue::load(&dir.path().join("missing.json")).is_err());
    }

    #[test]
    fn digital_carts_are_pay_only_and_mixed_ones_pay_and_ship() {
        let c = Catalogue::demo();
        assert!(c.products["ebook"].digital && !c.products["mug"].digital);
        assert_eq!(c.product_type(&[line("ebook", 2)]), ProductType::PayOnly);
        assert_eq!(c.product_type(&[line("ebook", 1), line("mug", 1)]), ProductType::PayAndShip);
        assert_eq!(c.product_type(&[line("mug", 1)]), ProductType::PayAndShip);
        assert_eq!(c.product_type(&[]), ProductType::PayAndShip);
        assert_eq!(c.product_type(&[line("nope", 1)]), ProductType::PayAndShip);
    }

    #[test]
    fn refuses_bad_carts() {
        let c = Catalogue::demo();
        let standard = DeliveryOption::Standard;
        assert_eq!(c.price(&[], standard), Err(PricingError::Empty));
        assert_eq!(c.price(&[line("nope", 1)], standard), Err(PricingError::UnknownSku("nope".into())));
        assert_eq!(c.price(&[line("mug", 0)], standard), Err(PricingError::BadQuantity("mug".into())));
        assert_eq!(c.price(&[line("mug", 100)], standard), Err(PricingError::BadQuantity("mug".into())));
    }

    /// The sandbox's CheckoutChamp campaign sells the demo shop's products at the demo shop's prices.
    #[cfg(feature = "sandbox")]
    #[test]
    fn campaign_prices_match_the_demo_catalogue() {
        use amazon_pay_sandbox::checkoutchamp_sim::campaign_product;
        let demo = Catalogue::demo();
        for (sku, id) in [("mug", 101), ("tshirt", 102), ("stickers", 103)] {
            assert_eq!(campaign_product(id).map(|p| p.price), demo.products.get(sku).map(|p| p.price), "{sku}");
        }
    }
}
