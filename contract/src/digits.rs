//! Whole numbers as text without `core::fmt`: its formatting machinery (`write!`, `Formatter::pad`, the
//! integers' `Display`) is kilobytes of the widget's wasm, which shows numbers only here and in money.

use crate::prelude::*;

/// `n` in decimal digits: `1999` becomes `"1999"`.
pub fn digits(n: u64) -> String {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut rest = n;
    loop {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    buf[at..].iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::digits;

    #[test]
    fn digits_read_as_the_standard_formatting() {
        for n in [0, 1, 9, 10, 99, 100, 1999, 4_294_967_295, 10_000_000_000, u64::MAX] {
            assert_eq!(digits(n), n.to_string());
        }
    }
}
