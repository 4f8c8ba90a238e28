//! Amazon's AddressBook, Wallet and Consent widgets in a view's own elements, with what the buyer chose kept
//! in signals. The views own the [`BoundWidgets`] (in their [`Runtime`]), so every callback is released with
//! the view.

use super::view::{Ctx, Runtime};
use crate::interop::off_amazon_payments::{AgreementType, AmazonWidgetError, Bound, DisplayMode, Widget, WidgetKind, WidgetOptions, WidgetsError};
use leptos::prelude::*;

/// The element ids the widgets render into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetIds {
    pub address_book: String,
    pub wallet: String,
    pub consent: String,
}

impl WidgetIds {
    pub fn new(n: u32) -> WidgetIds {
        WidgetIds {
            address_book: format!("amazon-pay-address-book-{n}"),
            wallet: format!("amazon-pay-wallet-{n}"),
            consent: format!("amazon-pay-consent-{n}"),
        }
    }
}

/// What the buyer chose in the widgets.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// The order reference (`S02-…`) or billing agreement (`B02-…`).
    pub reference: RwSignal<Option<String>>,
    pub address_chosen: RwSignal<bool>,
    pub payment_chosen: RwSignal<bool>,
    /// The Consent widget's box (recurring only); `None` until it reports.
    pub consent: RwSignal<Option<bool>>,
    /// Counts address choices, so a view can read the address again after each.
    pub address_changes: RwSignal<u32>,
    /// The last widget error (`ITP` excluded).
    pub problem: RwSignal<Option<AmazonWidgetError>>,
    /// The one-time AddressBook and the Wallet have rendered (`onReady`), whether or not Amazon selected
    /// anything: an account without an address or a default payment method reports no selection.
    pub address_book_ready: RwSignal<bool>,
    pub wallet_ready: RwSignal<bool>,
}

impl Selection {
    pub fn new() -> Selection {
        Selection {
            reference: RwSignal::new(None),
            address_chosen: RwSignal::new(false),
            payment_chosen: RwSignal::new(false),
            consent: RwSignal::new(None),
            address_changes: RwSignal::new(0),
            problem: RwSignal::new(None),
            address_book_ready: RwSignal::new(false),
            wallet_ready: RwSignal::new(false),
        }
    }

    /// Address and payment chosen (and, recurring, consent given): "Place order" may be enabled.
    pub fn complete(&self, recurring: bool) -> bool {
        self.reference.get().is_some()
            && self.address_chosen.get()
            && self.payment_chosen.get()
            && (!recurring || self.consent.get() == Some(true))
    }

    fn report(&self, err: AmazonWidgetError) {
        if err.is_ignorable() {
            return;
        }
        web_sys::console::error_1(&format!("Amazon Pay widget error {}: {}", err.code, err.message).into());
        self.problem.try_set(Some(err));
    }
}

impl Default for Selection {
    fn default() -> Self {
        Selection::new()
    }
}

/// The widgets' callbacks, owned by the view.
#[derive(Default)]
pub struct BoundWidgets {
    address_book: Option<Bound>,
    wallet: Option<Bound>,
    consent: Option<Bound>,
}

/// Which widgets, in which mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// One-time purchase; `existing` re-renders an order reference the checkout already has.
    OneTime { existing: Option<String> },
    /// Recurring: a billing agreement, its Wallet and the Consent widget.
    Recurring,
    /// Read-only display of an order reference or billing agreement (the upsell page).
    Read { id: String },
}

/// Everything a binding needs; cheap to clone, so widget callbacks can bind further widgets.
#[derive(Clone)]
pub struct Binder {
    pub ids: WidgetIds,
    pub seller_id: String,
    pub selection: Selection,
    pub holder: StoredValue<Runtime, LocalStorage>,
}

fn agreement(id: &str) -> AgreementType {
    if id.starts_with('B') || id.starts_with('C') {
        AgreementType::BillingAgreement
    } else {
        AgreementType::OrderReference
    }
}

impl Binder {
    /// A binder for the view of `ctx` (its seller id, selection and runtime).
    pub fn new(ctx: &Ctx, ids: &WidgetIds) -> Binder {
        Binder { ids: ids.clone(), seller_id: ctx.seller_id(), selection: ctx.selection, holder: ctx.runtime }
    }

    fn options(&self) -> WidgetOptions {
        WidgetOptions { seller_id: self.seller_id.clone(), ..Default::default() }
    }

