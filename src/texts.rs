//! The widget's buyer-facing texts in German, English, French, Italian and Spanish.
//!
//! Error sentences shared with the server live in `amazon_pay_contract::ErrorCode::buyer_message`.
//!
//! A one-language build (the features `texts-de`, …: the lander, upsell and CV1 bundles are built once per
//! language, `amazon-pay-cv1.de.js`, 2-3 KB gzip less than with all five) keeps the texts of its language only
//! ([`Language::ONLY`]) and gives them for any language asked; [`check`] tells the page when that happens.

use crate::prelude::*;
use amazon_pay_contract::Language;

macro_rules! texts {
    ($($key:ident => [$de:literal, $en:literal, $fr:literal, $it:literal, $es:literal],)*) => {
        /// A text of the widget's interface, in every language (a one-language build: in its own, as the private `Text::stored` keeps it).
        /// Each text is a constant of its own, so a bundle carries only the texts its view uses (an enum with one
        /// `get` would link them all). The five languages are one string, separated by NUL: no table of five
        /// pointers per text in the wasm.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Text(&'static str);

        #[allow(non_upper_case_globals)]
        impl Text {
            $(#[doc = $en] pub const $key: Text = Text::stored(concat!($de, "\0", $en, "\0", $fr, "\0", $it, "\0", $es), [$de, $en, $fr, $it, $es]);)*

            /// Every text, so tests can check each one in every language.
            pub const ALL: &'static [Text] = &[$(Text::$key,)*];
        }
    };
}

impl Text {
    /// What a text keeps: all five languages (`all`), or in a one-language build only that language's (`one`
    /// by `Language::ALL`'s order). Evaluated at compile time: the wasm has only the string chosen.
    const fn stored(all: &'static str, one: [&'static str; 5]) -> Text {
        match Language::ONLY {
            Some(lang) => Text(one[lang as usize]),
            None => Text(all),
        }
    }

    /// The text in `lang` (in a one-language build: in that language, whatever `lang` is).
    pub fn get(self, lang: Language) -> &'static str {
        if Language::ONLY.is_some() {
            return self.0;
        }
        // In the order of `Language::ALL`: de, en, fr, it, es.
        crate::scan::pieces(self.0, 0).nth(lang as usize).unwrap_or_default()
    }
}

/// Called where a widget's language is decided: in a one-language build, a widget in another language shows this
/// build's texts, and the page's console says once how to have its own (the sentence is `mismatch`'s).
pub fn check(lang: Language, bundle: &str) {
    use core::sync::atomic::{AtomicBool, Ordering};
    static WARNED: AtomicBool = AtomicBool::new(false);
    if let Some(warning) = mismatch(lang, bundle) {
        if !WARNED.swap(true, Ordering::Relaxed) {
            web_sys::console::warn_1(&warning.into());
        }
    }
}

/// The warning for a widget in `lang` when this build has another language's texts only; `None` when it has them.
fn mismatch(lang: Language, bundle: &str) -> Option<String> {
    let only = Language::ONLY.filter(|&only| only != lang)?;
    let (only, lang) = (only.code(), lang.code());
    Some(
        [
            "Amazon Pay widget: a widget's language is \"",
            lang,
            "\", but this bundle (amazon-pay-",
            bundle,
            ".",
            only,
            ".js) has the \"",
            only,
            "\" texts only and shows those. Load amazon-pay-",
            bundle,
            ".js (every language) instead, or give every widget on the page the same language.",
        ]
        .concat(),
    )
}

