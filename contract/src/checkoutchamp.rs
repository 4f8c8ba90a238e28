//! The CheckoutChamp lander and upsell page: what the widget sends and what it gets back.
//!
//! The widget sends the buyer's Login with Amazon `access_token`, Amazon's order reference (or billing
//! agreement) id and the campaign products with quantities. The server reads the buyer's name and email from
//! Amazon itself, and CheckoutChamp decides every price: nothing the browser says about the buyer or money
//! is trusted.

use crate::prelude::*;
use crate::{Language, Money};
use serde::{Deserialize, Serialize};

/// One campaign product (CheckoutChamp's `productId`) and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignLine {
    /// The product id.
    pub product_id: u32,
    /// The quantity.
    pub quantity: u32,
}

/// `POST /api/checkoutchamp/orders`: Import Order with Amazon Pay.
///
/// One-time orders send the order reference id (`S02-…`) from `AddressBook.onOrderReferenceCreate`;
/// recurring orders (`recurring: true`) send the billing agreement id (`B02-…`), which the buyer must have
/// consented to in the Consent widget. The same `idempotency_key` always yields the same one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOrderRequest {
    /// The `access_token` Amazon returned to the lander (sent to CheckoutChamp as `amazonAddressConsent`).
    pub access_token: String,
    /// `S02-…` (one-time) or `B02-…` (recurring).
    pub amazon_order_id: String,
    /// The items.
    pub items: Vec<CampaignLine>,
    #[serde(default)]
    /// Whether recurring.
    pub recurring: bool,
    /// 8 to 128 characters of `A-Z a-z 0-9 - _`, new for every purchase the buyer means to make.
    pub idempotency_key: String,
    #[serde(default)]
    /// The language.
    pub language: Language,
}

/// `POST /api/checkoutchamp/upsales`: Import Upsale on an order this server imported.
///
/// The `access_token` must be the same Amazon buyer's as the order's (the upsell page repeats the login, as
/// CheckoutChamp's guide says), so nobody can add products to someone else's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportUpsaleRequest {
    /// The access token.
    pub access_token: String,
    /// CheckoutChamp's `orderId` from [`ImportOrderResponse::order_id`].
    pub order_id: String,
    /// The product id.
    pub product_id: u32,
    #[serde(default = "one")]
    /// The quantity.
    pub quantity: u32,
    /// The idempotency key.
    pub idempotency_key: String,
    #[serde(default)]
    /// The language.
    pub language: Language,
}

fn one() -> u32 {
    1
}

/// CheckoutChamp's `orderStatus`, as far as the widget needs to tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrmOrderStatus {
    /// Charged.
    Complete,
    /// Amazon has not decided yet (CheckoutChamp updates the order later).
    Pending,
    /// A lead without payment.
    Partial,
    /// Amazon declined the payment after CheckoutChamp took the order as `Pending` (its Order Query says
    /// `DECLINED`): nothing was charged, and nothing can be added to it.
    Declined,
    /// Anything else CheckoutChamp reports (refunded, cancelled, …).
    Other,
}

impl CrmOrderStatus {
    /// Every status, for tests and exhaustive checks.
    pub const ALL: [CrmOrderStatus; 5] =
        [CrmOrderStatus::Complete, CrmOrderStatus::Pending, CrmOrderStatus::Partial, CrmOrderStatus::Declined, CrmOrderStatus::Other];

    /// The status as it appears in JSON, e.g. `complete`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CrmOrderStatus::Complete => "complete",
            CrmOrderStatus::Pending => "pending",
            CrmOrderStatus::Partial => "partial",
            CrmOrderStatus::Declined => "declined",
            CrmOrderStatus::Other => "other",
        }
    }

    /// The status CheckoutChamp names `text`, if it is one of these.
    pub fn parse(text: &str) -> Option<CrmOrderStatus> {
        CrmOrderStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One line of the order as CheckoutChamp priced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmOrderLine {
    /// The product id.
    pub product_id: u32,
    /// The name.
    pub name: String,
    /// The quantity.
    pub quantity: u32,
    /// Unit price.
    pub price: Money,
}

/// The answer to an import: the order as CheckoutChamp now has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOrderResponse {
    /// The order id.
    pub order_id: String,
    /// The status.
    pub status: CrmOrderStatus,
    /// The order's total after this import (for an upsale: including every earlier line).
    pub total: Money,
    /// The items.
    pub items: Vec<CrmOrderLine>,
}

