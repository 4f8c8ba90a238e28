//! Why the shop cannot use the address (or phone number) a checkout came back with, and the buyer's sentence
//! for it. Shared: the server refuses with it (review page and "Place order"), the review page shows it.

use serde::{Deserialize, Serialize};

/// A shop's rule the checkout's shipping address or phone number breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressProblem {
    /// The shop does not deliver to post office boxes ("PO Box", "Postfach").
    PoBox,
    /// The shop does not deliver to DHL Packstations or Postfilialen.
    Packstation,
    /// The shop does not ship to the address's country.
    Country,
    /// The shop needs a phone number and neither the address nor the buyer gave one.
    PhoneMissing,
    /// The phone number the buyer typed is not one (digits, `+` and spaces, 6 to 20 digits).
    PhoneInvalid,
}

impl AddressProblem {
    /// Every problem, for tests and exhaustive checks.
    pub const ALL: [AddressProblem; 5] =
        [AddressProblem::PoBox, AddressProblem::Packstation, AddressProblem::Country, AddressProblem::PhoneMissing, AddressProblem::PhoneInvalid];

    /// The wire name, e.g. `po_box`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AddressProblem::PoBox => "po_box",
            AddressProblem::Packstation => "packstation",
            AddressProblem::Country => "country",
            AddressProblem::PhoneMissing => "phone_missing",
            AddressProblem::PhoneInvalid => "phone_invalid",
        }
    }

    /// The problem named `text`, if it is one.
    pub fn parse(text: &str) -> Option<AddressProblem> {
        AddressProblem::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// What the buyer reads, in their language: what is wrong and what to do.
    pub fn buyer_message(self, lang: crate::Language) -> &'static str {
        use crate::Language::*;
        use AddressProblem::*;
        match (self, lang) {
            (PoBox, De) => "Wir liefern nicht an Postfächer. Bitte wählen Sie mit „Adresse ändern“ eine andere Lieferadresse.",
            (PoBox, En) => "We cannot deliver to a PO box. Please choose another shipping address with “Change address”.",
            (PoBox, Fr) => "Nous ne livrons pas les boîtes postales. Veuillez choisir une autre adresse avec «\u{a0}Modifier l'adresse\u{a0}».",
            (PoBox, It) => "Non consegniamo a caselle postali. Scegli un altro indirizzo con «Modifica indirizzo».",
            (PoBox, Es) => "No entregamos en apartados de correos. Elige otra dirección con «Cambiar dirección».",
            (Packstation, De) => {
                "Wir liefern nicht an Packstationen oder Postfilialen. Bitte wählen Sie mit „Adresse ändern“ eine andere Lieferadresse."
            }
            (Packstation, En) => "We cannot deliver to a Packstation or post office. Please choose another shipping address with “Change address”.",
            (Packstation, Fr) => {
                "Nous ne livrons pas les Packstations ni les bureaux de poste. Veuillez choisir une autre adresse avec «\u{a0}Modifier l'adresse\u{a0}»."
            }
            (Packstation, It) => "Non consegniamo a Packstation o uffici postali. Scegli un altro indirizzo con «Modifica indirizzo».",
            (Packstation, Es) => "No entregamos en Packstations ni oficinas de correos. Elige otra dirección con «Cambiar dirección».",
            (Country, De) => "In dieses Land liefern wir leider nicht. Bitte wählen Sie mit „Adresse ändern“ eine andere Lieferadresse.",
            (Country, En) => "Sorry, we do not ship to this country. Please choose another shipping address with “Change address”.",
            (Country, Fr) => "Désolés, nous ne livrons pas dans ce pays. Veuillez choisir une autre adresse avec «\u{a0}Modifier l'adresse\u{a0}».",
            (Country, It) => "Purtroppo non spediamo in questo paese. Scegli un altro indirizzo con «Modifica indirizzo».",
            (Country, Es) => "Lo sentimos, no enviamos a este país. Elige otra dirección con «Cambiar dirección».",
            (PhoneMissing, De) => "Bitte geben Sie eine Telefonnummer für die Zustellung an.",
            (PhoneMissing, En) => "Please enter a phone number for the delivery.",
            (PhoneMissing, Fr) => "Veuillez indiquer un numéro de téléphone pour la livraison.",
            (PhoneMissing, It) => "Inserisci un numero di telefono per la consegna.",
            (PhoneMissing, Es) => "Introduce un número de teléfono para la entrega.",
            (PhoneInvalid, De) => "Diese Telefonnummer ist ungültig. Erlaubt sind Ziffern, Leerzeichen und ein führendes +.",
            (PhoneInvalid, En) => "This phone number is not valid. Use digits, spaces and a leading +.",
            (PhoneInvalid, Fr) => "Ce numéro de téléphone n'est pas valide. Utilisez des chiffres, des espaces et un + initial.",
            (PhoneInvalid, It) => "Questo numero di telefono non è valido. Usa cifre, spazi e un + iniziale.",
            (PhoneInvalid, Es) => "Este número de teléfono no es válido. Usa dígitos, espacios y un + inicial.",
        }
    }
}

