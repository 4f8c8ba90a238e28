//! The error body every JSON endpoint answers with on failure.
//!
//! `code` is stable and machine-readable, `message` is a sentence for the buyer in the requested language,
//! `detail` is for the developer's console and never contains secrets; the server sends it with 4xx answers only
//! (a 5xx's cause, such as an upstream's text or a database error, stays in its log).

use crate::prelude::*;
use serde::{Deserialize, Serialize};

/// What went wrong, in a form the widget can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request was malformed or failed validation.
    BadRequest,
    /// An unknown workorder or order (the buyer is sent back to the cart).
    NotFound,
    /// The checkout session is older than 24 hours or was closed.
    SessionExpired,
    /// Amazon declined the payment; the buyer may choose another payment method.
    SoftDecline,
    /// Amazon rejected the payment; the buyer must use another payment method outside Amazon Pay.
    HardDecline,
    /// A recurring order whose billing agreement the buyer has not consented to (CheckoutChamp, Consent widget).
    ConsentRequired,
    /// The upstream service (PAYONE, CheckoutChamp, Amazon) did not answer in time.
    UpstreamTimeout,
    /// The upstream service answered with something we could not understand.
    UpstreamInvalid,
    /// The upstream service answered with an error.
    UpstreamError,
    /// The server's configuration does not allow this (for example a non-EUR currency with PAYONE).
    Configuration,
    /// Anything else; see `detail`.
    Internal,
    /// Another request of the same checkout is still being placed (its lock stayed taken): try again shortly.
    Busy,
}