/// `POST /api/checkoutchamp/order-status`: what CheckoutChamp last said of an order this server imported, for
/// the lander's and upsell page's buyer while Amazon decides a `Pending` order. Sent in a body, not the address:
/// the `access_token` (the order's buyer's, as for an upsale) is a secret; another buyer's gets `not_found`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmStatusRequest {
    /// The buyer's Login with Amazon token (the lander's, or the upsell page's own sign-in).
    pub access_token: String,
    /// CheckoutChamp's `orderId` from [`ImportOrderResponse::order_id`].
    pub order_id: String,
    #[serde(default)]
    /// The language of an error's sentence.
    pub language: Language,
}

/// The answer to [`CrmStatusRequest`]: the order's status as the server stored it (the status sweep asks
/// CheckoutChamp about pending orders every `CHECKOUTCHAMP_STATUS_EVERY_MS`; this read never asks it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmOrderState {
    /// The order id.
    pub order_id: String,
    /// The status.
    pub status: CrmOrderStatus,
}

/// The upsell page's sentence for an order Amazon declined after CheckoutChamp took it as `Pending`: what
/// happened (not placed, nothing charged) and so that nothing can be added to it. It offers no "order again": the
/// upsell page's only way on is "Continue" (the lander, which has an "Order again" button, says so in its own
/// `Text::CrmDeclined`). The server answers an upsale on such an order with it; the widget's
/// `Text::UpsellOrderDeclined` says the same (a test holds them equal).
pub fn crm_declined_message(lang: Language) -> &'static str {
    match lang {
        Language::De => "Amazon Pay hat die Zahlung für Ihre Bestellung abgelehnt: Sie wurde nicht aufgegeben, und es wurde nichts belastet, daher lässt sich nichts hinzufügen.",
        Language::En => "Amazon Pay declined the payment for your order: it was not placed and nothing was charged, so nothing can be added to it.",
        Language::Fr => "Amazon Pay a refusé le paiement de votre commande\u{a0}: elle n'a pas été passée et rien n'a été débité, rien ne peut donc y être ajouté.",
        Language::It => "Amazon Pay ha rifiutato il pagamento del tuo ordine: non è stato effettuato e non è stato addebitato nulla, quindi non è possibile aggiungervi nulla.",
        Language::Es => "Amazon Pay ha rechazado el pago de tu pedido: no se ha realizado y no se ha cobrado nada, así que no se le puede añadir nada.",
    }
}

