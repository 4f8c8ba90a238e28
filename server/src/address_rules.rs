//! The shop's address rules: the countries it ships to, whether it refuses post office boxes and DHL
//! Packstations/Postfilialen, and whether it needs a phone number. They go to Amazon as the checkout's
//! `deliverySpecifications` (through PAYONE's `add_paydata` fields) and are checked again here when the
//! address comes back, because Amazon's own filter is not the shop's word (a changed address, an address
//! Amazon does not recognise as a Packstation, a PAYONE account that ignores the fields).
//!
//! Detection (docs/configuration.md, "Address rules"), on the company, street and addition lines, case and
//! dots ignored, word by word:
//! - PO box: `PO Box`, `P.O. Box`, `P O Box`, `POBox`, `Post Office Box`, `Postfach` (also `Postfach123`).
//! - Packstation: `Packstation` or `Postfiliale`, alone or followed by its number (`Packstation 123`,
//!   `Packstation123`, `Postfiliale 456`), as DHL's own address form writes them.

use amazon_pay_contract::address::AddressProblem;
use amazon_pay_contract::cv2::PostalAddress;
use payone_wire::PayoneRequest;

/// The rules as given on the command line, in the environment or in the configuration file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AddressRuleArgs {
    /// Countries the shop ships to (ISO 3166-1 alpha-2, comma-separated, e.g. `DE,AT`). Empty: any country.
    #[arg(long, env = "AMAZON_PAY_SHIP_TO_COUNTRIES", value_delimiter = ',')]
    pub ship_to_countries: Vec<String>,
    /// Refuse post office boxes ("PO Box", "Postfach") as shipping addresses.
    #[arg(long, env = "AMAZON_PAY_REFUSE_PO_BOXES", default_value_t = false, action = clap::ArgAction::Set)]
    pub refuse_po_boxes: bool,
    /// Refuse DHL Packstations and Postfilialen as shipping addresses.
    #[arg(long, env = "AMAZON_PAY_REFUSE_PACKSTATIONS", default_value_t = false, action = clap::ArgAction::Set)]
    pub refuse_packstations: bool,
    /// The shop needs a phone number with physical goods: the review page asks for one when the address has none.
    #[arg(long, env = "AMAZON_PAY_REQUIRE_PHONE", default_value_t = false, action = clap::ArgAction::Set)]
    pub require_phone: bool,
}

/// A country code that is not one.
#[derive(Debug, thiserror::Error)]
#[error("AMAZON_PAY_SHIP_TO_COUNTRIES: {0:?} is not an ISO 3166-1 alpha-2 country code such as DE or AT")]
pub struct AddressRuleError(pub String);

/// The validated rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressRules {
    /// Upper-case country codes, without duplicates; empty: any country.
    pub countries: Vec<String>,
    /// Refuse post office boxes.
    pub refuse_po_boxes: bool,
    /// Refuse Packstations and Postfilialen.
    pub refuse_packstations: bool,
    /// Ask for a phone number when the address has none.
    pub require_phone: bool,
}

