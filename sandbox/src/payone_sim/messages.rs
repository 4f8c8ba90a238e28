//! The simulator's `customermessage` texts: PAYONE localizes them by the request's `language`, and shops show
//! them to buyers as they are.

use amazon_pay_contract::Language;

/// What a refusal means to the buyer; each kind has one text per language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Customer {
    /// Merchant-side problems the buyer can do nothing about (bad parameters, credentials, duplicates).
    Generic,
    /// 923: Amazon Pay through PAYONE takes EUR only.
    Currency,
    /// 981 InvalidPaymentMethod: the buyer may pick another instrument.
    InvalidPaymentMethod,
    /// 982 AmazonRejected, 109, 900: the buyer must pay another way.
    Rejected,
    /// 980 TransactionTimedOut.
    TimedOut,
    /// 983 ProcessingFailure: nothing was charged; start again.
    ProcessingFailure,
    /// 984 BuyerEqualsSeller: the shop's own Amazon account cannot pay.
    BuyerEqualsSeller,
    /// 985 PaymentMethodNotAllowed: another payment method from the Amazon account may work.
    PaymentMethodNotAllowed,
    /// 986 PaymentPlanNotSet.
    PaymentPlanNotSet,
    /// 987 ShippingAddressNotSet (also: the buyer has not finished on Amazon's pages).
    AddressNotSet,
    /// 101: the Amazon session is older than 24 hours or was closed.
    SessionExpired,
}

