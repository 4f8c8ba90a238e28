//! A page's configuration object read into `WidgetConfig` (embed/config.rs), in headless Chromium: every key
//! lands in its own field, missing and `null` keys keep their defaults, and mistakes are refused.
#![cfg(target_arch = "wasm32")]

use amazon_pay_widget::embed::{View, WidgetConfig};
use amazon_pay_widget::wire::FromJs;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn read(json: &str) -> Result<WidgetConfig, String> {
    let value = js_sys::JSON::parse(json).map_err(|e| format!("{e:?}"))?;
    WidgetConfig::from_js(&value).map_err(|e| e.to_string())
}

#[wasm_bindgen_test]
fn every_key_lands_in_its_field() {
    let config = read(
        r##"{"view":"lander","cartUrl":"/cart","productType":"PayOnly","buyerForm":"#form","confirmationUrl":"/done",
            "backendUrl":"https://pay.example","items":[{"sku":"mug","quantity":2}],"language":"fr","buttonColor":"DarkGray",
            "placement":"Checkout","scriptTimeoutMs":2500,"products":[{"productId":101,"quantity":3},{"productId":7}],
            "product":{"productId":103},"recurring":true,"upsellUrl":"/upsell.html","thankYouUrl":"/thanks",
            "buttonType":"LwA","buttonSize":"large","popup":false,"reviewUrl":"/review","cancelUrl":"/cancel",
            "sessionTimeoutMs":9000}"##,
    )
    .unwrap();
    assert_eq!(config.view, View::Lander);
    assert_eq!(config.cart_url.as_deref(), Some("/cart"));
    assert_eq!(config.product_type, Some(amazon_pay_widget::contract::cv2::ProductType::PayOnly));
    assert_eq!(config.buyer_form.as_deref(), Some("#form"));
    assert_eq!(config.confirmation_url.as_deref(), Some("/done"));
    assert_eq!(config.backend_url, "https://pay.example");
    assert_eq!((config.items.len(), config.items[0].sku.as_str(), config.items[0].quantity), (1, "mug", 2));
    assert_eq!(config.language.as_deref(), Some("fr"));
    assert_eq!(config.button_color.as_deref(), Some("DarkGray"));
    assert_eq!(config.placement.as_deref(), Some("Checkout"));
    assert_eq!(config.script_timeout_ms, Some(2500));
    let products: Vec<(u32, u32)> = config.products.iter().map(|p| (p.product_id, p.quantity)).collect();
    assert_eq!(products, [(101, 3), (7, 1)], "a missing quantity is 1");
    assert_eq!(config.product.map(|p| (p.product_id, p.quantity)), Some((103, 1)));
    assert!(config.recurring);
    assert_eq!(config.upsell_url.as_deref(), Some("/upsell.html"));
    assert_eq!(config.thank_you_url.as_deref(), Some("/thanks"));
    assert_eq!(config.button_type.as_deref(), Some("LwA"));
    assert_eq!(config.button_size.as_deref(), Some("large"));
    assert_eq!(config.popup, Some(false));
    assert_eq!(config.review_url.as_deref(), Some("/review"));
    assert_eq!(config.cancel_url.as_deref(), Some("/cancel"));
    assert_eq!(config.session_timeout_ms, Some(9000));
    assert_eq!(config.button_options().unwrap().session_timeout, std::time::Duration::from_millis(9000));
}