/// The buyer's sentence when CheckoutChamp declines an upsale (`soft_decline` or `hard_decline`): the
/// decline's general sentence asks for another payment method, which the upsell page cannot offer (its Wallet
/// is read-only, on the lander's order), and says nothing of the order the buyer already has, which stands.
/// What it says of that order follows `order`, the lander's order's status: placed (`Complete`), received and
/// being processed (`Pending`: Amazon has not decided yet), or else only that it is unchanged.
pub fn upsale_declined_message(lang: Language, order: CrmOrderStatus) -> &'static str {
    match (order, lang) {
        (CrmOrderStatus::Complete, Language::De) => "Wir konnten dies nicht zu Ihrer Bestellung hinzufügen. Ihre Bestellung ist aufgegeben, und es wurde nichts weiter belastet.",
        (CrmOrderStatus::Complete, Language::En) => "We could not add this to your order. Your order is placed and nothing more was charged.",
        (CrmOrderStatus::Complete, Language::Fr) => "Nous n'avons pas pu l'ajouter à votre commande. Votre commande est passée et rien de plus n'a été débité.",
        (CrmOrderStatus::Complete, Language::It) => "Non è stato possibile aggiungerlo al tuo ordine. Il tuo ordine è effettuato e non è stato addebitato nient'altro.",
        (CrmOrderStatus::Complete, Language::Es) => "No hemos podido añadirlo a tu pedido. Tu pedido está realizado y no se ha cobrado nada más.",
        (CrmOrderStatus::Pending, Language::De) => "Wir konnten dies nicht zu Ihrer Bestellung hinzufügen. Ihre Bestellung ist eingegangen und wird bearbeitet, und es wurde nichts weiter belastet.",
        (CrmOrderStatus::Pending, Language::En) => "We could not add this to your order. Your order has been received and is being processed, and nothing more was charged.",
        (CrmOrderStatus::Pending, Language::Fr) => "Nous n'avons pas pu l'ajouter à votre commande. Votre commande a bien été reçue et est en cours de traitement, et rien de plus n'a été débité.",
        (CrmOrderStatus::Pending, Language::It) => "Non è stato possibile aggiungerlo al tuo ordine. Il tuo ordine è stato ricevuto ed è in elaborazione, e non è stato addebitato nient'altro.",
        (CrmOrderStatus::Pending, Language::Es) => "No hemos podido añadirlo a tu pedido. Tu pedido se ha recibido y se está procesando, y no se ha cobrado nada más.",
        (CrmOrderStatus::Partial | CrmOrderStatus::Declined | CrmOrderStatus::Other, Language::De) => "Wir konnten dies nicht zu Ihrer Bestellung hinzufügen. Ihre Bestellung bleibt unverändert, und es wurde nichts weiter belastet.",
        (CrmOrderStatus::Partial | CrmOrderStatus::Declined | CrmOrderStatus::Other, Language::En) => "We could not add this to your order. Your order stays as it was, and nothing more was charged.",
        (CrmOrderStatus::Partial | CrmOrderStatus::Declined | CrmOrderStatus::Other, Language::Fr) => "Nous n'avons pas pu l'ajouter à votre commande. Votre commande reste inchangée et rien de plus n'a été débité.",
        (CrmOrderStatus::Partial | CrmOrderStatus::Declined | CrmOrderStatus::Other, Language::It) => "Non è stato possibile aggiungerlo al tuo ordine. Il tuo ordine resta invariato e non è stato addebitato nient'altro.",
        (CrmOrderStatus::Partial | CrmOrderStatus::Declined | CrmOrderStatus::Other, Language::Es) => "No hemos podido añadirlo a tu pedido. Tu pedido sigue igual y no se ha cobrado nada más.",
    }
}

