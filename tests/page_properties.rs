//! The widget's address-bar parsing (`page::ReviewParams::parse`, `order_param`, `query_value`) over generated
//! hostile query strings: deterministic loops (fixed-seed PRNG, no extra crates) that run natively in every
//! `cargo test`; `fuzz/fuzz_targets/widget_query.rs` asserts the same for longer.
#![cfg(not(target_arch = "wasm32"))]

use amazon_pay_widget::page::{order_param, query_value, BadParam, ReviewParams};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn text(&mut self, max: usize) -> String {
        const PARTS: &[&str] = &[
            "?",
            "&",
            "=",
            "%",
            "%2",
            "%zz",
            "%41",
            "%C3%BC",
            "%FF",
            "%E2%82",
            "+",
            "workorderId",
            "workorderid",
            "order",
            "amazonCheckoutSessionId",
            "WO123",
            "O-1_2",
            "<script>",
            "..%2F",
            "ü",
            "€",
            "\u{202e}",
            " ",
            "#",
            "\0",
            "A",
        ];
        let len = self.below(max + 1);
        (0..len).map(|_| PARTS[self.below(PARTS.len())]).collect()
    }
}

fn is_id(value: &str) -> bool {
    (1..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `application/x-www-form-urlencoded`, as `URLSearchParams` writes it.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => char::from(b).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn review_parameters_never_panic_and_accept_only_ids() {
    let mut rng = Rng(0x5EED_1001);
    for i in 0..20_000 {
        let search = rng.text(12);
        let stored = (i % 3 == 0).then(|| rng.text(4));
        if let Ok(params) = ReviewParams::parse(&search, stored.clone()) {
            for id in [&params.workorder_id, &params.amazon_checkout_session_id, &params.order_id].into_iter().flatten() {
                assert!(is_id(id), "#{i}: {search:?} gave {id:?}");
            }
        }
        if let Ok(Some(order)) = order_param(&search) {
            assert!(is_id(&order), "#{i}: {search:?}");
        }
        let _ = query_value(&search, "workorderId");
    }
}

#[test]
fn query_values_decode_what_a_browser_encodes() {
    let mut rng = Rng(0x5EED_1002);
    for i in 0..5_000 {
        let pairs: Vec<(String, String)> = (0..1 + rng.below(4)).map(|_| (format!("k{}", rng.below(9)), rng.text(5))).collect();
        let search = format!("?{}", pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&"));
        for (k, _) in &pairs {
            let first = pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
            assert_eq!(query_value(&search, k).as_deref(), first, "#{i}: {search}");
        }
    }
}

#[test]
fn every_valid_id_is_accepted_and_every_invalid_one_refused() {
    let mut rng = Rng(0x5EED_1003);
    const ID: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for i in 0..5_000 {
        let valid: String = (0..1 + rng.below(64)).map(|_| char::from(ID[rng.below(ID.len())])).collect();
        let parsed = ReviewParams::parse(&format!("?workorderId={valid}&order={valid}"), None).unwrap();
        assert_eq!(parsed.workorder_id.as_deref(), Some(valid.as_str()), "#{i}");
        assert_eq!(order_param(&format!("order={valid}")), Ok(Some(valid.clone())));
        let invalid = format!("{valid}{}", ["<", "%20", "/", ".", "%00", "ü"][rng.below(6)]);
        assert_eq!(ReviewParams::parse(&format!("?workorderId={invalid}"), None), Err(BadParam { name: "workorderId" }), "#{i}: {invalid}");
    }
    let too_long = "A".repeat(65);
    assert_eq!(order_param(&format!("?order={too_long}")), Err(BadParam { name: "order" }));
}