impl AddressRules {
    /// Validates the arguments: every country two letters (any case; empty entries ignored).
    pub fn from_args(args: AddressRuleArgs) -> Result<AddressRules, AddressRuleError> {
        let mut countries: Vec<String> = Vec::new();
        for raw in &args.ship_to_countries {
            let code = raw.trim().to_ascii_uppercase();
            if code.is_empty() {
                continue;
            }
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(AddressRuleError(raw.clone()));
            }
            if !countries.contains(&code) {
                countries.push(code);
            }
        }
        Ok(AddressRules {
            countries,
            refuse_po_boxes: args.refuse_po_boxes,
            refuse_packstations: args.refuse_packstations,
            require_phone: args.require_phone,
        })
    }

    /// Why the shop cannot ship to `address`, if it cannot.
    pub fn check(&self, address: &PostalAddress) -> Option<AddressProblem> {
        let country = address.country.trim().to_ascii_uppercase();
        if !self.countries.is_empty() && !self.countries.contains(&country) {
            return Some(AddressProblem::Country);
        }
        let lines = [&address.company, &address.street, &address.addition];
        if self.refuse_packstations && lines.iter().any(|l| is_packstation(l)) {
            return Some(AddressProblem::Packstation);
        }
        if self.refuse_po_boxes && lines.iter().any(|l| is_po_box(l)) {
            return Some(AddressProblem::PoBox);
        }
        None
    }

    /// The phone number the order is sent with: the address's own, else the one the buyer typed. Refused
    /// when the buyer's is malformed, or when the shop needs one and there is none.
    pub fn phone(&self, address_phone: &str, typed: Option<&str>) -> Result<String, AddressProblem> {
        let typed = typed.map(str::trim).filter(|t| !t.is_empty());
        if let Some(typed) = typed {
            if !amazon_pay_contract::address::valid_phone(typed) {
                return Err(AddressProblem::PhoneInvalid);
            }
        }
        match (address_phone.trim(), typed) {
            ("", Some(typed)) => Ok(typed.to_owned()),
            ("", None) if self.require_phone => Err(AddressProblem::PhoneMissing),
            (own, _) => Ok(own.to_owned()),
        }
    }

    /// PAYONE's `add_paydata` fields for Amazon's `deliverySpecifications` on `createCheckoutSessionPayload`,
    /// as PAYONE's Shopware 6 plugin sends them (reference §2.2): `addressRestrictions_type=Allowed` with one
    /// `addressRestrictions_country_<n>` per country, and `specialRestrictions` as a comma list.
    pub fn set_payone_fields(&self, call: &mut PayoneRequest) {
        if !self.countries.is_empty() {
            call.set("add_paydata[addressRestrictions_type]", "Allowed");
            for (n, country) in self.countries.iter().enumerate() {
                call.set(&format!("add_paydata[addressRestrictions_country_{n}]"), country);
            }
        }
        let special: Vec<&str> = [(self.refuse_po_boxes, "RestrictPOBoxes"), (self.refuse_packstations, "RestrictPackstations")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
        if !special.is_empty() {
            call.set("add_paydata[specialRestrictions]", special.join(","));
        }
    }
}

/// The line's words, lower case, with dots and commas as spaces.
fn words(line: &str) -> Vec<String> {
    line.to_lowercase().replace(['.', ',', '-'], " ").split_whitespace().map(str::to_owned).collect()
}

/// `word` is `name`, or `name` directly followed by digits (`postfach123`).
fn names(word: &str, name: &str) -> bool {
    word.strip_prefix(name).is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit()))
}

/// A post office box line (see the module's documentation).
pub fn is_po_box(line: &str) -> bool {
    let w = words(line);
    let at = |i: usize| w.get(i).map(String::as_str).unwrap_or_default();
    (0..w.len()).any(|i| {
        names(at(i), "pobox")
            || names(at(i), "postfach")
            || (at(i) == "po" && names(at(i + 1), "box"))
            || (at(i) == "p" && at(i + 1) == "o" && names(at(i + 2), "box"))
            || (at(i) == "post" && at(i + 1) == "office" && names(at(i + 2), "box"))
    })
}

