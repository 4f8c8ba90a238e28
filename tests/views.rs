//! The plain-DOM views mounted in headless Chromium: what they show before and without a backend, that they
//! stop when unmounted, and (feature `leptos`) that the Leptos components host the same views.
#![cfg(target_arch = "wasm32")]

use amazon_pay_contract::Language;
use amazon_pay_widget::client::Client;
use amazon_pay_widget::interop::timers::sleep;
use amazon_pay_widget::texts::Text;
use amazon_pay_widget::views::{button, confirmation, review};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the page to mount into.
fn host() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    element
}

/// Waits (polling, with a deadline) until `selector` inside `root` has `text`.
async fn text_of(root: &Element, selector: &str, expected: &str) {
    for _ in 0..200 {
        if let Some(found) = root.query_selector(selector).unwrap() {
            if found.text_content().unwrap_or_default().contains(expected) {
                return;
            }
        }
        sleep(20).await;
    }
    panic!("{selector} never showed {expected:?}; the view is {}", root.inner_html());
}

/// A backend nobody listens on: every request fails at once.
fn unreachable_backend() -> Client {
    Client::new("http://127.0.0.1:9")
}

#[wasm_bindgen_test]
async fn the_confirmation_page_without_an_order_says_so_with_the_way_back() {
    let parent = host();
    let options = confirmation::ConfirmationOptions { language: Language::It, cart_url: "/cart".into(), ..Default::default() };
    let mounted = confirmation::mount(&parent, options).unwrap();
    let state = parent.query_selector(".amazon-pay-order-state").unwrap().unwrap();
    assert_eq!(state.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(state.get_attribute("aria-live").as_deref(), Some("polite"));
    text_of(&parent, ".amazon-pay-order-state", Text::UnknownOrder.get(Language::It)).await;
    let back = parent.query_selector("a").unwrap().unwrap();
    assert!(!back.has_attribute("hidden"));
    assert_eq!(back.get_attribute("href").as_deref(), Some("/cart"));
    drop(mounted);
    assert_eq!(parent.child_element_count(), 0, "unmounting removes the view");
}

#[wasm_bindgen_test]
async fn the_review_page_without_a_checkout_explains_and_offers_the_cart() {
    let parent = host();
    let mounted = review::mount(&parent, review::ReviewOptions { language: Language::De, ..Default::default() }).unwrap();
    assert!(parent.query_selector(".amazon-pay-review-body").unwrap().unwrap().has_attribute("hidden"));
    text_of(&parent, ".amazon-pay-fatal[role=alert]", Text::MissingCheckout.get(Language::De)).await;
    assert!(parent.query_selector(".amazon-pay-loading").unwrap().unwrap().has_attribute("hidden"));
    drop(mounted);
    assert_eq!(parent.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn the_button_without_a_backend_shows_no_broken_button_and_tells_the_page() {
    let parent = host();
    let errors = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let listener = {
        let errors = errors.clone();
        wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            let message = js_sys::Reflect::get(&e.detail(), &"message".into()).unwrap();
            errors.borrow_mut().push(message.as_string().unwrap());
        })
    };
    parent.add_event_listener_with_callback("amazonpay:error", listener.as_ref().unchecked_ref()).unwrap();
    let options = button::ButtonOptions { client: unreachable_backend(), language: Language::Es, ..Default::default() };
    let mounted = button::mount(&parent, options).unwrap();
    let placeholder = parent.query_selector(".amazon-pay-button").unwrap().unwrap();
    assert_eq!(placeholder.get_attribute("aria-busy").as_deref(), Some("true"));
    text_of(&parent, ".amazon-pay-status", amazon_pay_contract::ErrorCode::UpstreamError.buyer_message(Language::Es)).await;
    assert!(placeholder.has_attribute("hidden"));
    assert_eq!(placeholder.get_attribute("aria-busy").as_deref(), Some("false"));
    assert_eq!(errors.borrow().len(), 1);
    assert!(errors.borrow()[0].contains("cannot reach the backend at http://127.0.0.1:9/api/cv2/sessions"), "{:?}", errors.borrow());
    drop(mounted);
}

#[wasm_bindgen_test]
async fn an_unmounted_view_does_not_come_back() {
    let (gone, witness) = (host(), host());
    let options = button::ButtonOptions { client: unreachable_backend(), ..Default::default() };
    let mounted = button::mount(&gone, options.clone()).unwrap();
    let _kept = button::mount(&witness, options).unwrap();
    drop(mounted);
    // The witness started its request after the dropped one: once it shows its failure, the dropped one's
    // request has failed too, and its view must not have come back.
    text_of(&witness, ".amazon-pay-status", amazon_pay_contract::ErrorCode::UpstreamError.buyer_message(Language::En)).await;
    assert_eq!(gone.child_element_count(), 0);
}

#[cfg(feature = "leptos")]
mod leptos_components {
    use super::*;
    use amazon_pay_widget::components::OrderConfirmation;
    use leptos::prelude::*;

    #[wasm_bindgen_test]
    async fn a_leptos_app_hosts_the_same_view_and_drops_it_with_the_component() {
        let parent = host();
        let html: web_sys::HtmlElement = parent.clone().unchecked_into();
        let options = confirmation::ConfirmationOptions { language: Language::Fr, ..Default::default() };
        let handle = leptos::mount::mount_to(html, move || view! { <OrderConfirmation options=options.clone() /> });
        text_of(&parent, ".amazon-pay-host .amazon-pay-confirmation .amazon-pay-order-state", Text::UnknownOrder.get(Language::Fr)).await;
        drop(handle);
        assert!(parent.query_selector(".amazon-pay-confirmation").unwrap().is_none(), "the view left with the component");
    }
}
