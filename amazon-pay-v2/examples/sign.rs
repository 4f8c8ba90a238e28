//! Signs stdin as Amazon Pay signs a button payload: prints the base64 RSA-PSS signature over
//! `ALGORITHM + "\n" + hex(sha256(stdin))`. Used by tests/sdk/amazon_sdk.test.mjs, where Node's `crypto.verify`
//! checks what this crate signs.
//!
//! `cargo run -p amazon-pay-v2 --example sign -- KEY.pem [AMZN-PAY-RSASSA-PSS-V2|AMZN-PAY-RSASSA-PSS] < payload`

use std::io::Read as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), algorithm) = (args.next(), args.next()) else {
        eprintln!("usage: sign KEY.pem [ALGORITHM] < payload");
        return ExitCode::from(2);
    };
    let algorithm = match algorithm.as_deref().map(amazon_pay_v2::Algorithm::from_name) {
        None => amazon_pay_v2::Algorithm::V2,
        Some(Some(a)) => a,
        Some(None) => {
            eprintln!("unknown algorithm (AMZN-PAY-RSASSA-PSS-V2 or AMZN-PAY-RSASSA-PSS)");
            return ExitCode::from(2);
        }
    };
    let key = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|pem| amazon_pay_v2::PrivateKey::from_pem(&pem).map_err(|e| e.to_string()))
    {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut payload = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut payload) {
        eprintln!("stdin: {e}");
        return ExitCode::from(1);
    }
    println!("{}", amazon_pay_v2::signing::sign(&key, algorithm, &payload));
    ExitCode::SUCCESS
}
