//! The browser's `Intl`: names the buyer reads in their language, without a table of them in the bundle.

use crate::prelude::*;
use amazon_pay_contract::Language;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Intl.DisplayNames` (2021): its constructor throws where the browser lacks it, or for an unknown locale.
    #[wasm_bindgen(js_namespace = Intl)]
    type DisplayNames;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl)]
    fn new(locale: &str, options: &Options) -> Result<DisplayNames, JsValue>;

    /// The name of `code`; throws for a code that is not one of its kind (a region's: two letters or three digits).
    #[wasm_bindgen(method, catch)]
    fn of(this: &DisplayNames, code: &str) -> Result<Option<String>, JsValue>;

    /// The options object, `{type}` its only field.
    #[wasm_bindgen(js_name = Object)]
    type Options;

    #[wasm_bindgen(constructor, js_class = "Object")]
    fn new() -> Options;

    #[wasm_bindgen(method, setter = type)]
    fn set_type(this: &Options, kind: &str);
}

/// The name of the country (or region) `code` in `lang`, as `Intl.DisplayNames` gives it ("DE" → "Deutschland"
/// in German, "Germany" in English); `None` where the browser has no `Intl.DisplayNames` or refuses the code
/// (not a region code), so the caller shows the code as Amazon sent it.
pub fn region_name(code: &str, lang: Language) -> Option<String> {
    let options = Options::new();
    options.set_type("region");
    DisplayNames::new(lang.code(), &options).ok()?.of(code).ok()?.filter(|name| !name.is_empty())
}