/// The JSON error body: `{"code": "...", "message": "...", "detail": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ApiError {
    /// The code.
    pub code: ErrorCode,
    /// A sentence for the buyer, in the request's language.
    pub message: String,
    /// The cause, for the developer (console); the server leaves it out of 5xx answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ErrorCode {
    /// Every code, for tests and exhaustive checks.
    pub const ALL: [ErrorCode; 12] = [
        ErrorCode::BadRequest,
        ErrorCode::NotFound,
        ErrorCode::SessionExpired,
        ErrorCode::SoftDecline,
        ErrorCode::HardDecline,
        ErrorCode::ConsentRequired,
        ErrorCode::UpstreamTimeout,
        ErrorCode::UpstreamInvalid,
        ErrorCode::UpstreamError,
        ErrorCode::Configuration,
        ErrorCode::Internal,
        ErrorCode::Busy,
    ];

    /// The code as it appears in JSON, e.g. `soft_decline`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::NotFound => "not_found",
            ErrorCode::SessionExpired => "session_expired",
            ErrorCode::SoftDecline => "soft_decline",
            ErrorCode::HardDecline => "hard_decline",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::UpstreamTimeout => "upstream_timeout",
            ErrorCode::UpstreamInvalid => "upstream_invalid",
            ErrorCode::UpstreamError => "upstream_error",
            ErrorCode::Configuration => "configuration",
            ErrorCode::Internal => "internal",
            ErrorCode::Busy => "busy",
        }
    }

    /// The code named `text` (its wire name), if it is one.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// What the buyer reads when this happens, in their language; in a one-language build ([`crate::Language::ONLY`])
    /// in that language whatever `lang` is, and the other languages' sentences are not compiled in.
    pub fn buyer_message(self, lang: crate::Language) -> &'static str {
        use crate::Language::*;
        use ErrorCode::*;
        match (self, crate::Language::ONLY.unwrap_or(lang)) {
            (BadRequest | Internal | Configuration, De) => {
                "Amazon Pay ist gerade nicht verfügbar. Bitte versuchen Sie es später erneut oder wählen Sie eine andere Zahlungsart."
            }
            (BadRequest | Internal | Configuration, En) => {
                "Amazon Pay is not available right now. Please try again later or choose another payment method."
            }
            (BadRequest | Internal | Configuration, Fr) => {
                "Amazon Pay n'est pas disponible pour le moment. Veuillez réessayer plus tard ou choisir un autre moyen de paiement."
            }
            (BadRequest | Internal | Configuration, It) => {
                "Amazon Pay non è disponibile al momento. Riprova più tardi o scegli un altro metodo di pagamento."
            }
            (BadRequest | Internal | Configuration, Es) => {
                "Amazon Pay no está disponible en este momento. Inténtalo más tarde o elige otro método de pago."
            }
            // An unknown workorder or order: a stale link or another browser; the way on is the cart.
            (NotFound, De) => "Wir finden Ihren Bezahlvorgang nicht. Bitte beginnen Sie im Warenkorb neu.",
            (NotFound, En) => "We could not find your checkout or order. Please start again from your cart.",
            (NotFound, Fr) => "Paiement ou commande introuvable. Veuillez recommencer depuis votre panier.",
            (NotFound, It) => "Pagamento o ordine non trovato. Ricomincia dal carrello.",
            (NotFound, Es) => "No encontramos tu pago ni tu pedido. Vuelve a empezar desde el carrito.",
            (SessionExpired, De) => "Ihre Amazon Pay-Sitzung ist abgelaufen. Bitte starten Sie den Bezahlvorgang erneut.",
            (SessionExpired, En) => "Your Amazon Pay session has expired. Please start the checkout again.",
            (SessionExpired, Fr) => "Votre session Amazon Pay a expiré. Veuillez recommencer le paiement.",
            (SessionExpired, It) => "La tua sessione Amazon Pay è scaduta. Ricomincia il pagamento.",
            (SessionExpired, Es) => "Tu sesión de Amazon Pay ha caducado. Vuelve a iniciar el pago.",
            (SoftDecline, De) => {
                "Ihre Zahlungsart wurde abgelehnt. Bitte wählen Sie in Amazon Pay eine andere Zahlungsart."
            }
            (SoftDecline, En) => "Your payment method was declined. Please choose another payment method in Amazon Pay.",
            (SoftDecline, Fr) => {
                "Votre moyen de paiement a été refusé. Veuillez choisir un autre moyen de paiement dans Amazon Pay."
            }
            (SoftDecline, It) => {
                "Il tuo metodo di pagamento è stato rifiutato. Scegli un altro metodo di pagamento in Amazon Pay."
            }
            (SoftDecline, Es) => "Tu método de pago ha sido rechazado. Elige otro método de pago en Amazon Pay.",
            (HardDecline, De) => {
                "Leider war Ihre Zahlung mit Amazon Pay nicht erfolgreich. Bitte wählen Sie eine andere Zahlungsart."
            }
            (HardDecline, En) => {
                "Sorry, your payment with Amazon Pay was not successful. Please choose another payment method."
            }
            (HardDecline, Fr) => {
                "Désolé, votre paiement avec Amazon Pay n'a pas abouti. Veuillez choisir un autre moyen de paiement."
            }
            (HardDecline, It) => {
                "Purtroppo il pagamento con Amazon Pay non è andato a buon fine. Scegli un altro metodo di pagamento."
            }
            (HardDecline, Es) => {
                "Lo sentimos, tu pago con Amazon Pay no se ha completado. Elige otro método de pago."
            }
            (ConsentRequired, De) => {
                "Bitte setzen Sie im Amazon Pay-Feld das Häkchen, dass Ihre Zahlungsart für künftige Zahlungen verwendet werden darf, und versuchen Sie es erneut."
            }
            (ConsentRequired, En) => {
                "Please tick the box in the Amazon Pay section that allows your payment method to be used for future payments, then try again."
            }
            (ConsentRequired, Fr) => {
                "Veuillez cocher la case Amazon Pay autorisant l'utilisation de votre moyen de paiement pour les paiements futurs, puis réessayez."
            }
            (ConsentRequired, It) => {
                "Spunta la casella di Amazon Pay che consente di usare il tuo metodo di pagamento per i pagamenti futuri, poi riprova."
            }
            (ConsentRequired, Es) => {
                "Marca la casilla de Amazon Pay que permite usar tu método de pago para pagos futuros y vuelve a intentarlo."
            }
            // Nothing is promised about a charge: when placing an order, the provider may have authorized what it
            // answered too late or garbled (the review page tells the buyer to ask again with the same key).
            (UpstreamTimeout | UpstreamInvalid | UpstreamError, De) => {
                "Der Zahlungsdienst antwortet gerade nicht. Bitte versuchen Sie es in einem Moment erneut."
            }
            (UpstreamTimeout | UpstreamInvalid | UpstreamError, En) => {
                "The payment service is not responding right now. Please try again in a moment."
            }
            (UpstreamTimeout | UpstreamInvalid | UpstreamError, Fr) => {
                "Le service de paiement ne répond pas pour le moment. Veuillez réessayer dans un instant."
            }
            (UpstreamTimeout | UpstreamInvalid | UpstreamError, It) => {
                "Il servizio di pagamento non risponde al momento. Riprova tra un momento."
            }
            (UpstreamTimeout | UpstreamInvalid | UpstreamError, Es) => {
                "El servicio de pago no responde en este momento. Inténtalo de nuevo en un momento."
            }
            // Another request of this checkout holds its lock: it may be charging right now, so nothing is promised
            // about a charge; reloading shows its outcome, and paying again could pay twice.
            (Busy, De) => {
                "Ihre Bestellung wird noch bearbeitet. Bitte warten Sie einen Moment und laden Sie dann die Seite neu. Bitte zahlen Sie nicht erneut."
            }
            (Busy, En) => "Your order is still being processed. Please wait a moment, then reload this page. Please do not pay again.",
            (Busy, Fr) => {
                "Votre commande est encore en cours de traitement. Veuillez patienter un instant, puis recharger la page. Ne payez pas une seconde fois."
            }
            (Busy, It) => "Il tuo ordine è ancora in elaborazione. Attendi un momento, poi ricarica la pagina. Non pagare di nuovo.",
            (Busy, Es) => "Tu pedido todavía se está procesando. Espera un momento y vuelve a cargar la página. No pagues de nuevo.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;

    #[test]
    fn an_error_prints_its_code_as_the_json_spells_it() {
        let error = ApiError { code: ErrorCode::BadRequest, message: "unknown item".into(), detail: None };
        assert_eq!(error.to_string(), "bad_request: unknown item");
    }

    // The sentences of every language: only in a build with all five (the default, the server's).
    #[cfg(not(any(feature = "texts-de", feature = "texts-en", feature = "texts-fr", feature = "texts-it", feature = "texts-es")))]
    #[test]
    fn every_code_has_a_distinct_text_per_language() {
        let codes = [
            ErrorCode::BadRequest,
            ErrorCode::NotFound,
            ErrorCode::SessionExpired,
            ErrorCode::SoftDecline,
            ErrorCode::HardDecline,
            ErrorCode::ConsentRequired,
            ErrorCode::UpstreamTimeout,
            ErrorCode::Busy,
        ];
        for code in codes {
            let texts: std::collections::HashSet<_> = Language::ALL.iter().map(|l| code.buyer_message(*l)).collect();
            assert_eq!(texts.len(), Language::ALL.len(), "{code:?} repeats a text across languages");
        }
    }

    #[cfg(not(any(feature = "texts-de", feature = "texts-en", feature = "texts-fr", feature = "texts-it", feature = "texts-es")))]
    #[test]
    fn french_sentences_put_the_no_break_space_before_their_marks() {
        for code in ErrorCode::ALL {
            let fr = code.buyer_message(Language::Fr);
            assert_eq!(crate::french::french_spacing_fault(fr), None, "{code:?}: {fr:?}");
        }
    }

    #[cfg(not(any(feature = "texts-de", feature = "texts-en", feature = "texts-fr", feature = "texts-it", feature = "texts-es")))]
    #[test]
    fn busy_promises_nothing_about_a_charge() {
        // A 409 busy answers while another request of the checkout may be charging the buyer right now.
        for lang in Language::ALL {
            let busy = ErrorCode::Busy.buyer_message(lang);
            assert_ne!(busy, ErrorCode::UpstreamError.buyer_message(lang), "{lang:?}");
            for nothing_charged in ["Nothing was charged", "nichts belastet", "Rien n'a été débité", "Non è stato addebitato", "No se ha cobrado"]
            {
                assert!(!busy.contains(nothing_charged), "{lang:?}: {busy}");
            }
        }
    }

    #[cfg(not(any(feature = "texts-de", feature = "texts-en", feature = "texts-fr", feature = "texts-it", feature = "texts-es")))]
    #[test]
    fn upstream_failures_promise_nothing_about_a_charge() {
        // PAYONE or Amazon may have authorized what they answered too late, garbled or not at all.
        for code in [ErrorCode::UpstreamTimeout, ErrorCode::UpstreamInvalid, ErrorCode::UpstreamError] {
            for lang in Language::ALL {
                let sentence = code.buyer_message(lang);
                for nothing_charged in ["Nothing was charged", "nichts belastet", "Rien n'a été débité", "Non è stato addebitato", "No se ha cobrado"]
                {
                    assert!(!sentence.contains(nothing_charged), "{code:?} in {lang:?}: {sentence}");
                }
            }
        }
    }

    #[test]
    fn codes_read_as_in_json() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
    }

    #[test]
    fn error_body_shape_is_stable() {
        let err = ApiError { code: ErrorCode::SoftDecline, message: "m".into(), detail: None };
        assert_eq!(serde_json::to_string(&err).unwrap(), r#"{"code":"soft_decline","message":"m"}"#);
    }

    /// A one-language build (`cargo test -p amazon-pay-contract --features texts-de --lib`, run by scripts/test).
    #[cfg(any(feature = "texts-de", feature = "texts-en", feature = "texts-fr", feature = "texts-it", feature = "texts-es"))]
    #[test]
    fn a_one_language_build_answers_in_its_language_whatever_is_asked() {
        let only = Language::ONLY.expect("a texts-* feature is on");
        let not_found = match only {
            Language::De => "Wir finden Ihren Bezahlvorgang nicht. Bitte beginnen Sie im Warenkorb neu.",
            Language::En => "We could not find your checkout or order. Please start again from your cart.",
            Language::Fr => "Paiement ou commande introuvable. Veuillez recommencer depuis votre panier.",
            Language::It => "Pagamento o ordine non trovato. Ricomincia dal carrello.",
            Language::Es => "No encontramos tu pago ni tu pedido. Vuelve a empezar desde el carrito.",
        };
        for lang in Language::ALL {
            assert_eq!(ErrorCode::NotFound.buyer_message(lang), not_found, "{lang:?}");
            for code in ErrorCode::ALL {
                assert_eq!(code.buyer_message(lang), code.buyer_message(only), "{code:?} asked in {lang:?}");
                assert!(!code.buyer_message(lang).trim().is_empty(), "{code:?}");
            }
        }
    }
}