/// The buyer's sentence when an upsale is refused because an earlier press of the same offer got no answer
/// from CheckoutChamp (`busy`): it may have added the product and charged Amazon, so another key does not send
/// it again. Only the press with the earlier key asks CheckoutChamp and then sends it, if it was not added.
pub fn upsale_undecided_message(lang: Language) -> &'static str {
    match lang {
        Language::De => "Wir wissen noch nicht, ob dies Ihrer Bestellung hinzugefügt wurde, daher wird es nicht noch einmal hinzugefügt: Nichts wird doppelt belastet. Ihre Bestellung bleibt davon unberührt.",
        Language::En => "We do not know yet whether this was added to your order, so it is not added again: nothing will be charged twice. Your order is not affected.",
        Language::Fr => "Nous ne savons pas encore si cet article a été ajouté à votre commande, il n'est donc pas ajouté une seconde fois\u{a0}: rien ne sera débité deux fois. Votre commande n'est pas concernée.",
        Language::It => "Non sappiamo ancora se è stato aggiunto al tuo ordine, quindi non viene aggiunto di nuovo: non verrà addebitato nulla due volte. Il tuo ordine non cambia.",
        Language::Es => "Todavía no sabemos si se ha añadido a tu pedido, así que no se vuelve a añadir: no se cobrará nada dos veces. Tu pedido no se ve afectado.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_have_defaults_for_optional_fields() {
        let json = r#"{"access_token":"Atza|x","amazon_order_id":"S02-1-2","items":[{"product_id":101,"quantity":2}],
                       "idempotency_key":"k1234567"}"#;
        let r: ImportOrderRequest = serde_json::from_str(json).unwrap();
        assert!(!r.recurring);
        assert_eq!(r.language, Language::En);
        let u: ImportUpsaleRequest = serde_json::from_str(r#"{"access_token":"a","order_id":"O1","product_id":103,"idempotency_key":"k"}"#).unwrap();
        assert_eq!(u.quantity, 1);
    }

    #[test]
    fn statuses_are_serdes_spelling() {
        for status in CrmOrderStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
            assert_eq!(CrmOrderStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn a_declined_upsale_says_placed_only_of_a_placed_order() {
        let placed = ["aufgegeben", "is placed", "est passée", "è effettuato", "está realizado"];
        let received = ["eingegangen", "received", "reçue", "ricevuto", "recibido"];
        for (i, lang) in Language::ALL.into_iter().enumerate() {
            let complete = upsale_declined_message(lang, CrmOrderStatus::Complete);
            let pending = upsale_declined_message(lang, CrmOrderStatus::Pending);
            assert!(complete.contains(placed[i]), "{complete}");
            assert!(pending.contains(received[i]) && !pending.contains(placed[i]), "{pending}");
            for other in [CrmOrderStatus::Partial, CrmOrderStatus::Declined, CrmOrderStatus::Other] {
                let unchanged = upsale_declined_message(lang, other);
                assert!(!unchanged.contains(placed[i]) && !unchanged.contains(received[i]), "{unchanged}");
            }
            // Each says the upsale was not added and nothing more was charged, like the others in its language.
            let opening = complete.split('.').next().unwrap_or_default();
            assert!(pending.starts_with(opening) && upsale_declined_message(lang, CrmOrderStatus::Other).starts_with(opening), "{lang:?}");
        }
    }

    #[test]
    fn a_declined_order_says_so_and_what_to_do_in_every_language() {
        let declined = ["abgelehnt", "declined", "refusé", "rifiutato", "rechazado"];
        for (i, lang) in Language::ALL.into_iter().enumerate() {
            let sentence = crm_declined_message(lang);
            assert!(sentence.contains(declined[i]), "{sentence}");
            assert_eq!(sentence.contains('\u{a0}'), lang == Language::Fr, "{sentence}: French typography only in French");
        }
        let request: CrmStatusRequest = serde_json::from_str(r#"{"access_token":"Atza|x","order_id":"O1"}"#).unwrap();
        assert_eq!(request.language, Language::En);
    }

    #[test]
    fn french_sentences_put_the_no_break_space_before_their_marks() {
        let upsale = CrmOrderStatus::ALL.map(|order| upsale_declined_message(Language::Fr, order));
        for fr in upsale.into_iter().chain([crm_declined_message(Language::Fr), upsale_undecided_message(Language::Fr)]) {
            assert_eq!(crate::french::french_spacing_fault(fr), None, "{fr:?}");
        }
    }

    #[test]
    fn an_undecided_upsale_says_nothing_is_charged_twice_in_every_language() {
        let twice = ["doppelt", "twice", "deux fois", "due volte", "dos veces"];
        for (i, lang) in Language::ALL.into_iter().enumerate() {
            let sentence = upsale_undecided_message(lang);
            assert!(sentence.contains(twice[i]), "{sentence}");
            assert_ne!(sentence, upsale_declined_message(lang, CrmOrderStatus::Complete));
            assert_eq!(sentence.contains('\u{a0}'), lang == Language::Fr, "{sentence}: French typography only in French");
        }
    }

    #[test]
    fn status_is_snake_case() {
        assert_eq!(serde_json::to_string(&CrmOrderStatus::Complete).unwrap(), r#""complete""#);
        assert!(serde_json::from_str::<CampaignLine>(r#"{"product_id":"101","quantity":1}"#).is_err());
    }
}
