//! Legacy Amazon Pay Checkout v1 (`Widgets.js`): the widgets' public configuration, and the PAYONE CV1 flow
//! (getconfiguration → getorderreferencedetails → setorderreferencedetails → confirmorderreference inside
//! `OffAmazonPayments.initConfirmationFlow` → authorization with `wallettype=AMZ`).
//!
//! The widget never sends a price: the server prices the cart from its catalogue when the session starts and
//! uses that amount for every PAYONE call. The buyer's `access_token` goes to the server only to be passed on
//! to PAYONE (`amazon_address_token`); it is never stored.

use crate::cv2::{CartLine, PostalAddress, PricedLine};
use crate::prelude::*;
use crate::{ErrorCode, Language, Money};
use serde::{Deserialize, Serialize};

/// Amazon's live EU `Widgets.js` (reference §B.1, DE/EUR). In live mode the widget loads nothing else.
pub const AMAZON_EU_WIDGETS_JS: &str = "https://static-eu.payments-amazon.com/OffAmazonPayments/de/lpa/js/Widgets.js";

/// Everything `Widgets.js` needs: public ids and where to load it from. Secrets never appear here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetsConfig {
    /// Login with Amazon client id (`amzn1.application-oa2-client.…`), for `amazon.Login.setClientId`.
    pub client_id: String,
    /// The Amazon merchant (seller) id for `OffAmazonPayments.Button` and the widgets.
    pub seller_id: String,
    /// `true` with the offline sandbox: the widget then accepts the sandbox's fake `Widgets.js`.
    pub sandbox: bool,
    /// Amazon's live `Widgets.js` ([`AMAZON_EU_WIDGETS_JS`]), or the sandbox's fake.
    pub script_url: String,
}

/// `POST /api/cv1/sessions`: start a PAYONE CV1 checkout (PAYONE `getconfiguration`) for these items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCv1SessionRequest {
    /// The items.
    pub items: Vec<CartLine>,
    #[serde(default)]
    /// The language.
    pub language: Language,
}

/// A PAYONE CV1 checkout: its workorder, the widgets' configuration and the server's price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cv1Session {
    /// PAYONE's handle of this checkout.
    pub workorder_id: String,
    /// The widgets.
    pub widgets: WidgetsConfig,
    /// The items.
    pub items: Vec<PricedLine>,
    /// Decided by the server from its catalogue.
    pub amount: Money,
    /// The order reference (`S02-…`) this checkout is bound to, once the buyer has one.
    pub amazon_order_reference_id: Option<String>,
    /// The order of this checkout past Amazon's confirmation flow that no new attempt may replace: the page shows
    /// it rather than placing a second one. One still waiting in that flow is not named: "Place order" gets it
    /// again (the server answers the same order) and reopens Amazon's confirmation.
    pub order_id: Option<String>,
    /// Unix seconds after which the checkout can no longer be placed (24 hours after it started).
    pub expires_at: i64,
}

/// `POST /api/cv1/sessions/{workorderId}/details`: the buyer's data behind the chosen order reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReferenceRequest {
    /// `S02-…`, from `AddressBook.onOrderReferenceCreate`.
    pub amazon_order_reference_id: String,
    /// The Login with Amazon `access_token` (PAYONE's `amazon_address_token`).
    pub access_token: String,
    #[serde(default)]
    /// The language.
    pub language: Language,
}

/// What PAYONE's `getorderreferencedetails` told about the buyer, with the server-priced cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cv1Details {
    /// The workorder id.
    pub workorder_id: String,
    /// The amazon order reference id.
    pub amazon_order_reference_id: String,
    /// The buyer name.
    pub buyer_name: String,
    /// The email.
    pub email: String,
    /// The shipping address.
    pub shipping_address: PostalAddress,
    /// The billing address.
    pub billing_address: Option<PostalAddress>,
    /// The items.
    pub items: Vec<PricedLine>,
    /// Standard delivery's fee, which `amount` includes (the page's "Delivery" line, so its lines add up to the
    /// total); none when nothing is charged for delivery. Additive: a server that predates it leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_fee: Option<Money>,
    /// The amount: the items and `delivery_fee`.
    pub amount: Money,
}

