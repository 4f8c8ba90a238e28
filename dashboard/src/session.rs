//! The merchant API key of this tab: in sessionStorage only (gone when the tab closes, never shared with
//! other tabs, never in a URL or a cookie), and in a signal the pages read.

use leptos::prelude::*;

const STORAGE_KEY: &str = "amazon-pay-merchant-key";

/// Who is signed in, and why they were signed out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Session {
    key: RwSignal<Option<String>>,
    /// Said on the sign-in page after a sign-out the merchant did not ask for.
    pub(crate) notice: RwSignal<Option<String>>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

impl Session {
    /// The key this tab signed in with, if any.
    pub(crate) fn new() -> Self {
        let stored = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).filter(|k| !k.is_empty());
        Session { key: RwSignal::new(stored), notice: RwSignal::new(None) }
    }

    /// Whether a key is set (tracked).
    pub(crate) fn signed_in(&self) -> bool {
        self.key.with(Option::is_some)
    }

    /// The key, untracked (for requests).
    pub(crate) fn key(&self) -> Option<String> {
        self.key.get_untracked()
    }

    /// Keeps `key` for this tab.
    pub(crate) fn sign_in(&self, key: String) {
        if let Some(s) = storage() {
            // Without sessionStorage (a private mode that refuses it) the key lives until the page reloads.
            let _ = s.set_item(STORAGE_KEY, &key);
        }
        self.notice.set(None);
        self.key.set(Some(key));
    }

    /// Forgets the key; `why` is shown on the sign-in page.
    pub(crate) fn sign_out(&self, why: Option<String>) {
        if let Some(s) = storage() {
            let _ = s.remove_item(STORAGE_KEY);
        }
        self.notice.set(why);
        self.key.set(None);
    }
}