// French typography as amazon_pay_contract::french sets it for every table of texts: a no-break space (U+00A0)
// before ":" and inside « », a narrow one (U+202F) before "!", "?" and ";", so "Merci !" never breaks before its
// "!". The labels the views show as "label: value" (`add_labelled`, `labelled`: Delivery, Total, OrderNumber) end
// with the no-break space in French, so the line reads "Total : 50,70 €".
texts! {
    ReviewTitle => ["Bestellung überprüfen", "Review your order", "Vérifiez votre commande", "Controlla il tuo ordine", "Revisa tu pedido"],
    Loading => ["Ihre Amazon Pay-Daten werden geladen …", "Loading your Amazon Pay details…", "Chargement de vos données Amazon Pay…", "Caricamento dei tuoi dati Amazon Pay…", "Cargando tus datos de Amazon Pay…"],
    Buyer => ["Käufer", "Buyer", "Acheteur", "Acquirente", "Comprador"],
    ShippingAddress => ["Lieferadresse", "Shipping address", "Adresse de livraison", "Indirizzo di spedizione", "Dirección de envío"],
    PaymentMethod => ["Zahlungsart", "Payment method", "Moyen de paiement", "Metodo di pagamento", "Método de pago"],
    PaidWithAmazon => ["Bezahlt mit Amazon Pay", "Paid with Amazon Pay", "Payé avec Amazon Pay", "Pagato con Amazon Pay", "Pagado con Amazon Pay"],
    ChangeAddress => ["Adresse ändern", "Change address", "Modifier l'adresse", "Modifica indirizzo", "Cambiar dirección"],
    ChangePayment => ["Zahlungsart ändern", "Change payment method", "Modifier le moyen de paiement", "Modifica metodo di pagamento", "Cambiar método de pago"],
    Delivery => ["Versand", "Delivery", "Livraison\u{a0}", "Spedizione", "Envío"],
    DeliveryStandard => ["Standardversand", "Standard delivery", "Livraison standard", "Spedizione standard", "Envío estándar"],
    DeliveryExpress => ["Expressversand", "Express delivery", "Livraison express", "Spedizione express", "Envío exprés"],
    DeliveryFree => ["kostenlos", "free", "gratuite", "gratuita", "gratis"],
    Items => ["Artikel", "Items", "Articles", "Articoli", "Artículos"],
    Quantity => ["Menge", "Quantity", "Quantité", "Quantità", "Cantidad"],
    Total => ["Gesamtsumme", "Total", "Total\u{a0}", "Totale", "Total"],
    UpdatingTotal => ["Die Gesamtsumme wird aktualisiert …", "Updating the total…", "Mise à jour du total…", "Aggiornamento del totale…", "Actualizando el total…"],
    TotalUpdated => ["Die Gesamtsumme wurde aktualisiert.", "The total has been updated.", "Le total a été mis à jour.", "Il totale è stato aggiornato.", "El total se ha actualizado."],
    PlaceOrder => ["Zahlungspflichtig bestellen", "Place order and pay", "Commander et payer", "Ordina e paga", "Comprar y pagar"],
    Placing => ["Ihre Bestellung wird aufgegeben …", "Placing your order…", "Votre commande est en cours…", "Invio dell'ordine in corso…", "Realizando tu pedido…"],
    RedirectingToAmazon => ["Amazon Pay bestätigt Ihre Zahlung …", "Amazon Pay is confirming your payment…", "Amazon Pay confirme votre paiement…", "Amazon Pay sta confermando il pagamento…", "Amazon Pay está confirmando tu pago…"],
    AlreadyPlaced => ["Diese Bestellung wurde bereits aufgegeben.", "This order has already been placed.", "Cette commande a déjà été passée.", "Questo ordine è già stato effettuato.", "Este pedido ya se ha realizado."],
    ViewOrder => ["Bestellstatus ansehen", "View order status", "Voir l'état de la commande", "Vedi lo stato dell'ordine", "Ver el estado del pedido"],
    BackToCart => ["Zurück zum Warenkorb", "Back to cart", "Retour au panier", "Torna al carrello", "Volver al carrito"],
    ChooseAnother => ["Bitte wählen Sie oben eine andere Zahlungsart und bestellen Sie erneut.", "Please choose another payment method above and place the order again.", "Veuillez choisir un autre moyen de paiement ci-dessus et repasser la commande.", "Scegli un altro metodo di pagamento qui sopra ed effettua di nuovo l'ordine.", "Elige otro método de pago arriba y vuelve a realizar el pedido."],
    Abandoned => ["Sie haben die Zahlung bei Amazon Pay nicht abgeschlossen. Bitte versuchen Sie es erneut oder wählen Sie eine andere Zahlungsart.", "You did not finish confirming the payment with Amazon Pay. Please try again or choose another payment method.", "Vous n'avez pas terminé la confirmation du paiement avec Amazon Pay. Veuillez réessayer ou choisir un autre moyen de paiement.", "Non hai completato la conferma del pagamento con Amazon Pay. Riprova o scegli un altro metodo di pagamento.", "No has terminado de confirmar el pago con Amazon Pay. Vuelve a intentarlo o elige otro método de pago."],
    NotCompleted => ["Die Zahlung mit Amazon Pay wurde nicht abgeschlossen, es wurde nichts belastet. Bitte versuchen Sie es erneut oder wählen Sie eine andere Zahlungsart.", "The payment with Amazon Pay was not completed, and nothing was charged. Please try again or choose another payment method.", "Le paiement avec Amazon Pay n'a pas abouti et rien n'a été débité. Veuillez réessayer ou choisir un autre moyen de paiement.", "Il pagamento con Amazon Pay non è stato completato e non è stato addebitato nulla. Riprova o scegli un altro metodo di pagamento.", "El pago con Amazon Pay no se ha completado y no se ha cobrado nada. Vuelve a intentarlo o elige otro método de pago."],
    ContinueConfirming => ["Sie haben die Zahlung bei Amazon Pay noch nicht bestätigt, es wurde noch nichts belastet. Bestellen Sie erneut, um dort fortzufahren; die Bestellung wird nur einmal aufgegeben.", "You have not finished confirming the payment with Amazon Pay, and nothing has been charged yet. Place the order again to continue there; it is placed only once.", "Vous n'avez pas encore confirmé le paiement avec Amazon Pay et rien n'a encore été débité. Passez à nouveau la commande pour continuer\u{202f}; elle ne sera passée qu'une seule fois.", "Non hai ancora confermato il pagamento con Amazon Pay e non è stato ancora addebitato nulla. Effettua di nuovo l'ordine per continuare: verrà effettuato una sola volta.", "Todavía no has confirmado el pago con Amazon Pay y aún no se ha cobrado nada. Vuelve a realizar el pedido para continuar; solo se realizará una vez."],
    NotConfirmedYet => ["Amazon Pay hat Ihre Zahlung noch nicht bestätigt, es wurde nichts belastet. Falls Sie die Seite von Amazon Pay vor der Bestätigung verlassen haben, kehren Sie zur Bestellübersicht zurück, um fortzufahren.", "Amazon Pay has not confirmed your payment yet, and nothing has been charged. If you left Amazon Pay's page before confirming, go back to the checkout page to continue.", "Amazon Pay n'a pas encore confirmé votre paiement et rien n'a été débité. Si vous avez quitté la page d'Amazon Pay avant de confirmer, revenez à la page de commande pour continuer.", "Amazon Pay non ha ancora confermato il pagamento e non è stato addebitato nulla. Se hai lasciato la pagina di Amazon Pay prima di confermare, torna alla pagina dell'ordine per continuare.", "Amazon Pay todavía no ha confirmado tu pago y no se ha cobrado nada. Si saliste de la página de Amazon Pay antes de confirmar, vuelve a la página del pedido para continuar."],
    MissingCheckout => ["Wir konnten Ihren Amazon Pay-Bezahlvorgang nicht finden. Bitte starten Sie erneut im Warenkorb.", "We could not find your Amazon Pay checkout. Please start again from your cart.", "Nous n'avons pas trouvé votre paiement Amazon Pay. Veuillez recommencer depuis votre panier.", "Non abbiamo trovato il tuo pagamento Amazon Pay. Ricomincia dal carrello.", "No hemos encontrado tu pago de Amazon Pay. Vuelve a empezar desde el carrito."],
    StatusTitle => ["Bestellstatus", "Order status", "État de la commande", "Stato dell'ordine", "Estado del pedido"],
    OrderNumber => ["Bestellnummer", "Order number", "Numéro de commande\u{a0}", "Numero d'ordine", "Número de pedido"],
    Approved => ["Vielen Dank! Ihre Bestellung ist bestätigt.", "Thank you! Your order is confirmed.", "Merci\u{202f}! Votre commande est confirmée.", "Grazie! Il tuo ordine è confermato.", "¡Gracias! Tu pedido está confirmado."],
    Paid => ["Vielen Dank! Ihre Zahlung ist eingegangen.", "Thank you! Your payment has been received.", "Merci\u{202f}! Votre paiement a été reçu.", "Grazie! Il pagamento è stato ricevuto.", "¡Gracias! Hemos recibido tu pago."],
    Pending => ["Amazon Pay prüft Ihre Zahlung noch. Diese Seite aktualisiert sich von selbst.", "Amazon Pay is still checking your payment. This page updates by itself.", "Amazon Pay vérifie encore votre paiement. Cette page se met à jour toute seule.", "Amazon Pay sta ancora verificando il pagamento. Questa pagina si aggiorna da sola.", "Amazon Pay todavía está comprobando tu pago. Esta página se actualiza sola."],
    Failed => ["Amazon Pay konnte Ihre Zahlung nicht abschließen. Es wurde nichts belastet. Bitte wählen Sie eine andere Zahlungsart.", "Amazon Pay could not complete your payment. Nothing was charged. Please choose another payment method.", "Amazon Pay n'a pas pu finaliser votre paiement. Rien n'a été débité. Veuillez choisir un autre moyen de paiement.", "Amazon Pay non ha potuto completare il pagamento. Non è stato addebitato nulla. Scegli un altro metodo di pagamento.", "Amazon Pay no ha podido completar tu pago. No se ha cobrado nada. Elige otro método de pago."],
    // The confirmation page stopped following (its deadline): no e-mail is promised, this server sends none; the
    // page, loaded again, follows the order anew, and the shop learns the outcome (PAYONE's notifications, webhooks).
    TakingLong => ["Das dauert länger als üblich. Laden Sie diese Seite später neu, um die Entscheidung von Amazon Pay zu sehen; auch der Shop erfährt sie.", "This is taking longer than usual. Reload this page later to see Amazon Pay's decision; the shop learns it too.", "Cela prend plus de temps que d'habitude. Rechargez cette page plus tard pour voir la décision d'Amazon Pay\u{202f}; la boutique en sera aussi informée.", "Ci vuole più del solito. Ricarica questa pagina più tardi per vedere la decisione di Amazon Pay; anche il negozio ne sarà informato.", "Está tardando más de lo habitual. Vuelve a cargar esta página más tarde para ver la decisión de Amazon Pay; la tienda también la conocerá."],
    PayWithAmazon => ["Mit Amazon Pay bezahlen", "Pay with Amazon Pay", "Payer avec Amazon Pay", "Paga con Amazon Pay", "Pagar con Amazon Pay"],
    OpeningAmazon => ["Amazon Pay wird geöffnet …", "Opening Amazon Pay…", "Ouverture d'Amazon Pay…", "Apertura di Amazon Pay…", "Abriendo Amazon Pay…"],
    CompleteForm => ["Bitte füllen Sie zuerst Ihre Adresse vollständig aus.", "Please complete your address first.", "Veuillez d'abord compléter votre adresse.", "Completa prima il tuo indirizzo.", "Completa primero tu dirección."],
    OrderCancelled => ["Der Shop hat diese Bestellung storniert. Es wurde nichts belastet, der bei Amazon Pay reservierte Betrag ist freigegeben.", "The shop has cancelled this order. Nothing was charged: the amount reserved with Amazon Pay has been released.", "La boutique a annulé cette commande. Rien n'a été débité\u{a0}: le montant réservé avec Amazon Pay a été libéré.", "Il negozio ha annullato questo ordine. Non è stato addebitato nulla: l'importo riservato con Amazon Pay è stato sbloccato.", "La tienda ha cancelado este pedido. No se ha cobrado nada: el importe reservado con Amazon Pay se ha liberado."],
    OrderRefunded => ["Der Shop hat Ihnen diese Bestellung vollständig erstattet. Das Geld geht an Ihre Zahlungsart bei Amazon Pay zurück.", "The shop has refunded this order in full. The money goes back to your payment method with Amazon Pay.", "La boutique vous a entièrement remboursé cette commande. L'argent est reversé sur votre moyen de paiement Amazon Pay.", "Il negozio ti ha rimborsato interamente questo ordine. Il denaro torna sul tuo metodo di pagamento Amazon Pay.", "La tienda te ha reembolsado este pedido por completo. El dinero vuelve a tu método de pago de Amazon Pay."],
    OrderPartlyRefunded => ["Der Shop hat Ihnen einen Teil dieser Bestellung erstattet. Der erstattete Betrag geht an Ihre Zahlungsart bei Amazon Pay zurück.", "The shop has refunded part of this order. The refunded amount goes back to your payment method with Amazon Pay.", "La boutique vous a remboursé une partie de cette commande. Le montant remboursé est reversé sur votre moyen de paiement Amazon Pay.", "Il negozio ti ha rimborsato una parte di questo ordine. L'importo rimborsato torna sul tuo metodo di pagamento Amazon Pay.", "La tienda te ha reembolsado una parte de este pedido. El importe reembolsado vuelve a tu método de pago de Amazon Pay."],
    UnknownOrder => ["Wir konnten diese Bestellung nicht finden.", "We could not find this order.", "Nous n'avons pas trouvé cette commande.", "Non abbiamo trovato questo ordine.", "No hemos encontrado este pedido."],
    // Legacy Checkout v1 (Widgets.js): sign-in, widgets, CheckoutChamp lander and upsell, PAYONE CV1.
    SignInHint => ["Melden Sie sich mit Ihrem Amazon-Konto an, um mit den dort gespeicherten Adressen und Zahlungsarten zu bezahlen.", "Sign in with your Amazon account to pay with the addresses and payment methods stored there.", "Connectez-vous avec votre compte Amazon pour payer avec les adresses et moyens de paiement qui y sont enregistrés.", "Accedi con il tuo account Amazon per pagare con gli indirizzi e i metodi di pagamento salvati.", "Inicia sesión con tu cuenta de Amazon para pagar con las direcciones y métodos de pago guardados en ella."],
    SignInCancelled => ["Die Anmeldung bei Amazon wurde abgebrochen. Sie können es erneut versuchen.", "Signing in with Amazon was cancelled. You can try again.", "La connexion à Amazon a été annulée. Vous pouvez réessayer.", "L'accesso ad Amazon è stato annullato. Puoi riprovare.", "Se ha cancelado el inicio de sesión en Amazon. Puedes volver a intentarlo."],
    SignInAgain => ["Ihre Amazon-Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "Your Amazon session has expired. Please sign in again.", "Votre session Amazon a expiré. Veuillez vous reconnecter.", "La tua sessione Amazon è scaduta. Accedi di nuovo.", "Tu sesión de Amazon ha caducado. Vuelve a iniciar sesión."],
    SignOut => ["Von Amazon Pay abmelden", "Sign out of Amazon Pay", "Se déconnecter d'Amazon Pay", "Esci da Amazon Pay", "Cerrar sesión en Amazon Pay"],
    WidgetProblem => ["Amazon Pay kann diesen Bereich gerade nicht anzeigen. Bitte laden Sie die Seite neu oder wählen Sie eine andere Zahlungsart.", "Amazon Pay cannot show this part right now. Please reload the page or choose another payment method.", "Amazon Pay ne peut pas afficher cette partie pour le moment. Veuillez recharger la page ou choisir un autre moyen de paiement.", "Amazon Pay non può mostrare questa parte al momento. Ricarica la pagina o scegli un altro metodo di pagamento.", "Amazon Pay no puede mostrar esta parte ahora mismo. Vuelve a cargar la página o elige otro método de pago."],
    ChooseAddressAndPayment => ["Bitte wählen Sie oben eine Lieferadresse und eine Zahlungsart.", "Please choose a shipping address and a payment method above.", "Veuillez choisir une adresse de livraison et un moyen de paiement ci-dessus.", "Scegli qui sopra un indirizzo di spedizione e un metodo di pagamento.", "Elige arriba una dirección de envío y un método de pago."],
    ConsentNeeded => ["Bitte erlauben Sie oben, dass Ihre Zahlungsart für künftige Zahlungen verwendet wird; erst dann kann die Bestellung aufgegeben werden.", "Please allow above that your payment method is used for future payments; only then can the order be placed.", "Veuillez autoriser ci-dessus l'utilisation de votre moyen de paiement pour les paiements futurs\u{202f}; la commande ne peut être passée qu'ensuite.", "Consenti qui sopra l'uso del tuo metodo di pagamento per i pagamenti futuri; solo allora l'ordine può essere effettuato.", "Permite arriba que tu método de pago se use para pagos futuros; solo entonces se puede realizar el pedido."],
    CheckAmazonWallet => ["Sie können auch die in Ihrem Amazon-Konto gespeicherten Zahlungsarten prüfen und aktualisieren.", "You can also check and update the payment methods stored in your Amazon account.", "Vous pouvez aussi vérifier et mettre à jour les moyens de paiement enregistrés dans votre compte Amazon.", "Puoi anche controllare e aggiornare i metodi di pagamento salvati nel tuo account Amazon.", "También puedes revisar y actualizar los métodos de pago guardados en tu cuenta de Amazon."],
    PayAnotherWay => ["Bitte melden Sie sich von Amazon Pay ab und wählen Sie eine andere Zahlungsart.", "Please sign out of Amazon Pay and choose another payment method.", "Veuillez vous déconnecter d'Amazon Pay et choisir un autre moyen de paiement.", "Esci da Amazon Pay e scegli un altro metodo di pagamento.", "Cierra sesión en Amazon Pay y elige otro método de pago."],
    // The lander follows a pending order while it is open (views/cv1/crm_status): no e-mail is promised, this server sends none.
    CrmPending => ["Amazon Pay prüft Ihre Zahlung noch. Diese Seite zeigt das Ergebnis, sobald Amazon Pay entschieden hat.", "Amazon Pay is still checking your payment. This page shows the outcome as soon as Amazon Pay has decided.", "Amazon Pay vérifie encore votre paiement. Cette page affichera le résultat dès qu'Amazon Pay aura décidé.", "Amazon Pay sta ancora verificando il pagamento. Questa pagina mostrerà l'esito appena Amazon Pay avrà deciso.", "Amazon Pay todavía está comprobando tu pago. Esta página mostrará el resultado en cuanto Amazon Pay haya decidido."],
    // The page stopped following (its deadline, or the token expired): the shop still learns the outcome (the status sweep).
    CrmTakingLong => ["Das dauert länger als üblich. Der Shop erfährt die Entscheidung von Amazon Pay; notieren Sie Ihre Bestellnummer, falls Sie dort nachfragen möchten.", "This is taking longer than usual. The shop will learn Amazon Pay's decision; note your order number if you want to ask about it.", "Cela prend plus de temps que d'habitude. La boutique connaîtra la décision d'Amazon Pay\u{202f}; notez votre numéro de commande si vous souhaitez la contacter.", "Ci vuole più del solito. Il negozio verrà a sapere la decisione di Amazon Pay; annota il numero d'ordine se vuoi chiedere informazioni.", "Está tardando más de lo habitual. La tienda conocerá la decisión de Amazon Pay; anota tu número de pedido si quieres preguntar por él."],
    OrderAgain => ["Erneut bestellen", "Order again", "Commander à nouveau", "Ordina di nuovo", "Volver a pedir"],
    CrmDeclined => ["Amazon Pay hat die Zahlung für Ihre Bestellung abgelehnt: Sie wurde nicht aufgegeben, und es wurde nichts belastet. Sie können erneut bestellen und eine andere Zahlungsart wählen.", "Amazon Pay declined the payment for your order: it was not placed and nothing was charged. You can order again and choose another payment method.", "Amazon Pay a refusé le paiement de votre commande\u{a0}: elle n'a pas été passée et rien n'a été débité. Vous pouvez commander à nouveau et choisir un autre moyen de paiement.", "Amazon Pay ha rifiutato il pagamento del tuo ordine: non è stato effettuato e non è stato addebitato nulla. Puoi ordinare di nuovo e scegliere un altro metodo di pagamento.", "Amazon Pay ha rechazado el pago de tu pedido: no se ha realizado y no se ha cobrado nada. Puedes volver a pedir y elegir otro método de pago."],
    // The upsell page on an order Amazon declined: its way on is "Continue" (the shop's thank-you page), so the
    // sentence offers no "order again" (the lander's `CrmDeclined` does, with its button); the server's refusal of
    // an upsale on such an order says the same (a test holds them equal).
    UpsellOrderDeclined => ["Amazon Pay hat die Zahlung für Ihre Bestellung abgelehnt: Sie wurde nicht aufgegeben, und es wurde nichts belastet, daher lässt sich nichts hinzufügen.", "Amazon Pay declined the payment for your order: it was not placed and nothing was charged, so nothing can be added to it.", "Amazon Pay a refusé le paiement de votre commande\u{a0}: elle n'a pas été passée et rien n'a été débité, rien ne peut donc y être ajouté.", "Amazon Pay ha rifiutato il pagamento del tuo ordine: non è stato effettuato e non è stato addebitato nulla, quindi non è possibile aggiungervi nulla.", "Amazon Pay ha rechazado el pago de tu pedido: no se ha realizado y no se ha cobrado nada, así que no se le puede añadir nada."],
    UpsellChargedTo => ["Bezahlt wird wie Ihre Bestellung mit Amazon Pay:", "Paid like your order, with Amazon Pay:", "Payé comme votre commande, avec Amazon Pay\u{a0}:", "Pagato come il tuo ordine, con Amazon Pay:", "Se paga como tu pedido, con Amazon Pay:"],
    UpsellAdd => ["Ja, zu meiner Bestellung hinzufügen", "Yes, add it to my order", "Oui, l'ajouter à ma commande", "Sì, aggiungilo al mio ordine", "Sí, añadirlo a mi pedido"],
    UpsellNoThanks => ["Nein, danke", "No, thanks", "Non, merci", "No, grazie", "No, gracias"],
    UpsellAdding => ["Wird zu Ihrer Bestellung hinzugefügt …", "Adding it to your order…", "Ajout à votre commande…", "Aggiunta all'ordine in corso…", "Añadiendo a tu pedido…"],
    UpsellAdded => ["Hinzugefügt! Ihre Bestellung wurde aktualisiert.", "Added! Your order has been updated.", "Ajouté\u{202f}! Votre commande a été mise à jour.", "Aggiunto! Il tuo ordine è stato aggiornato.", "¡Añadido! Tu pedido se ha actualizado."],
    MissingOrder => ["Wir konnten Ihre Bestellung nicht finden. Es wurde nichts verändert.", "We could not find your order. Nothing was changed.", "Nous n'avons pas trouvé votre commande. Rien n'a été modifié.", "Non abbiamo trovato il tuo ordine. Non è stato modificato nulla.", "No hemos encontrado tu pedido. No se ha cambiado nada."],
    Continue => ["Weiter", "Continue", "Continuer", "Continua", "Continuar"],
    Authorizing => ["Ihre Zahlung wird abgeschlossen …", "Completing your payment…", "Finalisation de votre paiement…", "Completamento del pagamento…", "Completando tu pago…"],
    MfaFailed => ["Amazon Pay konnte Ihre Zahlung nicht bestätigen. Bitte wählen Sie eine andere Zahlungsart.", "Amazon Pay could not verify your payment. Please choose another payment method.", "Amazon Pay n'a pas pu vérifier votre paiement. Veuillez choisir un autre moyen de paiement.", "Amazon Pay non ha potuto verificare il pagamento. Scegli un altro metodo di pagamento.", "Amazon Pay no ha podido verificar tu pago. Elige otro método de pago."],
    TryAgain => ["Erneut versuchen", "Try again", "Réessayer", "Riprova", "Reintentar"],
    StillLoading => ["Amazon Pay lädt noch …", "Amazon Pay is still loading…", "Amazon Pay est encore en cours de chargement…", "Amazon Pay si sta ancora caricando…", "Amazon Pay todavía se está cargando…"],
    ChangeUnavailable => ["Adresse und Zahlungsart lassen sich gerade nicht ändern. Sie können trotzdem wie angezeigt bestellen oder die Seite neu laden.", "The address and payment method cannot be changed right now. You can still place the order as shown, or reload the page.", "L'adresse et le moyen de paiement ne peuvent pas être modifiés pour le moment. Vous pouvez tout de même commander tel quel ou recharger la page.", "Al momento non è possibile modificare indirizzo e metodo di pagamento. Puoi comunque ordinare così o ricaricare la pagina.", "Ahora no se pueden cambiar la dirección ni el método de pago. Puedes realizar el pedido tal cual o volver a cargar la página."],
    PhoneLabel => ["Telefonnummer für die Zustellung", "Phone number for the delivery", "Numéro de téléphone pour la livraison", "Numero di telefono per la consegna", "Teléfono para la entrega"],
    PhoneHint => ["Ihre Amazon-Adresse hat keine Telefonnummer; der Paketdienst braucht eine. Ziffern, Leerzeichen und ein führendes +.", "Your Amazon address has no phone number, and the carrier needs one. Digits, spaces and a leading +.", "Votre adresse Amazon n'a pas de numéro de téléphone, et le transporteur en a besoin. Chiffres, espaces et un + initial.", "Il tuo indirizzo Amazon non ha un numero di telefono e il corriere ne ha bisogno. Cifre, spazi e un + iniziale.", "Tu dirección de Amazon no tiene teléfono y el transportista lo necesita. Dígitos, espacios y un + inicial."],
    NoShipping => ["Digitale Artikel: Es wird nichts verschickt, eine Lieferadresse ist nicht nötig.", "Digital goods: nothing is shipped, so no shipping address is needed.", "Articles numériques\u{a0}: rien n'est expédié, aucune adresse de livraison n'est nécessaire.", "Articoli digitali: non viene spedito nulla, nessun indirizzo di spedizione necessario.", "Artículos digitales: no se envía nada, no hace falta dirección de envío."],
    // "Place order" got no answer (offline, the answer lost): the order may be placed; the same key makes pressing again safe.
    NoAnswer => ["Wir haben keine Antwort zu Ihrer Bestellung erhalten. Sie ist vielleicht schon aufgegeben: Klicken Sie erneut auf „Zahlungspflichtig bestellen“, um zu sehen, wie es um sie steht; es wird nicht doppelt belastet.", "We could not hear back about your order. It may already be placed: press “Place order and pay” again to see how it stands; you will not be charged twice.", "Nous n'avons pas reçu de réponse au sujet de votre commande. Elle est peut-être déjà passée\u{a0}: cliquez à nouveau sur «\u{a0}Commander et payer\u{a0}» pour voir où elle en est\u{202f}; vous ne serez pas débité deux fois.", "Non abbiamo ricevuto risposta sul tuo ordine. Potrebbe essere già stato effettuato: premi di nuovo “Ordina e paga” per vedere a che punto è; non ti verrà addebitato due volte.", "No hemos recibido respuesta sobre tu pedido. Puede que ya se haya realizado: pulsa de nuevo «Comprar y pagar» para ver en qué estado está; no se te cobrará dos veces."],
    // Amazon's script did not load (a content blocker, mostly): what the buyer can do about it.
    ScriptBlocked => ["Amazon Pay konnte nicht geladen werden. Falls ein Inhaltsblocker aktiv ist, erlauben Sie Amazon Pay in diesem Shop und versuchen Sie es erneut.", "Amazon Pay could not be loaded. If a content blocker is on, allow Amazon Pay on this shop and try again.", "Amazon Pay n'a pas pu être chargé. Si un bloqueur de contenu est actif, autorisez Amazon Pay sur cette boutique et réessayez.", "Non è stato possibile caricare Amazon Pay. Se è attivo un blocco dei contenuti, consenti Amazon Pay su questo negozio e riprova.", "No se ha podido cargar Amazon Pay. Si tienes activado un bloqueador de contenido, permite Amazon Pay en esta tienda y vuelve a intentarlo."],
    // The review page's change actions when Amazon's script failed to load (a content blocker, mostly): why, and what to do.
    ChangeBlocked => ["Amazon Pay konnte nicht geladen werden, daher lassen sich Adresse und Zahlungsart gerade nicht ändern. Falls ein Inhaltsblocker aktiv ist, erlauben Sie Amazon Pay in diesem Shop und laden Sie die Seite neu. Sie können trotzdem wie angezeigt bestellen.", "Amazon Pay could not be loaded, so the address and payment method cannot be changed right now. If a content blocker is on, allow Amazon Pay on this shop and reload the page. You can still place the order as shown.", "Amazon Pay n'a pas pu être chargé, l'adresse et le moyen de paiement ne peuvent donc pas être modifiés pour le moment. Si un bloqueur de contenu est actif, autorisez Amazon Pay sur cette boutique et rechargez la page. Vous pouvez tout de même commander tel quel.", "Non è stato possibile caricare Amazon Pay, quindi al momento non è possibile modificare indirizzo e metodo di pagamento. Se è attivo un blocco dei contenuti, consenti Amazon Pay su questo negozio e ricarica la pagina. Puoi comunque ordinare così.", "No se ha podido cargar Amazon Pay, así que ahora no se pueden cambiar la dirección ni el método de pago. Si tienes activado un bloqueador de contenido, permite Amazon Pay en esta tienda y vuelve a cargar la página. Puedes realizar el pedido tal cual."],
    StartAgain => ["Neu beginnen", "Start again", "Recommencer", "Ricomincia", "Empezar de nuevo"],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every language's texts: only in a build with all five (the default; the tests of `scripts/test`).
    #[cfg(not(any(feature = "texts-de", feature = "texts-en", feature = "texts-fr", feature = "texts-it", feature = "texts-es")))]
    mod all_languages {
        use super::*;

        #[test]
        fn texts_are_in_the_order_of_the_languages() {
            for (i, lang) in Language::ALL.into_iter().enumerate() {
                assert_eq!(lang as usize, i);
            }
            assert_eq!(Text::ReviewTitle.get(Language::Fr), "Vérifiez votre commande");
            assert_eq!(Text::ReviewTitle.get(Language::Es), "Revisa tu pedido");
        }

        #[test]
        fn every_text_exists_in_every_language() {
            for &text in Text::ALL {
                for lang in Language::ALL {
                    assert!(!text.get(lang).trim().is_empty(), "{text:?} in {lang:?}");
                }
                assert_eq!(text.0.split('\0').count(), 5, "{text:?}: five languages, none with a NUL of its own");
                // German and English always differ; a copy-paste slip would make them equal.
                assert_ne!(text.get(Language::De), text.get(Language::En), "{text:?}");
            }
        }

        #[test]
        fn no_buyer_text_promises_an_e_mail_nobody_sends() {
            // Nothing in this project writes to the buyer, and CheckoutChamp's auto-responders are the shop's
            // choice: the sentences (the confirmation page's, the lander's, every other) say what the page does instead.
            for &text in Text::ALL {
                for lang in Language::ALL {
                    let said = text.get(lang).to_lowercase();
                    for promise in ["mail", "schreib", "écri", "scriv", "escrib"] {
                        assert!(!said.contains(promise), "{text:?} in {lang:?}: {said}");
                    }
                }
            }
        }

        #[test]
        fn a_declined_crm_order_reads_on_the_upsell_page_as_the_server_tells_an_upsale_on_it() {
            for lang in Language::ALL {
                let server = amazon_pay_contract::checkoutchamp::crm_declined_message(lang);
                assert_eq!(Text::UpsellOrderDeclined.get(lang), server, "{lang:?}");
            }
        }

        #[test]
        fn only_the_lander_which_offers_order_again_says_the_buyer_can() {
            // The lander shows "Order again" after a decline; the upsell page offers only "Continue".
            let again = ["erneut bestellen", "order again", "commander à nouveau", "ordinare di nuovo", "volver a pedir"];
            for (lang, again) in Language::ALL.into_iter().zip(again) {
                assert!(Text::CrmDeclined.get(lang).to_lowercase().contains(again), "{lang:?}");
                assert!(!Text::UpsellOrderDeclined.get(lang).to_lowercase().contains(again), "{lang:?}");
            }
        }

        #[test]
        fn french_labels_end_with_the_no_break_space_before_the_colon() {
            for label in [Text::Delivery, Text::Total, Text::OrderNumber] {
                assert!(label.get(Language::Fr).ends_with('\u{a0}'), "{label:?}");
                for lang in [Language::De, Language::En, Language::It, Language::Es] {
                    assert!(!label.get(lang).ends_with(char::is_whitespace), "{label:?} in {lang:?}");
                }
            }
        }

        #[test]
        fn french_exclamation_marks_semicolons_and_question_marks_take_a_narrow_no_break_space() {
            let marks = ['!', '?', ';'];
            let marked: Vec<Text> = Text::ALL.iter().copied().filter(|t| t.get(Language::Fr).contains(marks)).collect();
            for expected in [Text::Approved, Text::UpsellAdded, Text::ContinueConfirming, Text::ConsentNeeded, Text::NoAnswer] {
                assert!(marked.contains(&expected), "{expected:?} in {marked:?}");
            }
            for text in marked {
                let fr = text.get(Language::Fr);
                for (at, _) in fr.match_indices(marks) {
                    assert!(fr[..at].ends_with('\u{202f}'), "{text:?}: {fr:?}");
                }
            }
            for &text in Text::ALL {
                for lang in [Language::De, Language::En, Language::It, Language::Es] {
                    assert!(!text.get(lang).contains('\u{202f}'), "{text:?} in {lang:?}: no narrow space outside French");
                }
            }
        }

        #[test]
        fn every_french_text_puts_the_no_break_space_before_its_marks() {
            // The convention of amazon_pay_contract::french: U+00A0 before ":" and inside « », U+202F before ";!?".
            for &text in Text::ALL {
                let fr = text.get(Language::Fr);
                assert_eq!(amazon_pay_contract::french::french_spacing_fault(fr), None, "{text:?}: {fr:?}");
            }
        }

        #[test]
        fn a_build_with_every_language_never_warns() {
            for lang in Language::ALL {
                assert_eq!(mismatch(lang, "cv1"), None);
            }
        }
    }

    /// A one-language build: `cargo test -p amazon-pay-widget --features texts-de --lib texts` (scripts/test).
    #[cfg(any(feature = "texts-de", feature = "texts-en", feature = "texts-fr", feature = "texts-it", feature = "texts-es"))]
    mod one_language {
        use super::*;

        #[test]
        fn every_text_is_in_the_built_language_whatever_is_asked() {
            let only = Language::ONLY.expect("a texts-* feature is on");
            let title = ["Bestellung überprüfen", "Review your order", "Vérifiez votre commande", "Controlla il tuo ordine", "Revisa tu pedido"];
            for lang in Language::ALL {
                assert_eq!(Text::ReviewTitle.get(lang), title[only as usize], "{lang:?}");
                for &text in Text::ALL {
                    assert_eq!(text.get(lang), text.0, "{text:?}");
                    assert!(!text.0.trim().is_empty() && !text.0.contains('\0'), "{text:?}: one language, no NUL");
                }
            }
        }

        #[test]
        fn a_widget_in_another_language_gets_a_warning_saying_what_to_load() {
            let only = Language::ONLY.expect("a texts-* feature is on");
            assert_eq!(mismatch(only, "cv1"), None);
            for lang in Language::ALL.into_iter().filter(|&l| l != only) {
                let warning = mismatch(lang, "lander").expect("another language");
                let built = ["amazon-pay-lander.", only.code(), ".js"].concat();
                assert!(warning.contains(&built), "{warning}");
                assert!(warning.contains("Load amazon-pay-lander.js (every language)"), "{warning}");
                assert!(warning.contains(&["\"", lang.code(), "\""].concat()), "{warning}");
            }
        }
    }
}
