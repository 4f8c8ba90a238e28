//! The TypeScript types of the embed API (npm/types.d.ts, shipped in the npm package) say what the Rust types
//! say: each view's configuration keys (`View::keys`), each `amazonpay:*` event's detail (`WidgetEvent`, as
//! serde writes it) and the languages. The .d.ts is read by TypeScript's checker (scripts/dts-facts.mjs, with
//! node_modules/typescript: scripts/setup installs both); a mismatch fails here with both sides printed.
#![cfg(not(target_arch = "wasm32"))]

use amazon_pay_widget::contract::Language;
use amazon_pay_widget::embed::events::WidgetEvent;
use amazon_pay_widget::embed::View;
use serde_json::{json, Map, Value};
use std::path::Path;
use std::process::Command;

/// What the Rust types say, in the shape scripts/dts-facts.mjs prints.
fn rust_facts() -> Value {
    let views: Map<String, Value> = View::ALL
        .into_iter()
        .map(|view| {
            let mut keys = view.keys();
            keys.sort_unstable();
            (view.as_str().to_owned(), json!(keys))
        })
        .collect();
    // One of each kind (`WidgetEvent::samples`, whose own test keeps it complete).
    let events: Map<String, Value> = WidgetEvent::samples()
        .into_iter()
        .map(|event| {
            let Ok(Value::Object(mut detail)) = serde_json::to_value(&event) else { panic!("{} is not an object", event.name()) };
            let kind = detail.remove("kind").unwrap_or(Value::Null);
            let mut fields: Vec<String> = detail.keys().cloned().collect();
            fields.sort();
            (event.name().to_owned(), json!({ "kind": kind, "fields": fields }))
        })
        .collect();
    let mut languages: Vec<&str> = Language::ALL.into_iter().map(Language::code).collect();
    languages.sort_unstable();
    json!({ "views": views, "events": events, "languages": languages })
}

/// What npm/types.d.ts declares.
fn typescript_facts() -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("node")
        .current_dir(root)
        .args(["scripts/dts-facts.mjs", "npm/types.d.ts"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run node (scripts/setup installs it and node_modules/typescript): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "scripts/dts-facts.mjs failed:\n{}{}", stdout, String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("scripts/dts-facts.mjs printed no JSON ({e}):\n{stdout}"))
}

/// The entries of `part` on which the two sides differ, each with both values (all of it when not a map).
fn differences(part: &str, rust: &Value, typescript: &Value) -> Vec<String> {
    let (Some(r), Some(t)) = (rust.as_object(), typescript.as_object()) else {
        return if rust == typescript { vec![] } else { vec![format!("{part}: Rust {rust}, TypeScript {typescript}")] };
    };
    let mut names: Vec<&String> = r.keys().chain(t.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| r.get(*name) != t.get(*name))
        .map(|name| format!("{part}.{name}: Rust {}, TypeScript {}", r.get(name).unwrap_or(&Value::Null), t.get(name).unwrap_or(&Value::Null)))
        .collect()
}

#[test]
fn the_typescript_types_match_the_rust_types() {
    let (rust, typescript) = (rust_facts(), typescript_facts());
    let differences: Vec<String> =
        ["views", "events", "languages"].into_iter().flat_map(|part| differences(part, &rust[part], &typescript[part])).collect();
    assert!(differences.is_empty(), "npm/types.d.ts disagrees with the Rust types:\n{}", differences.join("\n"));
}