/// `POST /api/cv1/sessions/{workorderId}/confirm`, sent from inside `initConfirmationFlow`'s callback.
/// The same `idempotency_key` always gets the same answer, however often the buyer clicks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmRequest {
    /// The amazon order reference id.
    pub amazon_order_reference_id: String,
    /// The access token.
    pub access_token: String,
    /// The idempotency key.
    pub idempotency_key: String,
    /// The page Amazon's confirmation flow returns to: its path (`/cv1.html`), never a full URL; on the origin the
    /// request came from (this server, or a return origin of the shop's).
    pub return_path: String,
    #[serde(default)]
    /// The language.
    pub language: Language,
}

/// `POST /api/cv1/orders/{orderId}/authorize`: back on the success URL, authorize the confirmed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    #[serde(default)]
    /// The language.
    pub language: Language,
}

/// Amazon's errors 980–987 as PAYONE reports them for CV1 (reference §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cv1Decline {
    /// 980 TransactionTimedOut.
    TransactionTimedOut,
    /// 981 InvalidPaymentMethod (soft decline).
    InvalidPaymentMethod,
    /// 982 AmazonRejected (hard decline).
    AmazonRejected,
    /// 983 ProcessingFailure.
    ProcessingFailure,
    /// 984 BuyerEqualsSeller.
    BuyerEqualsSeller,
    /// 985 PaymentMethodNotAllowed.
    PaymentMethodNotAllowed,
    /// 986 PaymentPlanNotSet.
    PaymentPlanNotSet,
    /// 987 ShippingAddressNotSet.
    ShippingAddressNotSet,
}

/// What the buyer can do after a decline, so the widget shows the right thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Pick another card in the Wallet widget (shown again) and place the order again.
    ChoosePayment,
    /// Pick another address in the AddressBook widget.
    ChooseAddress,
    /// The order reference is closed: start a new checkout.
    StartAgain,
    /// Amazon Pay will not work for this purchase: sign out and pay another way.
    PayAnotherWay,
}

impl Cv1Decline {
    /// Every decline, for tests and exhaustive checks.
    pub const ALL: [Cv1Decline; 8] = [
        Cv1Decline::TransactionTimedOut,
        Cv1Decline::InvalidPaymentMethod,
        Cv1Decline::AmazonRejected,
        Cv1Decline::ProcessingFailure,
        Cv1Decline::BuyerEqualsSeller,
        Cv1Decline::PaymentMethodNotAllowed,
        Cv1Decline::PaymentPlanNotSet,
        Cv1Decline::ShippingAddressNotSet,
    ];

