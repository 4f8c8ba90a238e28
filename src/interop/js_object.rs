//! Small `Reflect` helpers for Amazon's untyped globals. No `eval` or `new Function`: the pages run under a
//! Content-Security-Policy without `'unsafe-eval'`.

use crate::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `target[key]`, or `None` when it is missing, `undefined` or `null`.
pub(crate) fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// `window.a.b.c` for `["a", "b", "c"]`, looked up now (so scripts loaded or faked later are found).
pub(crate) fn get_path(path: &[&str]) -> Option<JsValue> {
    path.iter().try_fold(js_sys::global().into(), |target: JsValue, key| get(&target, key))
}

/// `target[key] = value`.
pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), JsValue> {
    js_sys::Reflect::set(target, &JsValue::from_str(key), value).map(drop)
}

/// `target.name(...args)`; a missing method is a `TypeError`, a throw is passed on.
pub(crate) fn call_method(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let method = get(target, name)
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| JsValue::from(js_sys::TypeError::new(&[name, " is not a function"].concat())))?;
    let list: js_sys::Array = args.iter().collect();
    method.apply(target, &list)
}

/// `new Constructor(...args)`.
pub(crate) fn construct(constructor: &JsValue, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let constructor = constructor.dyn_ref::<js_sys::Function>().ok_or_else(|| JsValue::from(js_sys::TypeError::new("not a constructor")))?;
    let list: js_sys::Array = args.iter().collect();
    js_sys::Reflect::construct(constructor, &list)
}

/// `value.name()` as a string (Amazon's getters such as `getErrorCode`), if it is a function returning text.
pub(crate) fn call_getter(value: &JsValue, name: &str) -> Option<String> {
    let result = call_method(value, name, &[]).ok()?;
    result.as_string().or_else(|| result.as_bool().map(|b| if b { "true" } else { "false" }.to_owned()))
}

/// A plain object of `fields` in order, leaving out the `None`s (as serde's `skip_serializing_if` did).
/// Not generic: one small copy in the wasm for every options object handed to Amazon.
pub(crate) fn object(fields: &[(&str, Option<JsValue>)]) -> JsValue {
    let object: JsValue = js_sys::Object::new().into();
    for (key, value) in fields {
        if let Some(value) = value {
            // Setting a property on a fresh plain object cannot fail.
            let _ = set(&object, key, value);
        }
    }
    object
}

/// A string value for [`object`].
pub(crate) fn text(value: &str) -> Option<JsValue> {
    Some(JsValue::from_str(value))
}

/// An optional string value for [`object`].
pub(crate) fn opt_text(value: Option<&str>) -> Option<JsValue> {
    value.map(JsValue::from_str)
}
