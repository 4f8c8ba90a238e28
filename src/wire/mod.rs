//! The backend's JSON (and a page's configuration object) read into Rust types, without serde's deserializers.
//!
//! Why not serde here: a derived `Deserialize` monomorphises a visitor per type, and any deserializer over JS
//! values once more per visitor; that was a quarter of the review page's wasm (BENCHMARKS.md, "The size work").
//! The browser's `JSON.parse` builds the value, and each type's [`FromJs`] copies it field by field through
//! [`Fields`] (a struct's fields, the first error kept) or [`Obj`] (a field or two, a tag, a configuration).
//! The types are the contract's, the same the server serializes with serde; `tests/wire.rs` feeds every
//! response type through both (serde_json out, [`FromJs`] in) so the two cannot drift. Requests still go out
//! through the contract's own `Serialize`.

use crate::prelude::*;

mod checkoutchamp;
mod common;
mod cv1;
mod cv2;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Why a value does not have the shape of its type: where (`items[2].unit_price.minor`) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    path: String,
    message: String,
}

impl WireError {
    /// An error at the value itself (the readers add the path as they return).
    pub fn new(message: &str) -> WireError {
        WireError { path: String::new(), message: message.to_owned() }
    }

    /// The same error, one field (`key`) or element (`[i]`) further out.
    fn within(mut self, segment: &str) -> WireError {
        let dot = if self.path.is_empty() || self.path.starts_with('[') { "" } else { "." };
        self.path = [segment, dot, &self.path].concat();
        self
    }

    /// What was wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What `Display` writes (`path: message`), built without a `Formatter`: `to_string` would be one more
    /// generic copy of `ToString` in every bundle.
    pub fn into_text(self) -> String {
        if self.path.is_empty() {
            self.message
        } else {
            [self.path.as_str(), ": ", &self.message].concat()
        }
    }
}

impl core::fmt::Display for WireError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if !self.path.is_empty() {
            f.write_str(&self.path)?;
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl core::error::Error for WireError {}

/// A type read from a JSON-shaped JS value.
pub trait FromJs: Sized {
    /// Reads `value`, or says where and why it has not the type's shape.
    fn from_js(value: &JsValue) -> Result<Self, WireError>;
}

/// `JSON.parse(text)` read as `T`.
pub fn parse<T: FromJs>(text: &str) -> Result<T, WireError> {
    let value = js_sys::JSON::parse(text).map_err(|e| WireError::new(&crate::js_error::thrown_text(&e)))?;
    T::from_js(&value)
}

/// `null` and `undefined`: what an absent or `None` field is.
pub fn absent(value: &JsValue) -> bool {
    value.is_null() || value.is_undefined()
}

/// A string value.
pub fn string(value: &JsValue) -> Result<String, WireError> {
    value.as_string().ok_or_else(|| WireError::new("expected a string"))
}

/// An integer JS represents exactly, within `min..=max`.
pub fn integer(value: &JsValue, min: i64, max: i64) -> Result<i64, WireError> {
    const SAFE: f64 = 9_007_199_254_740_991.0;
    match value.as_f64() {
        Some(n) if n.abs() <= SAFE && n == (n as i64) as f64 && n >= min as f64 && n <= max as f64 => Ok(n as i64),
        _ => Err(WireError::new("expected an integer in range")),
    }
}

/// A string that names one of an enum's values; `parse` is the enum's own (`ErrorCode::parse`, …).
pub fn code<T>(value: &JsValue, parse: fn(&str) -> Option<T>) -> Result<T, WireError> {
    let text = string(value)?;
    parse(&text).ok_or_else(|| WireError::new(&["unknown value `", &text, "`"].concat()))
}

/// The elements of an array, each read as `T`.
pub fn list<T: FromJs>(value: &JsValue) -> Result<Vec<T>, WireError> {
    let mut items = Vec::new();
    each(value, &mut |item| {
        items.push(T::from_js(item)?);
        Ok(())
    })?;
    Ok(items)
}

/// `read` on each item of an array, an item's error placed at its index: the loop of [`list`], not generic (one
/// copy in the wasm, whatever the items' type).
fn each(value: &JsValue, read: &mut dyn FnMut(&JsValue) -> Result<(), WireError>) -> Result<(), WireError> {
    if !Array::is_array(value) {
        return Err(WireError::new("expected an array"));
    }
    let array: &Array = value.unchecked_ref();
    for (i, item) in array.iter().enumerate() {
        read(&item).map_err(|e| e.within(&["[", &amazon_pay_contract::digits(i as u64), "]"].concat()))?;
    }
    Ok(())
}

/// A JSON object, read field by field; the accessors name the field in their errors.
pub struct Obj(JsValue);

impl Obj {
    /// `value` if it is an object (not an array, not `null`).
    pub fn new(value: &JsValue) -> Result<Obj, WireError> {
        if value.is_object() && !Array::is_array(value) {
            Ok(Obj(value.clone()))
        } else {
            Err(WireError::new("expected an object"))
        }
    }