    /// PAYONE's `errorcode`.
    /// The reason as it appears in JSON, e.g. `invalid_payment_method`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Cv1Decline::TransactionTimedOut => "transaction_timed_out",
            Cv1Decline::InvalidPaymentMethod => "invalid_payment_method",
            Cv1Decline::AmazonRejected => "amazon_rejected",
            Cv1Decline::ProcessingFailure => "processing_failure",
            Cv1Decline::BuyerEqualsSeller => "buyer_equals_seller",
            Cv1Decline::PaymentMethodNotAllowed => "payment_method_not_allowed",
            Cv1Decline::PaymentPlanNotSet => "payment_plan_not_set",
            Cv1Decline::ShippingAddressNotSet => "shipping_address_not_set",
        }
    }

    /// The decline named `text` (its wire name), if it is one.
    pub fn parse(text: &str) -> Option<Cv1Decline> {
        Cv1Decline::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// PAYONE's error code for this decline (980–987).
    pub const fn payone_code(self) -> u16 {
        match self {
            Cv1Decline::TransactionTimedOut => 980,
            Cv1Decline::InvalidPaymentMethod => 981,
            Cv1Decline::AmazonRejected => 982,
            Cv1Decline::ProcessingFailure => 983,
            Cv1Decline::BuyerEqualsSeller => 984,
            Cv1Decline::PaymentMethodNotAllowed => 985,
            Cv1Decline::PaymentPlanNotSet => 986,
            Cv1Decline::ShippingAddressNotSet => 987,
        }
    }

    /// The decline for PAYONE's `errorcode`; 109 is another spelling of AmazonRejected.
    pub fn from_payone_code(code: &str) -> Option<Cv1Decline> {
        if code.trim() == "109" {
            return Some(Cv1Decline::AmazonRejected);
        }
        Cv1Decline::ALL.into_iter().find(|d| crate::digits(d.payone_code().into()) == code.trim())
    }

    /// The widget's error code: soft when another Amazon payment method or address may work.
    pub const fn error_code(self) -> ErrorCode {
        match self {
            Cv1Decline::InvalidPaymentMethod
            | Cv1Decline::PaymentMethodNotAllowed
            | Cv1Decline::PaymentPlanNotSet
            | Cv1Decline::ShippingAddressNotSet => ErrorCode::SoftDecline,
            Cv1Decline::TransactionTimedOut | Cv1Decline::AmazonRejected | Cv1Decline::ProcessingFailure | Cv1Decline::BuyerEqualsSeller => {
                ErrorCode::HardDecline
            }
        }
    }

    /// What the plugins do (reference §6): reopen the wallet for 981/985/986, the address book for 987, a new
    /// checkout after 980/983 (the order reference is canceled), another way to pay after 982/984.
    pub const fn next_step(self) -> NextStep {
        match self {
            Cv1Decline::InvalidPaymentMethod | Cv1Decline::PaymentMethodNotAllowed | Cv1Decline::PaymentPlanNotSet => NextStep::ChoosePayment,
            Cv1Decline::ShippingAddressNotSet => NextStep::ChooseAddress,
            Cv1Decline::TransactionTimedOut | Cv1Decline::ProcessingFailure => NextStep::StartAgain,
            Cv1Decline::AmazonRejected | Cv1Decline::BuyerEqualsSeller => NextStep::PayAnotherWay,
        }
    }

    /// The buyer's sentence: what happened and what to do next.
    pub fn buyer_message(self, lang: Language) -> &'static str {
        use Cv1Decline::*;
        use Language::*;
        match (self, lang) {
            (TransactionTimedOut, De) => "Amazon Pay hat Ihre Zahlung nicht rechtzeitig bestätigt. Es wurde nichts belastet. Bitte starten Sie den Bezahlvorgang erneut.",
            (TransactionTimedOut, En) => "Amazon Pay did not confirm your payment in time. Nothing was charged. Please start the checkout again.",
            (TransactionTimedOut, Fr) => "Amazon Pay n'a pas confirmé votre paiement à temps. Rien n'a été débité. Veuillez recommencer le paiement.",
            (TransactionTimedOut, It) => "Amazon Pay non ha confermato il pagamento in tempo. Non è stato addebitato nulla. Ricomincia il pagamento.",
            (TransactionTimedOut, Es) => "Amazon Pay no ha confirmado tu pago a tiempo. No se ha cobrado nada. Vuelve a iniciar el pago.",
            (InvalidPaymentMethod, De) => "Amazon Pay hat die gewählte Zahlungsart abgelehnt. Bitte wählen Sie im Amazon Pay-Feld eine andere Zahlungsart und bestellen Sie erneut.",
            (InvalidPaymentMethod, En) => "Amazon Pay declined the selected payment method. Please choose another payment method in the Amazon Pay box and place the order again.",
            (InvalidPaymentMethod, Fr) => "Amazon Pay a refusé le moyen de paiement choisi. Veuillez choisir un autre moyen de paiement dans le cadre Amazon Pay et repasser la commande.",
            (InvalidPaymentMethod, It) => "Amazon Pay ha rifiutato il metodo di pagamento scelto. Scegli un altro metodo di pagamento nel riquadro Amazon Pay ed effettua di nuovo l'ordine.",
            (InvalidPaymentMethod, Es) => "Amazon Pay ha rechazado el método de pago elegido. Elige otro método de pago en el recuadro de Amazon Pay y vuelve a realizar el pedido.",
            (AmazonRejected, De) => "Amazon Pay konnte diese Zahlung nicht annehmen. Bitte bezahlen Sie mit einer anderen Zahlungsart.",
            (AmazonRejected, En) => "Amazon Pay could not accept this payment. Please pay with another payment method.",
            (AmazonRejected, Fr) => "Amazon Pay n'a pas pu accepter ce paiement. Veuillez payer avec un autre moyen de paiement.",
            (AmazonRejected, It) => "Amazon Pay non ha potuto accettare questo pagamento. Paga con un altro metodo di pagamento.",
            (AmazonRejected, Es) => "Amazon Pay no ha podido aceptar este pago. Paga con otro método de pago.",
            (ProcessingFailure, De) => "Amazon Pay konnte Ihre Zahlung nicht verarbeiten. Es wurde nichts belastet. Bitte starten Sie den Bezahlvorgang erneut.",
            (ProcessingFailure, En) => "Amazon Pay could not process your payment. Nothing was charged. Please start the checkout again.",
            (ProcessingFailure, Fr) => "Amazon Pay n'a pas pu traiter votre paiement. Rien n'a été débité. Veuillez recommencer le paiement.",
            (ProcessingFailure, It) => "Amazon Pay non ha potuto elaborare il pagamento. Non è stato addebitato nulla. Ricomincia il pagamento.",
            (ProcessingFailure, Es) => "Amazon Pay no ha podido procesar tu pago. No se ha cobrado nada. Vuelve a iniciar el pago.",
            (BuyerEqualsSeller, De) => "Mit dem Amazon-Konto des Shops selbst kann hier nicht bezahlt werden. Bitte melden Sie sich mit einem anderen Amazon-Konto an oder wählen Sie eine andere Zahlungsart.",
            (BuyerEqualsSeller, En) => "The shop's own Amazon account cannot pay here. Please sign in with another Amazon account or choose another payment method.",
            (BuyerEqualsSeller, Fr) => "Le compte Amazon de la boutique elle-même ne peut pas payer ici. Veuillez vous connecter avec un autre compte Amazon ou choisir un autre moyen de paiement.",
            (BuyerEqualsSeller, It) => "L'account Amazon del negozio stesso non può pagare qui. Accedi con un altro account Amazon o scegli un altro metodo di pagamento.",
            (BuyerEqualsSeller, Es) => "La propia cuenta de Amazon de la tienda no puede pagar aquí. Inicia sesión con otra cuenta de Amazon o elige otro método de pago.",
            (PaymentMethodNotAllowed, De) => "Die gewählte Zahlungsart ist für diesen Kauf nicht möglich. Bitte wählen Sie im Amazon Pay-Feld eine andere Zahlungsart.",
            (PaymentMethodNotAllowed, En) => "The selected payment method cannot be used for this purchase. Please choose another payment method in the Amazon Pay box.",
            (PaymentMethodNotAllowed, Fr) => "Le moyen de paiement choisi ne peut pas être utilisé pour cet achat. Veuillez en choisir un autre dans le cadre Amazon Pay.",
            (PaymentMethodNotAllowed, It) => "Il metodo di pagamento scelto non può essere usato per questo acquisto. Scegline un altro nel riquadro Amazon Pay.",
            (PaymentMethodNotAllowed, Es) => "El método de pago elegido no se puede usar para esta compra. Elige otro en el recuadro de Amazon Pay.",
            (PaymentPlanNotSet, De) => "Bitte wählen Sie im Amazon Pay-Feld eine Zahlungsart.",
            (PaymentPlanNotSet, En) => "Please choose a payment method in the Amazon Pay box.",
            (PaymentPlanNotSet, Fr) => "Veuillez choisir un moyen de paiement dans le cadre Amazon Pay.",
            (PaymentPlanNotSet, It) => "Scegli un metodo di pagamento nel riquadro Amazon Pay.",
            (PaymentPlanNotSet, Es) => "Elige un método de pago en el recuadro de Amazon Pay.",
            (ShippingAddressNotSet, De) => "Bitte wählen Sie im Amazon Pay-Feld eine Lieferadresse.",
            (ShippingAddressNotSet, En) => "Please choose a shipping address in the Amazon Pay box.",
            (ShippingAddressNotSet, Fr) => "Veuillez choisir une adresse de livraison dans le cadre Amazon Pay.",
            (ShippingAddressNotSet, It) => "Scegli un indirizzo di spedizione nel riquadro Amazon Pay.",
            (ShippingAddressNotSet, Es) => "Elige una dirección de envío en el recuadro de Amazon Pay.",
        }
    }
}

