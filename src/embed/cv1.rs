//! The legacy Checkout v1 views of [`super::mount`]: `lander`, `upsell` and `cv1`, and their configuration keys.

use super::{ConfigError, WidgetConfig};
use crate::client::Client;
use crate::prelude::*;
use crate::views::cv1::payone::{DEFAULT_CART_URL, DEFAULT_CONFIRMATION_URL};
use crate::views::cv1::{ButtonStyle, Cv1Options, LanderOptions, UpsellOptions};
use core::time::Duration;

/// A link the widget navigates to: a path on this site or an http(s) URL, never `javascript:` and the like.
fn page_url(name: &str, value: &str) -> Result<String, ConfigError> {
    let ok = (value.starts_with('/') && !value.starts_with("//")) || value.starts_with("https://") || value.starts_with("http://");
    if ok && !value.chars().any(char::is_whitespace) {
        Ok(value.to_owned())
    } else {
        Err(ConfigError::Invalid([name, " must be a path such as /upsell.html or an http(s) URL, not \"", value, "\""].concat()))
    }
}

/// `value` if it is one of `allowed` (`listed` is the same list, written out for the error), else `default`
/// when there is none.
fn one_of(name: &str, value: Option<&String>, allowed: &[&'static str], listed: &str, default: &'static str) -> Result<&'static str, ConfigError> {
    let Some(v) = value else { return Ok(default) };
    allowed.iter().find(|a| **a == v.as_str()).copied().ok_or_else(|| ConfigError::Invalid([name, " \"", v, "\" is not one of ", listed].concat()))
}

impl WidgetConfig {
    fn timeout(&self) -> Duration {
        self.script_timeout_ms.map(|ms| Duration::from_millis(ms.into())).unwrap_or(crate::interop::script_loader::DEFAULT_TIMEOUT)
    }

    /// Amazon's button as the keys `buttonType`, `buttonColor`, `buttonSize` and `popup` say.
    pub fn button_style(&self) -> Result<ButtonStyle, ConfigError> {
        let defaults = ButtonStyle::default();
        Ok(ButtonStyle {
            button_type: one_of(
                "buttonType",
                self.button_type.as_ref(),
                &["PwA", "Pay", "A", "LwA", "Login"],
                "PwA, Pay, A, LwA, Login",
                defaults.button_type,
            )?,
            color: one_of(
                "buttonColor",
                self.button_color.as_ref(),
                &["Gold", "LightGray", "DarkGray"],
                "Gold, LightGray, DarkGray",
                defaults.color,
            )?,
            size: one_of(
                "buttonSize",
                self.button_size.as_ref(),
                &["small", "medium", "large", "x-large"],
                "small, medium, large, x-large",
                defaults.size,
            )?,
            popup: self.popup.unwrap_or(defaults.popup),
        })
    }

    /// The CheckoutChamp lander's options; refused without `products`.
    pub fn lander_options(&self) -> Result<LanderOptions, ConfigError> {
        if self.products.is_empty() {
            return Err(ConfigError::Invalid("the lander needs products: [{\"productId\": …, \"quantity\": …}]".into()));
        }
        Ok(LanderOptions {
            client: Client::new(self.backend_url.clone()),
            language: self.language()?,
            products: self.products.clone(),
            recurring: self.recurring,
            upsell_url: self.upsell_url.as_deref().map(|u| page_url("upsellUrl", u)).transpose()?,
            button: self.button_style()?,
            script_timeout: self.timeout(),
        })
    }

    /// The CheckoutChamp upsell page's options; refused without `product`.
    pub fn upsell_options(&self) -> Result<UpsellOptions, ConfigError> {
        let product = self.product.ok_or_else(|| ConfigError::Invalid("the upsell page needs product: {\"productId\": …}".into()))?;
        Ok(UpsellOptions {
            client: Client::new(self.backend_url.clone()),
            language: self.language()?,
            product,
            thank_you_url: page_url("thankYouUrl", self.thank_you_url.as_deref().unwrap_or("/"))?,
            button: self.button_style()?,
            script_timeout: self.timeout(),
        })
    }

    /// The PAYONE CV1 checkout's options from this configuration.
    pub fn cv1_options(&self) -> Result<Cv1Options, ConfigError> {
        Ok(Cv1Options {
            client: Client::new(self.backend_url.clone()),
            language: self.language()?,
            items: self.items.clone(),
            cart_url: page_url("cartUrl", self.cart_url.as_deref().unwrap_or(DEFAULT_CART_URL))?,
            confirmation_url: page_url("confirmationUrl", self.confirmation_url.as_deref().unwrap_or(DEFAULT_CONFIRMATION_URL))?,
            button: self.button_style()?,
            script_timeout: self.timeout(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_must_stay_http() {
        assert!(page_url("upsellUrl", "/upsell.html").is_ok());
        assert!(page_url("upsellUrl", "https://funnel.example/upsell").is_ok());
        for bad in ["javascript:alert(1)", "//evil.example", "upsell.html", "/a b"] {
            assert!(page_url("upsellUrl", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn button_values_are_checked() {
        let config = WidgetConfig { button_size: Some("huge".into()), ..Default::default() };
        assert!(config.button_style().is_err());
        let config = WidgetConfig { button_type: Some("LwA".into()), popup: Some(false), ..Default::default() };
        let style = config.button_style().unwrap();
        assert_eq!((style.button_type, style.popup, style.size), ("LwA", false, "medium"));
    }
}