impl AddressProblem {
    /// The sentence for an address the buyer typed into the shop's own form (APB), where there is no
    /// "Change address" button: what is wrong and to enter another one.
    pub fn form_message(self, lang: crate::Language) -> &'static str {
        use crate::Language::*;
        use AddressProblem::*;
        match (self, lang) {
            (PoBox, De) => "Wir liefern nicht an Postfächer. Bitte geben Sie eine andere Lieferadresse ein.",
            (PoBox, En) => "We cannot deliver to a PO box. Please enter another shipping address.",
            (PoBox, Fr) => "Nous ne livrons pas les boîtes postales. Veuillez saisir une autre adresse de livraison.",
            (PoBox, It) => "Non consegniamo a caselle postali. Inserisci un altro indirizzo di spedizione.",
            (PoBox, Es) => "No entregamos en apartados de correos. Introduce otra dirección de envío.",
            (Packstation, De) => "Wir liefern nicht an Packstationen oder Postfilialen. Bitte geben Sie eine andere Lieferadresse ein.",
            (Packstation, En) => "We cannot deliver to a Packstation or post office. Please enter another shipping address.",
            (Packstation, Fr) => "Nous ne livrons pas les Packstations ni les bureaux de poste. Veuillez saisir une autre adresse de livraison.",
            (Packstation, It) => "Non consegniamo a Packstation o uffici postali. Inserisci un altro indirizzo di spedizione.",
            (Packstation, Es) => "No entregamos en Packstations ni oficinas de correos. Introduce otra dirección de envío.",
            (Country, De) => "In dieses Land liefern wir leider nicht. Bitte geben Sie eine andere Lieferadresse ein.",
            (Country, En) => "Sorry, we do not ship to this country. Please enter another shipping address.",
            (Country, Fr) => "Désolés, nous ne livrons pas dans ce pays. Veuillez saisir une autre adresse de livraison.",
            (Country, It) => "Purtroppo non spediamo in questo paese. Inserisci un altro indirizzo di spedizione.",
            (Country, Es) => "Lo sentimos, no enviamos a este país. Introduce otra dirección de envío.",
            (PhoneMissing | PhoneInvalid, _) => self.buyer_message(lang),
        }
    }
}

/// Fewest and most digits a phone number may have (E.164 allows 15; national prefixes and extensions add some).
pub const PHONE_DIGITS: core::ops::RangeInclusive<usize> = 6..=20;
/// Longest phone number, spaces included.
pub const PHONE_MAX_LEN: usize = 30;

/// Whether `phone` is a phone number the shop takes: an optional leading `+`, then digits and single spaces,
/// 6 to 20 digits, at most 30 characters. The same check in the review page and on the server.
pub fn valid_phone(phone: &str) -> bool {
    let phone = phone.trim();
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    let digits = rest.bytes().filter(u8::is_ascii_digit).count();
    phone.len() <= PHONE_MAX_LEN
        && rest.bytes().all(|b| b.is_ascii_digit() || b == b' ')
        && !rest.contains("  ")
        && rest.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && PHONE_DIGITS.contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;

    #[test]
    fn phone_numbers() {
        for ok in ["+49 30 1234567", "030 1234567", "+4930123456", "123456", " +33 1 23 45 67 89 "] {
            assert!(valid_phone(ok), "{ok}");
        }
        for bad in [
            "",
            "+",
            "12345",
            "+49-30-123456",
            "(030) 123456",
            "030  123456",
            "++4930123456",
            "49+30123456",
            "abc123456",
            "1".repeat(21).as_str(),
            "+ 4930123456",
            "030 123456 ext 5",
        ] {
            assert!(!valid_phone(bad), "{bad}");
        }
    }

    #[test]
    fn names_and_sentences() {
        for p in AddressProblem::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
            assert_eq!(AddressProblem::parse(p.as_str()), Some(p));
            for message in [AddressProblem::buyer_message, AddressProblem::form_message] {
                let texts: std::collections::HashSet<_> = Language::ALL.iter().map(|l| message(p, *l)).collect();
                assert_eq!(texts.len(), Language::ALL.len(), "{p:?}");
            }
        }
    }

    #[test]
    fn french_sentences_put_the_no_break_space_before_their_marks() {
        for p in AddressProblem::ALL {
            for fr in [p.buyer_message(Language::Fr), p.form_message(Language::Fr)] {
                assert_eq!(crate::french::french_spacing_fault(fr), None, "{p:?}: {fr:?}");
            }
        }
    }
}