/// What a confirmation or an authorization led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cv1Outcome {
    /// `confirmorderreference` accepted: call `confirmationFlow.success()`; Amazon may ask for MFA and then
    /// returns the buyer to the success URL, where the widget asks for the authorization.
    Confirmed,
    /// Authorized.
    Approved,
    /// Amazon decides later (asynchronous authorization); follow the order's status.
    Pending,
    /// Declined. `reason` is Amazon's 98x code when PAYONE gave one; `message` is the buyer's sentence.
    Declined {
        /// The code.
        code: ErrorCode,
        /// The reason.
        reason: Option<Cv1Decline>,
        /// The message.
        message: String,
    },
    /// This checkout already has an order past confirmation: show it instead of placing another.
    AlreadyPlaced,
}

/// The answer to a confirmation or an authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cv1OrderResponse {
    /// The order id.
    pub order_id: String,
    /// The outcome.
    pub outcome: Cv1Outcome,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payone_codes_round_trip_and_map_to_next_steps() {
        for d in Cv1Decline::ALL {
            assert_eq!(Cv1Decline::from_payone_code(&d.payone_code().to_string()), Some(d));
        }
        assert_eq!(Cv1Decline::from_payone_code("109"), Some(Cv1Decline::AmazonRejected));
        assert_eq!(Cv1Decline::from_payone_code("900"), None);
        assert_eq!(Cv1Decline::InvalidPaymentMethod.next_step(), NextStep::ChoosePayment);
        assert_eq!(Cv1Decline::ShippingAddressNotSet.next_step(), NextStep::ChooseAddress);
        assert_eq!(Cv1Decline::TransactionTimedOut.next_step(), NextStep::StartAgain);
        assert_eq!(Cv1Decline::AmazonRejected.error_code(), ErrorCode::HardDecline);
        assert_eq!(Cv1Decline::PaymentMethodNotAllowed.error_code(), ErrorCode::SoftDecline);
    }

    #[test]
    fn every_decline_has_a_distinct_sentence_per_language() {
        for d in Cv1Decline::ALL {
            let texts: std::collections::HashSet<_> = Language::ALL.iter().map(|l| d.buyer_message(*l)).collect();
            assert_eq!(texts.len(), Language::ALL.len(), "{d:?}");
        }
        let en: std::collections::HashSet<_> = Cv1Decline::ALL.iter().map(|d| d.buyer_message(Language::En)).collect();
        assert_eq!(en.len(), Cv1Decline::ALL.len());
    }

    #[test]
    fn french_sentences_put_the_no_break_space_before_their_marks() {
        for d in Cv1Decline::ALL {
            let fr = d.buyer_message(Language::Fr);
            assert_eq!(crate::french::french_spacing_fault(fr), None, "{d:?}: {fr:?}");
        }
    }

    #[test]
    fn reasons_are_serdes_spelling() {
        for d in Cv1Decline::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
            assert_eq!(Cv1Decline::parse(d.as_str()), Some(d));
        }
    }

    #[test]
    fn outcomes_are_tagged() {
        let declined = Cv1Outcome::Declined { code: ErrorCode::SoftDecline, reason: Some(Cv1Decline::InvalidPaymentMethod), message: "m".into() };
        assert_eq!(
            serde_json::to_string(&declined).unwrap(),
            r#"{"kind":"declined","code":"soft_decline","reason":"invalid_payment_method","message":"m"}"#
        );
        assert_eq!(serde_json::to_string(&Cv1Outcome::Confirmed).unwrap(), r#"{"kind":"confirmed"}"#);
    }
}