/// A DHL Packstation or Postfiliale line (see the module's documentation).
pub fn is_packstation(line: &str) -> bool {
    words(line).iter().any(|w| names(w, "packstation") || names(w, "postfiliale"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(street: &str, addition: &str, country: &str) -> PostalAddress {
        PostalAddress {
            last_name: "Schmidt".into(),
            street: street.into(),
            addition: addition.into(),
            zip: "10117".into(),
            city: "Berlin".into(),
            country: country.into(),
            ..Default::default()
        }
    }

    #[test]
    fn detects_po_boxes() {
        for yes in
            ["PO Box 123", "P.O. Box 55", "p o box 7", "POBox 9", "Post Office Box 12", "Postfach 10 10 10", "Postfach123", "c/o Müller, Postfach 4"]
        {
            assert!(is_po_box(yes), "{yes}");
        }
        for no in ["Unter den Linden 1", "Boxhagener Str. 5", "Postfachstraße 3", "Hippo Box 1", "Post Street 4"] {
            assert!(!is_po_box(no), "{no}");
        }
    }

    #[test]
    fn detects_packstations() {
        for yes in ["Packstation 123", "packstation123", "PACKSTATION", "Postfiliale 456", "DHL Packstation 101"] {
            assert!(is_packstation(yes), "{yes}");
        }
        for no in ["Packstationsweg 3", "Unter den Linden 1", "Postfilialenplatz 2", "Pack Station 1"] {
            assert!(!is_packstation(no), "{no}");
        }
    }

    #[test]
    fn rules_refuse_what_the_shop_refuses() {
        let rules =
            AddressRules { countries: vec!["DE".into(), "AT".into()], refuse_po_boxes: true, refuse_packstations: true, require_phone: false };
        assert_eq!(rules.check(&address("Unter den Linden 1", "", "DE")), None);
        assert_eq!(rules.check(&address("Unter den Linden 1", "", "at")), None);
        assert_eq!(rules.check(&address("Bahnhofstrasse 1", "", "CH")), Some(AddressProblem::Country));
        assert_eq!(rules.check(&address("Packstation 123", "12345678", "DE")), Some(AddressProblem::Packstation));
        assert_eq!(rules.check(&address("Postfach 10 10 10", "", "DE")), Some(AddressProblem::PoBox));
        let none = AddressRules::default();
        for a in [address("Packstation 123", "", "CH"), address("Postfach 1", "", "US")] {
            assert_eq!(none.check(&a), None, "no rules, no refusal");
        }
    }

    #[test]
    fn phone_numbers_come_from_the_address_or_the_buyer() {
        let rules = AddressRules { require_phone: true, ..Default::default() };
        assert_eq!(rules.phone("+49 30 1", None), Ok("+49 30 1".into()), "the address's own wins");
        assert_eq!(rules.phone("", Some(" +49 30 1234567 ")), Ok("+49 30 1234567".into()));
        assert_eq!(rules.phone("", None), Err(AddressProblem::PhoneMissing));
        assert_eq!(rules.phone("", Some("  ")), Err(AddressProblem::PhoneMissing));
        assert_eq!(rules.phone("", Some("call me")), Err(AddressProblem::PhoneInvalid));
        assert_eq!(AddressRules::default().phone("", None), Ok(String::new()));
    }

    #[test]
    fn countries_are_validated() {
        let args = |list: &[&str]| AddressRuleArgs { ship_to_countries: list.iter().map(|s| s.to_string()).collect(), ..Default::default() };
        assert_eq!(AddressRules::from_args(args(&["de", " AT", "DE", ""])).unwrap().countries, ["DE", "AT"]);
        for bad in ["DEU", "D", "D1", "Ö1"] {
            assert!(AddressRules::from_args(args(&[bad])).unwrap_err().to_string().contains(bad), "{bad}");
        }
    }

    #[test]
    fn payone_fields_are_shopware_6s() {
        let rules = AddressRules { countries: vec!["DE".into(), "AT".into()], refuse_po_boxes: true, refuse_packstations: true, require_phone: true };
        let mut call = PayoneRequest::new("genericpayment");
        rules.set_payone_fields(&mut call);
        assert_eq!(call.get("add_paydata[addressRestrictions_type]"), Some("Allowed"));
        assert_eq!(call.get("add_paydata[addressRestrictions_country_1]"), Some("AT"));
        assert_eq!(call.get("add_paydata[specialRestrictions]"), Some("RestrictPOBoxes,RestrictPackstations"));
        let mut plain = PayoneRequest::new("genericpayment");
        AddressRules::default().set_payone_fields(&mut plain);
        assert!(plain.params().iter().all(|(k, _)| !k.contains("Restrictions")));
    }
}
