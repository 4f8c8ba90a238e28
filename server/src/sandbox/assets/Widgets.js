/* Sandbox stand-in for Amazon Pay's legacy Widgets.js (CV1): OffAmazonPayments and amazon.Login.
 * The full surface is being built under issue 3; this file already defines the globals so pages load. */
(function () {
  "use strict";
  window.amazon = window.amazon || {};
  window.amazon.Login = window.amazon.Login || {
    setClientId: function (id) { window.amazon.Login._clientId = id; },
    setSandboxMode: function () {},
    setUseCookie: function () {},
    logout: function () {}
  };
  window.OffAmazonPayments = window.OffAmazonPayments || { Widgets: {} };
  if (typeof window.onAmazonLoginReady === "function") window.onAmazonLoginReady();
  if (typeof window.onAmazonPaymentsReady === "function") window.onAmazonPaymentsReady();
})();
