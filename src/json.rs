//! Reads parsed JSON (a `JSON.parse` result or a page's config object) into Rust types with serde.
//!
//! Not `serde_wasm_bindgen::from_value`: its errors format serde's `Unexpected` and `Expected` (floats, type
//! names, "expected one of …"), which pulls float formatting and every visitor's description into the wasm, about
//! 8 KB gzip of the 64 KB budget. Errors here name the field or variant when there is one, and stop there.

use js_sys::{Array, Object, Reflect};
use serde::de::value::StringDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// Why a value does not fit the type: short on purpose (see the module's doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError(String);

impl DeError {
    fn new(parts: &[&str]) -> Self {
        DeError(parts.concat())
    }
}

impl std::fmt::Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    // Never formats `msg`: that is what keeps the formatting machinery out of the wasm.
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        DeError::new(&["invalid value"])
    }
    fn invalid_type(_unexp: de::Unexpected, _exp: &dyn de::Expected) -> Self {
        DeError::new(&["invalid type"])
    }
    fn invalid_value(_unexp: de::Unexpected, _exp: &dyn de::Expected) -> Self {
        DeError::new(&["invalid value"])
    }
    fn invalid_length(_len: usize, _exp: &dyn de::Expected) -> Self {
        DeError::new(&["invalid length"])
    }
    fn unknown_variant(variant: &str, _expected: &'static [&'static str]) -> Self {
        DeError::new(&["unknown variant `", variant, "`"])
    }
    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        DeError::new(&["unknown field `", field, "`"])
    }
    fn missing_field(field: &'static str) -> Self {
        DeError::new(&["missing field `", field, "`"])
    }
    fn duplicate_field(field: &'static str) -> Self {
        DeError::new(&["duplicate field `", field, "`"])
    }
}

/// `T` from a JS value shaped like JSON (objects, arrays, strings, numbers, booleans, null).
pub fn from_value<T: DeserializeOwned>(value: JsValue) -> Result<T, DeError> {
    T::deserialize(JsDeserializer(value))
}

/// Integers JS represents exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

struct JsDeserializer(JsValue);

fn absent(value: &JsValue) -> bool {
    value.is_null() || value.is_undefined()
}

impl<'de> de::Deserializer<'de> for JsDeserializer {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let value = self.0;
        if absent(&value) {
            visitor.visit_unit()
        } else if let Some(b) = value.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = value.as_f64() {
            if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
                if n >= 0.0 {
                    visitor.visit_u64(n as u64)
                } else {
                    visitor.visit_i64(n as i64)
                }
            } else {
                visitor.visit_f64(n)
            }
        } else if let Some(s) = value.as_string() {
            visitor.visit_string(s)
        } else if Array::is_array(&value) {
            visitor.visit_seq(Seq { items: value.unchecked_into(), next: 0 })
        } else if value.is_object() {
            let keys = Object::keys(value.unchecked_ref::<Object>());
            visitor.visit_map(Map { object: value, keys, next: 0, value: JsValue::UNDEFINED })
        } else {
            Err(DeError::new(&["unsupported value"]))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if absent(&self.0) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    /// `"Variant"` (unit variants) or `{"Variant": value}`, as serde_json writes enums.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if let Some(name) = self.0.as_string() {
            return visitor.visit_enum(IntoDeserializer::<DeError>::into_deserializer(name));
        }
        if self.0.is_object() && !Array::is_array(&self.0) {
            let keys = Object::keys(self.0.unchecked_ref::<Object>());
            if keys.length() == 1 {
                let key = keys.get(0);
                let value = Reflect::get(&self.0, &key).unwrap_or(JsValue::UNDEFINED);
                return visitor.visit_enum(Enum { variant: key.as_string().unwrap_or_default(), value });
            }
        }
        Err(DeError::new(&["invalid enum"]))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq
        tuple tuple_struct map struct identifier
    }
}

struct Seq {
    items: Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(JsDeserializer(item)).map(Some)
    }
}

struct Map {
    object: JsValue,
    keys: Array,
    next: u32,
    value: JsValue,
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        if self.next >= self.keys.length() {
            return Ok(None);
        }
        let key = self.keys.get(self.next);
        self.next += 1;
        self.value = Reflect::get(&self.object, &key).unwrap_or(JsValue::UNDEFINED);
        let name: StringDeserializer<DeError> = key.as_string().unwrap_or_default().into_deserializer();
        seed.deserialize(name).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        seed.deserialize(JsDeserializer(std::mem::replace(&mut self.value, JsValue::UNDEFINED)))
    }
}

struct Enum {
    variant: String,
    value: JsValue,
}

impl<'de> de::EnumAccess<'de> for Enum {
    type Error = DeError;
    type Variant = JsDeserializer;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, JsDeserializer), DeError> {
        let name: StringDeserializer<DeError> = self.variant.into_deserializer();
        Ok((seed.deserialize(name)?, JsDeserializer(self.value)))
    }
}

impl<'de> de::VariantAccess<'de> for JsDeserializer {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