#[wasm_bindgen_test]
fn the_buttons_return_pages_are_absolute_against_the_page() {
    let config = read(r#"{"reviewUrl":"/checkout/review?lang=de","cartUrl":"https://shop.example/cart"}"#).unwrap();
    let pages = config.button_options().unwrap().return_pages;
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    assert_eq!(pages.review, Some(format!("{origin}/checkout/review?lang=de")));
    assert_eq!(pages.cart.as_deref(), Some("https://shop.example/cart"));
    assert_eq!((pages.confirmation, pages.cancel), (None, None), "unnamed pages are the server's");
    assert!(read("{}").unwrap().button_options().unwrap().return_pages.is_empty());
}

#[wasm_bindgen_test]
fn missing_and_null_keys_keep_their_defaults() {
    assert_eq!(read("{}").unwrap(), WidgetConfig::default());
    let config = read(r#"{"view":null,"backendUrl":null,"items":null,"recurring":null,"popup":null,"cartUrl":null}"#).unwrap();
    assert_eq!(config, WidgetConfig::default());
}

#[wasm_bindgen_test]
fn mistakes_are_refused_and_say_where() {
    assert_eq!(read(r#"{"cartURL":"/"}"#).unwrap_err(), "unknown field `cartURL`");
    assert_eq!(read(r#"{"recurring":"yes"}"#).unwrap_err(), "recurring: expected true or false");
    assert_eq!(read(r#"{"view":"checkout"}"#).unwrap_err(), "view: unknown value `checkout`");
    assert_eq!(read(r#"{"scriptTimeoutMs":-1}"#).unwrap_err(), "scriptTimeoutMs: expected an integer in range");
    assert_eq!(read(r#"{"sessionTimeoutMs":"15s"}"#).unwrap_err(), "sessionTimeoutMs: expected an integer in range");
    assert_eq!(read(r#"{"products":[{"productId":1,"qty":2}]}"#).unwrap_err(), "products[0]: unknown field `qty`");
    assert_eq!(read(r#"{"items":[{"sku":"mug"}]}"#).unwrap_err(), "items[0].quantity: missing");
    assert_eq!(read("[]").unwrap_err(), "expected an object");
}

/// A view's options from `config`, printed (every options type is `Debug`), so two can be compared.
fn options(view: View, config: &WidgetConfig) -> String {
    let printed = match view {
        View::Button => config.button_options().map(|o| format!("{o:?}")),
        View::Review => config.review_options().map(|o| format!("{o:?}")),
        View::Confirmation => config.confirmation_options().map(|o| format!("{o:?}")),
        View::Apb => config.apb_options().map(|o| format!("{o:?}")),
        View::Lander => config.lander_options().map(|o| format!("{o:?}")),
        View::Upsell => config.upsell_options().map(|o| format!("{o:?}")),
        View::Cv1 => config.cv1_options().map(|o| format!("{o:?}")),
    };
    printed.unwrap_or_else(|e| panic!("{}: {e}", view.as_str()))
}

/// `View::keys` (what the TypeScript types give each view) are exactly the keys that change the view's options:
/// each key set to a value other than its default, one at a time, on top of a configuration the view accepts.
#[wasm_bindgen_test]
fn each_view_reads_exactly_its_keys() {
    let samples: [(&str, &str); 21] = [
        ("cartUrl", r#""/other-cart""#),
        ("productType", r#""PayOnly""#),
        ("buyerForm", r##""#address""##),
        ("confirmationUrl", r#""/done""#),
        ("backendUrl", r#""https://pay.example""#),
        ("items", r#"[{"sku":"mug","quantity":2}]"#),
        ("language", r#""fr""#),
        ("buttonColor", r#""DarkGray""#),
        ("placement", r#""Checkout""#),
        ("scriptTimeoutMs", "2500"),
        ("products", r#"[{"productId":102,"quantity":2}]"#),
        ("product", r#"{"productId":104}"#),
        ("recurring", "true"),
        ("upsellUrl", r#""/upsell.html""#),
        ("thankYouUrl", r#""/thanks""#),
        ("buttonType", r#""LwA""#),
        ("buttonSize", r#""large""#),
        ("popup", "false"),
        ("reviewUrl", r#""/review""#),
        ("cancelUrl", r#""/cancel""#),
        ("sessionTimeoutMs", "9000"),
    ];
    let sampled: Vec<&str> = samples.iter().map(|(k, _)| *k).collect();
    let keys: Vec<&str> = amazon_pay_widget::embed::CONFIG_KEYS.into_iter().filter(|k| *k != "view").collect();
    assert_eq!(sampled, keys, "a sample value for every configuration key, in CONFIG_KEYS order");
    // What the lander and the upsell page cannot do without.
    let base = r#""products":[{"productId":101}],"product":{"productId":103}"#;
    for view in View::ALL {
        let name = view.as_str();
        let baseline = options(view, &read(&format!(r#"{{"view":"{name}",{base}}}"#)).unwrap());
        let changing: Vec<&str> = samples
            .iter()
            .filter(|(key, value)| {
                let config = read(&format!(r#"{{"view":"{name}",{base},"{key}":{value}}}"#)).unwrap();
                options(view, &config) != baseline
            })
            .map(|(key, _)| *key)
            .collect();
        assert_eq!(changing, view.keys(), "the keys that change the {name} view's options");
    }
}
