/* Sandbox stand-in for Amazon Pay's checkout.js (EU build). Same globals and API surface as Amazon's;
 * errors are thrown as strings prefixed "AmazonPay:\n", exactly as the real script does.
 * Served only by `amazon-pay-server --sandbox`. */
(function () {
  "use strict";
  var PREFIX = "AmazonPay:\n";
  var SCRIPT = document.currentScript;
  var BASE = SCRIPT ? new URL(SCRIPT.src, location.href).origin : location.origin;
  var LEDGERS = ["EUR", "GBP"];
  var LANGUAGES = ["en_GB", "de_DE", "fr_FR", "it_IT", "es_ES"];
  var PRODUCT_TYPES = ["PayAndShip", "PayOnly", "SignIn", "Donation", "PayAndShipMultiAddress"];
  var PLACEMENTS = ["Home", "Product", "Cart", "Checkout", "Other"];
  var CHANGE_ACTIONS = ["changeAddress", "changePayment"];

  function fail(messages) {
    throw PREFIX + [].concat(messages).join("\n");
  }
  function enumError(name, value, allowed) {
    return "Invalid value '" + value + "' for '" + name + "', please use one of the available values: " + allowed.join(", ") + ".";
  }

  function validate(options) {
    var errors = [];
    ["merchantId", "ledgerCurrency", "placement"].forEach(function (key) {
      if (options[key] === undefined || options[key] === null || options[key] === "") {
        errors.push("Missing parameter '" + key + "' in the options object.");
      }
    });
    if (options.ledgerCurrency && LEDGERS.indexOf(options.ledgerCurrency) < 0) errors.push(enumError("ledgerCurrency", options.ledgerCurrency, LEDGERS));
    if (options.checkoutLanguage !== undefined && LANGUAGES.indexOf(options.checkoutLanguage) < 0) errors.push(enumError("checkoutLanguage", options.checkoutLanguage, LANGUAGES));
    if (options.productType !== undefined && PRODUCT_TYPES.indexOf(options.productType) < 0) errors.push(enumError("productType", options.productType, PRODUCT_TYPES));
    if (options.placement && PLACEMENTS.indexOf(options.placement) < 0) errors.push(enumError("placement", options.placement, PLACEMENTS));
    if (options.sandbox !== undefined && options.sandbox !== true && options.sandbox !== false) errors.push(enumError("sandbox", options.sandbox, ["true", "false"]));
    if (options.publicKeyId === "") errors.push("Invalid value '' for 'publicKeyId', please check again.");
    if (errors.length) fail(errors);
  }

  function checkSessionConfig(config, name) {
    ["payloadJSON", "signature", "publicKeyId"].forEach(function (field) {
      if (!config || !config[field]) fail("Missing field " + field + " for " + name + " parameter.");
    });
  }

  function setCookies(options) {
    var lang = options.checkoutLanguage || "en_GB";
    document.cookie = "language=" + lang + ";path=/;max-age=86400";
    document.cookie = "ledgerCurrency=" + options.ledgerCurrency + ";path=/;max-age=86400";
  }

  /* What a click does: POST the signed payload to the (fake) Amazon hosted checkout. */
  function startCheckout(options) {
    var config = options.createCheckoutSessionConfig;
    checkSessionConfig(config, "createCheckoutSessionConfig");
    var form = document.createElement("form");
    form.method = "POST";
    form.name = "amazonpay-checkout-signature-data-form";
    form.action = BASE + "/sandbox/amazon/checkout/initiate";
    form.style.display = "none";
    var fields = {
      payloadJSON: config.payloadJSON,
      signature: config.signature,
      publicKeyId: config.publicKeyId || options.publicKeyId,
      algorithm: config.algorithm || "AMZN-PAY-RSASSA-PSS",
      checkoutLanguage: options.checkoutLanguage || "en_GB",
      ledgerCurrency: options.ledgerCurrency,
      merchantId: options.merchantId,
      productType: options.productType || "PayAndShip",
      environment: options.sandbox === false ? "LIVE" : "SANDBOX",
      origin_url: location.href,
      viewType: "redirectView"
    };
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name] == null ? "" : String(fields[name]);
      form.appendChild(input);
    });
    document.body.appendChild(form);
    window.__amazonPaySandbox.lastCheckout = fields;
    form.submit();
  }

  function renderButton(selector, options) {
    if (!selector) fail("Missing 'selector' parameter in amazon.Pay.renderButton(selector, options) API.");
    if (!options) fail("Missing 'options' parameter in amazon.Pay.renderButton(selector, options) API.");
    var container = document.querySelector(selector);
    if (!container) fail("Can not find element " + selector + " for amazon.Pay.renderButton.");
    validate(options);
    setCookies(options);
    var color = { LightGray: "gray", DarkGray: "ink" }[options.buttonColor] || "gold";
    container.setAttribute("role", "button");
    container.setAttribute("tabindex", "0");
    container.setAttribute("aria-label", "Amazon Pay - Use your Amazon Pay Sandbox test account");
    container.setAttribute("title", "Pay using the information already stored in your Amazon account");
    container.classList.add("amazonpay-button-parent-container-checkout-" + options.merchantId);
    container.style.position = "relative";
    var root = container.shadowRoot || container.attachShadow({ mode: "open" });
    root.innerHTML = "";
    var style = document.createElement("style");
    style.textContent = ":host{display:block;width:300px;max-width:100%}.amazonpay-button-container{min-width:200px;max-width:600px;height:45px;display:flex;cursor:pointer;font:700 17px sans-serif}" +
      ".amazonpay-button-view1{flex:1;display:flex;align-items:center;justify-content:center;border-radius:4px;letter-spacing:.02em}" +
      ".amazonpay-button-view1-gold{background:#ffd814;color:#0f1111}.amazonpay-button-view1-gray{background:#e7e9ec;color:#0f1111}.amazonpay-button-view1-ink{background:#232f3e;color:#fff}";
    var outer = document.createElement("div");
    outer.className = "amazonpay-button-container amazonpay-button-enabled";
    var view = document.createElement("div");
    view.className = "amazonpay-button-view1 amazonpay-button-view1-" + color;
    view.textContent = "amazon pay";
    outer.appendChild(view);
    root.appendChild(style);
    root.appendChild(outer);

    var button = { onClickHandler: null, options: options };
    function click() {
      if (button.onClickHandler) return button.onClickHandler();
      startCheckout(button.options);
    }
    container.addEventListener("click", click);
    container.addEventListener("keyup", function (e) { if (e.key === "Enter" || e.key === " ") click(); });
    window.__amazonPaySandbox.buttons.push({ selector: selector, options: options });

    if (!options.createCheckoutSessionConfig && !options.createCheckoutSession && !options.signInConfig) {
      return {
        onClick: function (cb) { button.onClickHandler = cb; },
        initCheckout: function (cfg) {
          button.options = Object.assign({}, button.options, cfg || {});
          startCheckout(button.options);
        },
        updateButtonInfo: function (amount) { button.options.estimatedOrderAmount = amount; }
      };
    }
    if (options.productType === "SignIn") return undefined;
    return { updateButtonInfo: function (amount) { button.options.estimatedOrderAmount = amount; } };
  }

  function bindChangeAction(selector, options) {
    if (!options || !options.amazonCheckoutSessionId) fail("Missing field amazonCheckoutSessionId in the options object in amazon.Pay.bindChangeAction API.");
    if (CHANGE_ACTIONS.indexOf(options.changeAction) < 0) fail(enumError("changeAction", options.changeAction, CHANGE_ACTIONS));
    var element = document.querySelector(selector);
    if (!element) fail("Can not find element " + selector + " for amazon.Pay.bindChangeAction.");
    element.addEventListener("click", function () {
      location.href = BASE + "/sandbox/amazon/checkout/initiate_auth?amazonCheckoutSessionId=" +
        encodeURIComponent(options.amazonCheckoutSessionId) + "&changeAction=" + options.changeAction + "&viewType=redirectView";
    });
    window.__amazonPaySandbox.changeActions.push({ selector: selector, options: options });
  }

  function initCheckout(options) {
    if (!options || typeof options !== "object") fail("Missing options parameter for amazon.Pay.initCheckout");
    validate(options);
    setCookies(options);
    startCheckout(options);
  }

  function signout(cb) {
    document.cookie = "language=;path=/;max-age=0";
    document.cookie = "ledgerCurrency=;path=/;max-age=0";
    console.log(PREFIX + "amazon.Pay.signout() completed successfully.");
    if (typeof cb === "function") cb();
  }

  window.__amazonPaySandbox = window.__amazonPaySandbox || { buttons: [], changeActions: [], lastCheckout: null };
  window.amazon = window.amazon || {};
  window.amazon.Pay = window.amazon.Pay || {};
  var api = { renderButton: renderButton, bindChangeAction: bindChangeAction, initCheckout: initCheckout, signout: signout };
  Object.keys(api).forEach(function (name) {
    if (!window.amazon.Pay[name]) window.amazon.Pay[name] = api[name];
  });
})();