    /// The raw value of `key` (`undefined` when missing).
    pub fn get(&self, key: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// The object's own keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = String> {
        Object::keys(self.0.unchecked_ref::<Object>()).into_iter().filter_map(|k| k.as_string())
    }

    /// `key` read with `read`, a missing field being an error.
    pub fn with<T>(&self, key: &str, read: impl FnOnce(&JsValue) -> Result<T, WireError>) -> Result<T, WireError> {
        let value = self.get(key);
        if value.is_undefined() {
            return Err(WireError::new("missing").within(key));
        }
        read(&value).map_err(|e| e.within(key))
    }

    /// `key` read with `read`, or `None` when it is missing or `null`.
    pub fn opt_with<T>(&self, key: &str, read: impl FnOnce(&JsValue) -> Result<T, WireError>) -> Result<Option<T>, WireError> {
        let value = self.get(key);
        if absent(&value) {
            return Ok(None);
        }
        read(&value).map(Some).map_err(|e| e.within(key))
    }

    /// `key` read as `T`; missing is an error.
    pub fn field<T: FromJs>(&self, key: &str) -> Result<T, WireError> {
        self.with(key, T::from_js)
    }

    /// `key` read as `T`, or `None` when missing or `null`.
    pub fn opt<T: FromJs>(&self, key: &str) -> Result<Option<T>, WireError> {
        self.opt_with(key, T::from_js)
    }

    /// `key` read as an array of `T`.
    pub fn list<T: FromJs>(&self, key: &str) -> Result<Vec<T>, WireError> {
        self.with(key, list)
    }

    /// `key` read as a string.
    pub fn string(&self, key: &str) -> Result<String, WireError> {
        self.with(key, string)
    }

    /// A string the server may leave out (`#[serde(default)]`): empty then.
    pub fn string_or_empty(&self, key: &str) -> Result<String, WireError> {
        self.opt_with(key, string).map(Option::unwrap_or_default)
    }

    /// `key` read as a string, or `None` when missing or `null`.
    pub fn opt_string(&self, key: &str) -> Result<Option<String>, WireError> {
        self.opt_with(key, string)
    }

    /// `key` read as `true` or `false`.
    pub fn bool(&self, key: &str) -> Result<bool, WireError> {
        self.with(key, |v| v.as_bool().ok_or_else(|| WireError::new("expected true or false")))
    }

    /// `key` read as an integer from 0 to `u32::MAX`.
    pub fn u32(&self, key: &str) -> Result<u32, WireError> {
        self.with(key, |v| integer(v, 0, u32::MAX.into()).map(|n| n as u32))
    }

    /// `key` read as an integer (a JS number: exact up to 2^53).
    pub fn i64(&self, key: &str) -> Result<i64, WireError> {
        self.with(key, |v| integer(v, i64::MIN, i64::MAX))
    }
}

/// A stand-in for a money field that could not be read ([`Fields::field`]): never shown.
pub(crate) const NO_MONEY: amazon_pay_contract::Money = amazon_pay_contract::Money { minor: 0, currency: amazon_pay_contract::Currency::Eur };

/// An object's fields read one after the other, the first error kept: a reader builds its value in one
/// expression with no early return per field. With `?` on every field each type's reader held, per field, the
/// drops of all the fields read before it (the review page's `CheckoutDetails` reader was 6 KB of wasm).
/// A field after a bad one is still read (a property lookup, no effect) and dropped; the error is the first.
pub struct Fields {
    obj: Obj,
    first_error: Option<WireError>,
}

impl Fields {
    /// The fields of `value`, if it is an object.
    pub fn new(value: &JsValue) -> Result<Fields, WireError> {
        Ok(Fields { obj: Obj::new(value)?, first_error: None })
    }