impl Customer {
    /// The text in `lang` (de, en, fr, it, es).
    pub(crate) fn text(self, lang: Language) -> &'static str {
        use Language::*;
        match (self, lang) {
            (Customer::Generic, De) => "Bei der Bearbeitung dieser Transaktion ist ein Fehler aufgetreten.",
            (Customer::Generic, En) => "An error occurred while processing this transaction.",
            (Customer::Generic, Fr) => "Une erreur est survenue lors du traitement de cette transaction.",
            (Customer::Generic, It) => "Si è verificato un errore durante l'elaborazione di questa transazione.",
            (Customer::Generic, Es) => "Se ha producido un error al procesar esta transacción.",

            (Customer::Currency, De) => "Amazon Pay ist für diese Währung nicht verfügbar. Bitte wählen Sie eine andere Zahlungsart.",
            (Customer::Currency, En) => "Amazon Pay is not available for this currency. Please choose another payment method.",
            (Customer::Currency, Fr) => "Amazon Pay n'est pas disponible pour cette devise. Veuillez choisir un autre moyen de paiement.",
            (Customer::Currency, It) => "Amazon Pay non è disponibile per questa valuta. Scegli un altro metodo di pagamento.",
            (Customer::Currency, Es) => "Amazon Pay no está disponible para esta moneda. Elige otro método de pago.",

            (Customer::InvalidPaymentMethod, De) => {
                "Ihre Zahlungsart wurde abgelehnt. Bitte wählen Sie eine andere Zahlungsart aus Ihrem Amazon-Konto."
            }
            (Customer::InvalidPaymentMethod, En) => {
                "Your payment method was declined. Please choose another payment method from your Amazon account."
            }
            (Customer::InvalidPaymentMethod, Fr) => {
                "Votre moyen de paiement a été refusé. Veuillez choisir un autre moyen de paiement de votre compte Amazon."
            }
            (Customer::InvalidPaymentMethod, It) => {
                "Il tuo metodo di pagamento è stato rifiutato. Scegli un altro metodo di pagamento dal tuo account Amazon."
            }
            (Customer::InvalidPaymentMethod, Es) => "Tu método de pago ha sido rechazado. Elige otro método de pago de tu cuenta de Amazon.",

            (Customer::Rejected, De) => "Leider war Ihre Zahlung mit Amazon Pay nicht erfolgreich. Bitte wählen Sie eine andere Zahlungsart.",
            (Customer::Rejected, En) => "Sorry, your transaction with Amazon Pay was not successful. Please choose another payment method.",
            (Customer::Rejected, Fr) => "Désolé, votre transaction avec Amazon Pay n'a pas abouti. Veuillez choisir un autre moyen de paiement.",
            (Customer::Rejected, It) => {
                "Siamo spiacenti, la transazione con Amazon Pay non è andata a buon fine. Scegli un altro metodo di pagamento."
            }
            (Customer::Rejected, Es) => "Lo sentimos, tu transacción con Amazon Pay no se ha completado. Elige otro método de pago.",

            (Customer::TimedOut, De) => "Amazon Pay hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es erneut.",
            (Customer::TimedOut, En) => "Amazon Pay did not answer in time. Please try again.",
            (Customer::TimedOut, Fr) => "Amazon Pay n'a pas répondu à temps. Veuillez réessayer.",
            (Customer::TimedOut, It) => "Amazon Pay non ha risposto in tempo. Riprova.",
            (Customer::TimedOut, Es) => "Amazon Pay no ha respondido a tiempo. Inténtalo de nuevo.",

            (Customer::ProcessingFailure, De) => "Amazon Pay konnte die Zahlung nicht verarbeiten. Bitte starten Sie den Bezahlvorgang erneut.",
            (Customer::ProcessingFailure, En) => "Amazon Pay could not process the payment. Please start the checkout again.",
            (Customer::ProcessingFailure, Fr) => "Amazon Pay n'a pas pu traiter le paiement. Veuillez recommencer le paiement.",
            (Customer::ProcessingFailure, It) => "Amazon Pay non ha potuto elaborare il pagamento. Ricomincia il pagamento.",
            (Customer::ProcessingFailure, Es) => "Amazon Pay no ha podido procesar el pago. Vuelve a iniciar el pago.",

            (Customer::BuyerEqualsSeller, De) => {
                "Mit dem Amazon-Konto des Händlers kann nicht bezahlt werden. Bitte verwenden Sie ein anderes Amazon-Konto."
            }
            (Customer::BuyerEqualsSeller, En) => "The merchant's own Amazon account cannot be used to pay. Please use another Amazon account.",
            (Customer::BuyerEqualsSeller, Fr) => {
                "Le compte Amazon du marchand ne peut pas être utilisé pour payer. Veuillez utiliser un autre compte Amazon."
            }
            (Customer::BuyerEqualsSeller, It) => "L'account Amazon del venditore non può essere usato per pagare. Usa un altro account Amazon.",
            (Customer::BuyerEqualsSeller, Es) => "La cuenta de Amazon del vendedor no se puede usar para pagar. Usa otra cuenta de Amazon.",

            (Customer::PaymentMethodNotAllowed, De) => {
                "Diese Zahlungsart ist hier nicht möglich. Bitte wählen Sie eine andere Zahlungsart aus Ihrem Amazon-Konto."
            }
            (Customer::PaymentMethodNotAllowed, En) => {
                "This payment method cannot be used here. Please choose another payment method from your Amazon account."
            }
            (Customer::PaymentMethodNotAllowed, Fr) => {
                "Ce moyen de paiement ne peut pas être utilisé ici. Veuillez choisir un autre moyen de paiement de votre compte Amazon."
            }
            (Customer::PaymentMethodNotAllowed, It) => {
                "Questo metodo di pagamento non può essere usato qui. Scegli un altro metodo di pagamento dal tuo account Amazon."
            }
            (Customer::PaymentMethodNotAllowed, Es) => "Este método de pago no se puede usar aquí. Elige otro método de pago de tu cuenta de Amazon.",

            (Customer::PaymentPlanNotSet, De) => "Bitte wählen Sie eine Zahlungsart in Ihrem Amazon-Konto.",
            (Customer::PaymentPlanNotSet, En) => "Please choose a payment method from your Amazon account.",
            (Customer::PaymentPlanNotSet, Fr) => "Veuillez choisir un moyen de paiement dans votre compte Amazon.",
            (Customer::PaymentPlanNotSet, It) => "Scegli un metodo di pagamento dal tuo account Amazon.",
            (Customer::PaymentPlanNotSet, Es) => "Elige un método de pago de tu cuenta de Amazon.",

            (Customer::AddressNotSet, De) => "Bitte wählen Sie eine Lieferadresse in Ihrem Amazon-Konto.",
            (Customer::AddressNotSet, En) => "Please choose a shipping address from your Amazon account.",
            (Customer::AddressNotSet, Fr) => "Veuillez choisir une adresse de livraison dans votre compte Amazon.",
            (Customer::AddressNotSet, It) => "Scegli un indirizzo di spedizione dal tuo account Amazon.",
            (Customer::AddressNotSet, Es) => "Elige una dirección de envío de tu cuenta de Amazon.",

            (Customer::SessionExpired, De) => "Ihre Amazon-Pay-Sitzung ist abgelaufen. Bitte starten Sie den Bezahlvorgang erneut.",
            (Customer::SessionExpired, En) => "Your Amazon Pay session has expired. Please start the checkout again.",
            (Customer::SessionExpired, Fr) => "Votre session Amazon Pay a expiré. Veuillez recommencer le paiement.",
            (Customer::SessionExpired, It) => "La sessione Amazon Pay è scaduta. Ricomincia il pagamento.",
            (Customer::SessionExpired, Es) => "Tu sesión de Amazon Pay ha caducado. Vuelve a iniciar el pago.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [Customer; 11] = [
        Customer::Generic,
        Customer::Currency,
        Customer::InvalidPaymentMethod,
        Customer::Rejected,
        Customer::TimedOut,
        Customer::ProcessingFailure,
        Customer::BuyerEqualsSeller,
        Customer::PaymentMethodNotAllowed,
        Customer::PaymentPlanNotSet,
        Customer::AddressNotSet,
        Customer::SessionExpired,
    ];

    #[test]
    fn every_text_exists_in_every_language_and_differs() {
        for kind in KINDS {
            let texts: std::collections::HashSet<_> = Language::ALL.iter().map(|l| kind.text(*l)).collect();
            assert_eq!(texts.len(), Language::ALL.len(), "{kind:?} repeats a text across languages");
        }
    }

    #[test]
    fn french_texts_put_the_no_break_space_before_their_marks() {
        for kind in KINDS {
            let fr = kind.text(Language::Fr);
            assert_eq!(amazon_pay_contract::french::french_spacing_fault(fr), None, "{kind:?}: {fr:?}");
        }
    }
}