    /// Binds the widgets of `flow` into the view's elements.
    pub fn bind(&self, flow: Flow) -> Result<(), WidgetsError> {
        let sel = self.selection;
        match flow {
            Flow::OneTime { existing } => {
                let options = WidgetOptions { amazon_order_reference_id: existing.clone(), ..self.options() };
                let address_book = Widget::new(WidgetKind::AddressBook, options)
                    .on_order_reference_create(move |r| {
                        sel.reference.try_set(r.order_reference_id());
                    })
                    .on_ready(move |r| {
                        // A re-render with a known id has no onOrderReferenceCreate.
                        if sel.reference.get_untracked().is_none() {
                            sel.reference.try_set(r.order_reference_id());
                        }
                        sel.address_book_ready.try_set(true);
                    })
                    .on_address_select(move |_| {
                        sel.address_chosen.try_set(true);
                        sel.address_changes.try_update(|n| *n += 1);
                    })
                    .on_error(move |e| sel.report(e))
                    .bind(&self.ids.address_book)?;
                self.holder.update_value(|h| h.widgets.address_book = Some(address_book));
                self.bind_wallet(existing)
            }
            Flow::Recurring => {
                let options = WidgetOptions { agreement_type: Some(AgreementType::BillingAgreement), ..self.options() };
                let binder = self.clone();
                let address_book = Widget::new(WidgetKind::AddressBook, options)
                    .on_ready(move |r| {
                        if let Some(id) = r.billing_agreement_id() {
                            sel.reference.try_set(Some(id));
                        }
                    })
                    .on_address_select(move |r| {
                        sel.address_chosen.try_set(true);
                        sel.address_changes.try_update(|n| *n += 1);
                        // Amazon: render the Wallet after the first address choice, then it follows by itself.
                        let id = r.billing_agreement_id().or_else(|| sel.reference.get_untracked());
                        let has_wallet = binder.holder.with_value(|h| h.widgets.wallet.is_some());
                        if let (Some(id), false) = (id, has_wallet) {
                            sel.reference.try_set(Some(id.clone()));
                            if let Err(err) = binder.bind_wallet(Some(id.clone())).and_then(|()| binder.bind_consent(&id)) {
                                sel.report(AmazonWidgetError { code: "UnknownError".into(), message: err.to_string() });
                            }
                        }
                    })
                    .on_error(move |e| sel.report(e))
                    .bind(&self.ids.address_book)?;
                self.holder.update_value(|h| h.widgets.address_book = Some(address_book));
                Ok(())
            }
            Flow::Read { id } => {
                let kind = agreement(&id);
                let options = |_: ()| WidgetOptions {
                    agreement_type: Some(kind),
                    amazon_order_reference_id: (kind == AgreementType::OrderReference).then(|| id.clone()),
                    amazon_billing_agreement_id: (kind == AgreementType::BillingAgreement).then(|| id.clone()),
                    display_mode: Some(DisplayMode::Read),
                    ..self.options()
                };
                let address_book = Widget::new(WidgetKind::AddressBook, options(())).on_error(move |e| sel.report(e)).bind(&self.ids.address_book)?;
                let wallet = Widget::new(WidgetKind::Wallet, options(())).on_error(move |e| sel.report(e)).bind(&self.ids.wallet)?;
                sel.reference.try_set(Some(id.clone()));
                self.holder.update_value(|h| {
                    h.widgets.address_book = Some(address_book);
                    h.widgets.wallet = Some(wallet);
                });
                Ok(())
            }
        }
    }

    /// (Re-)binds the Wallet: after a decline it shows the order reference again so the buyer can pick another
    /// payment method. `id` is `None` for a Wallet that joins the AddressBook's new order reference.
    pub fn bind_wallet(&self, id: Option<String>) -> Result<(), WidgetsError> {
        let sel = self.selection;
        let kind = id.as_deref().map(agreement);
        let options = WidgetOptions {
            agreement_type: kind,
            amazon_order_reference_id: id.clone().filter(|_| kind == Some(AgreementType::OrderReference)),
            amazon_billing_agreement_id: id.filter(|_| kind == Some(AgreementType::BillingAgreement)),
            ..self.options()
        };
        let wallet = Widget::new(WidgetKind::Wallet, options)
            .presentment_currency("EUR")
            .on_payment_select(move |_| {
                sel.payment_chosen.try_set(true);
            })
            .on_ready(move |_| {
                sel.wallet_ready.try_set(true);
            })
            .on_error(move |e| sel.report(e))
            .bind(&self.ids.wallet)?;
        // The old Wallet's callbacks go only now, after the new one is bound (never from inside a callback of
        // the Wallet itself).
        self.holder.update_value(|h| h.widgets.wallet = Some(wallet));
        Ok(())
    }

    fn bind_consent(&self, billing_agreement_id: &str) -> Result<(), WidgetsError> {
        let sel = self.selection;
        let options = WidgetOptions { amazon_billing_agreement_id: Some(billing_agreement_id.to_owned()), ..self.options() };
        let consent = Widget::new(WidgetKind::Consent, options)
            .on_consent_ready(move |status| {
                sel.consent.try_set(Some(status.given().unwrap_or(false)));
            })
            .on_consent(move |status| {
                sel.consent.try_set(Some(status.given().unwrap_or(false)));
            })
            .on_error(move |e| sel.report(e))
            .bind(&self.ids.consent)?;
        self.holder.update_value(|h| h.widgets.consent = Some(consent));
        Ok(())
    }
}