    /// The value of `key`: `None` when it is missing (an error if `required`) or, unless `required`, `null`.
    /// Not generic: one copy for every field of every type.
    #[inline(never)]
    fn value(&mut self, key: &str, required: bool) -> Option<JsValue> {
        let value = self.obj.get(key);
        if value.is_undefined() && required {
            self.fail(key, WireError::new("missing"));
        }
        (!absent(&value) || (required && !value.is_undefined())).then_some(value)
    }

    /// Keeps the first error, at `key`.
    #[inline(never)]
    fn fail(&mut self, key: &str, err: WireError) {
        if self.first_error.is_none() {
            self.first_error = Some(err.within(key));
        }
    }

    /// `key` read with `read`; `None` when it is absent or wrong (the error kept).
    fn read<T>(&mut self, key: &str, required: bool, read: fn(&JsValue) -> Result<T, WireError>) -> Option<T> {
        let value = self.value(key, required)?;
        match read(&value) {
            Ok(value) => Some(value),
            Err(err) => {
                self.fail(key, err);
                None
            }
        }
    }

    /// `key` as a string; missing is an error.
    pub fn string(&mut self, key: &str) -> String {
        self.read(key, true, string).unwrap_or_default()
    }

    /// A string the server may leave out (`#[serde(default)]`): empty then.
    pub fn string_or_empty(&mut self, key: &str) -> String {
        self.read(key, false, string).unwrap_or_default()
    }

    /// `key` as a string, or `None` when missing or `null`.
    pub fn opt_string(&mut self, key: &str) -> Option<String> {
        self.read(key, false, string)
    }

    /// `key` as `true` or `false`.
    pub fn bool(&mut self, key: &str) -> bool {
        self.read(key, true, |v| v.as_bool().ok_or_else(|| WireError::new("expected true or false"))).unwrap_or_default()
    }

    /// `key` as an integer from 0 to `u32::MAX`.
    pub fn u32(&mut self, key: &str) -> u32 {
        self.read(key, true, |v| integer(v, 0, u32::MAX.into()).map(|n| n as u32)).unwrap_or_default()
    }

    /// `key` as an integer (a JS number: exact up to 2^53).
    pub fn i64(&mut self, key: &str) -> i64 {
        self.read(key, true, |v| integer(v, i64::MIN, i64::MAX)).unwrap_or_default()
    }

    /// `key` as `T`; `stand_in` is any value of `T`, used only when there is an error to return.
    pub fn field<T: FromJs>(&mut self, key: &str, stand_in: T) -> T {
        self.read(key, true, T::from_js).unwrap_or(stand_in)
    }

    /// `key` as `T`, or `None` when missing or `null`.
    pub fn opt<T: FromJs>(&mut self, key: &str) -> Option<T> {
        self.read(key, false, T::from_js)
    }

    /// `key` as an array of `T`.
    pub fn list<T: FromJs>(&mut self, key: &str) -> Vec<T> {
        self.read(key, true, list).unwrap_or_default()
    }

    /// `key` as an array of `T`; empty when missing or `null` (a field an older server does not send).
    pub fn list_or_empty<T: FromJs>(&mut self, key: &str) -> Vec<T> {
        self.read(key, false, list).unwrap_or_default()
    }

    /// `value`, built from the fields, or the first field's error.
    pub fn done<T>(self, value: T) -> Result<T, WireError> {
        match self.first_error {
            Some(err) => Err(err),
            None => Ok(value),
        }
    }
}

impl FromJs for String {
    fn from_js(value: &JsValue) -> Result<Self, WireError> {
        string(value)
    }
}

#[cfg(test)]
mod tests {
    use super::WireError;

    /// `into_text` (what the client keeps as a `Decode` cause) is what `Display` writes, with and without a path.
    #[test]
    fn into_text_is_what_display_writes() {
        let bare = WireError::new("expected a string");
        assert_eq!(bare.to_string(), "expected a string");
        assert_eq!(bare.into_text(), "expected a string");
        let deep = WireError::new("expected an integer in range").within("minor").within("unit_price").within("[2]").within("items");
        assert_eq!(deep.to_string(), "items[2].unit_price.minor: expected an integer in range");
        assert_eq!(deep.into_text(), "items[2].unit_price.minor: expected an integer in range");
    }
}
