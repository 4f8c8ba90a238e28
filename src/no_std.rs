//! The page bundles build the crate without `std` (its feature `std` off): `no_std` + `alloc`.
//!
//! Why: with `std`, a panic's message is formatted by `std`'s panic machinery, although `panic = "abort"` and
//! wasm32-unknown-unknown's empty stderr show it nowhere; that keeps `core::fmt` and every panic message and
//! source path in the wasm, 1.8-3.0 KB gzip per page (BENCHMARKS.md). Without `std` the crate's panic handler
//! traps at once, as the abort did, and none of that is linked. What buyers see does not change.
//!
//! The Leptos components (feature `leptos` turns `std` on), the native tests and the server keep `std`; every
//! module imports [`prelude`], so the code reads the same both ways.

/// What `std`'s prelude has and `core`'s has not.
#[allow(unused_imports)] // each module imports all of it and uses some
pub(crate) mod prelude {
    pub(crate) use alloc::{borrow::ToOwned, boxed::Box, format, string::String, string::ToString, vec, vec::Vec};
}

// A `static` shared between threads must be `Sync`; `Local` claims it, which holds only where there is one thread.
#[cfg(all(not(feature = "std"), not(test), any(not(target_family = "wasm"), target_feature = "atomics")))]
compile_error!("amazon-pay-widget without its `std` feature builds only for single-threaded wasm (the page bundles): enable `std`");

/// `thread_local!` without `std`: a plain `static` of a [`Local`].
#[cfg(not(any(feature = "std", test)))]
macro_rules! thread_local {
    ($($(#[$attr:meta])* static $name:ident: $t:ty = const { $init:expr };)*) => {
        $($(#[$attr])* static $name: $crate::no_std::Local<$t> = $crate::no_std::Local($init);)*
    };
}

/// A static's value for the one thread of a wasm module without atomics (the only target built without `std`).
#[cfg(not(any(feature = "std", test)))]
pub(crate) struct Local<T>(pub(crate) T);

// SAFETY: wasm32 without atomics has one thread (the `compile_error!` above refuses any other target), so nothing
// is ever shared between threads.
#[cfg(not(any(feature = "std", test)))]
unsafe impl<T> Sync for Local<T> {}

#[cfg(not(any(feature = "std", test)))]
impl<T> Local<T> {
    /// Like `LocalKey::with`.
    pub(crate) fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

/// A panic traps at once, its message never formatted. In this crate, not in `bundles/bundle.rs`: Cargo builds
/// the crate's own `cdylib` (the all-views bundle) too, which needs a handler as well.
#[cfg(all(target_family = "wasm", not(any(feature = "std", test))))]
#[panic_handler]
fn trap(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
