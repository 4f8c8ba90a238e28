//! Amazon's names and addresses in ours: the one mapping of an Amazon Pay API v2 `Address` (one `name`, up to
//! three lines) to the contract's `PostalAddress`, used by the review page (`api/amazon/details.rs`) and by the
//! orders the merchant sees (`store/personal.rs`), so both show an Amazon address alike. A leaf: it needs
//! nothing of the server.

use amazon_pay_contract::cv2::PostalAddress;
use amazon_pay_v2::models::Address;

/// Amazon's one `name` as first and last name: the last word is the last name, the rest the first name.
pub fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.rsplit_once(' ') {
        Some((first, last)) => (first.trim().to_owned(), last.to_owned()),
        None => (String::new(), name.to_owned()),
    }
}

/// Amazon's address in the contract's shape: the first line is the street, the others the addition.
pub fn postal(a: &Address) -> PostalAddress {
    let (first_name, last_name) = split_name(a.name.as_deref().unwrap_or_default());
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
    let addition = [&a.address_line2, &a.address_line3].iter().map(|l| text(l)).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(", ");
    PostalAddress {
        first_name,
        last_name,
        company: String::new(),
        street: text(&a.address_line1),
        addition,
        zip: text(&a.postal_code),
        city: text(&a.city),
        state: text(&a.state_or_region),
        country: text(&a.country_code),
        phone: text(&a.phone_number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazons_address_reads_as_ours() {
        let a = Address {
            name: Some("Anna Maria Schmidt".into()),
            address_line1: Some("Hauptstr. 1".into()),
            address_line2: Some("c/o Müller".into()),
            city: Some("Berlin".into()),
            postal_code: Some("10115".into()),
            country_code: Some("DE".into()),
            ..Address::default()
        };
        let p = postal(&a);
        assert_eq!(
            (p.first_name.as_str(), p.last_name.as_str(), p.street.as_str(), p.addition.as_str()),
            ("Anna Maria", "Schmidt", "Hauptstr. 1", "c/o Müller")
        );
        assert_eq!(postal(&Address { name: Some("Cher".into()), ..Address::default() }).last_name, "Cher");
        assert_eq!(split_name("  Jean-Pierre de la Fontaine "), ("Jean-Pierre de la".to_owned(), "Fontaine".to_owned()));
        assert_eq!(split_name(""), (String::new(), String::new()));
    }
}
