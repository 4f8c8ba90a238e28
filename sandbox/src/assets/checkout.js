/* Sandbox stand-in for Amazon Pay's checkout.js (EU build). Same globals and API surface as Amazon's;
 * errors are thrown as strings prefixed "AmazonPay:\n", exactly as the real script does, and the validation
 * order and texts follow it (reference amazonpay-js.md §A). A click POSTs the signed payload to the sandbox's
 * hosted checkout instead of payments.amazon.de. Served only by `amazon-pay-server --sandbox`.
 *
 * Test recorder: window.__amazonPaySandbox.{buttons, changeActions, lastCheckout, signatureCheck} (what was rendered,
 * bound, posted, and the button signature's verdict: pending|valid|invalid|unchecked). Nothing from the options is
 * ever inserted as markup. */
(function () {
  "use strict";
  var PREFIX = "AmazonPay:\n";
  var SCRIPT = document.currentScript;
  /* `<server>/sandbox`: derived from this script's own URL, so a path prefix in front of /sandbox survives. */
  var ROOT = (function () {
    var src = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).href : "";
    var root = src.replace(/\/amazon\/checkout\.js(?:[?#].*)?$/, "");
    return root && root !== src ? root : location.origin + "/sandbox";
  })();
  var LEDGERS = ["EUR", "GBP"];
  var LANGUAGES = ["en_GB", "de_DE", "fr_FR", "it_IT", "es_ES"];
  var PRODUCT_TYPES = ["PayAndShip", "PayOnly", "SignIn", "Donation", "PayAndShipMultiAddress"];
  var PLACEMENTS = ["Home", "Product", "Cart", "Checkout", "Other"];
  var CHANGE_ACTIONS = ["changeAddress", "changePayment"];
  var PRESENTMENT = ["EUR", "GBP", "AUD", "DKK", "HKD", "JPY", "NZD", "NOK", "ZAR", "SEK", "CHF", "USD"];
  /* navigator.languages entries the EU build recognises, in its order. */
  var BROWSER_LANGUAGES = { de: "de_DE", fr: "fr_FR", it: "it_IT", es: "es_ES", "en-gb": "en_GB", "fr-fr": "fr_FR", "it-it": "it_IT", "es-es": "es_ES", "de-de": "de_DE" };
  /* The button's accessible name and title; en and de are Amazon's texts, fr/it/es the sandbox's own. */
  var LABELS = {
    en_GB: ["Amazon Pay - Use your Amazon account", "Amazon Pay - Use your Amazon Pay Sandbox test account", "Pay using the information already stored in your Amazon account"],
    de_DE: ["Amazon Pay - Verwenden Sie Ihr Amazon-Konto", "Amazon Pay - Verwenden Sie Ihr Amazon Pay-Sandbox-Testkonto", "Bezahlen Sie mit den Informationen, die bereits in Ihrem Amazon-Konto gespeichert sind"],
    fr_FR: ["Amazon Pay - Utilisez votre compte Amazon", "Amazon Pay - Utilisez votre compte de test Amazon Pay Sandbox", "Payez avec les informations déjà enregistrées dans votre compte Amazon"],
    it_IT: ["Amazon Pay - Usa il tuo account Amazon", "Amazon Pay - Usa il tuo account di prova Amazon Pay Sandbox", "Paga con le informazioni già salvate nel tuo account Amazon"],
    es_ES: ["Amazon Pay - Usa tu cuenta de Amazon", "Amazon Pay - Usa tu cuenta de prueba de Amazon Pay Sandbox", "Paga con la información ya guardada en tu cuenta de Amazon"]
  };

  var recorder = window.__amazonPaySandbox = window.__amazonPaySandbox || {};
  recorder.buttons = recorder.buttons || [];
  recorder.changeActions = recorder.changeActions || [];
  if (recorder.lastCheckout === undefined) recorder.lastCheckout = null;

  function fail(messages) {
    throw PREFIX + [].concat(messages).join("\n");
  }
  function enumError(name, value, allowed) {
    return "Invalid value '" + value + "' for '" + name + "', please use one of the available values: " + allowed.join(", ") + ".";
  }
  function absent(value) {
    return value === undefined || value === null || value === "";
  }
  function configOf(value) {
    return value && typeof value === "object" ? value : {};
  }
  function startsWith(value, prefix) {
    return typeof value === "string" && value.indexOf(prefix) === 0;
  }

  /* Throws what renderButton/initCheckout throw for bad options (§A.4), all enum problems at once. */
  function validate(options) {
    var errors = [];
    ["merchantId", "ledgerCurrency", "placement"].forEach(function (key) {
      if (absent(options[key])) errors.push("Missing parameter '" + key + "' in the options object.");
    });
    if (!absent(options.checkoutLanguage) && LANGUAGES.indexOf(options.checkoutLanguage) < 0) errors.push(enumError("checkoutLanguage", options.checkoutLanguage, LANGUAGES));
    if (!absent(options.ledgerCurrency) && LEDGERS.indexOf(options.ledgerCurrency) < 0) errors.push(enumError("ledgerCurrency", options.ledgerCurrency, LEDGERS));
    if (!absent(options.productType) && PRODUCT_TYPES.indexOf(options.productType) < 0) errors.push(enumError("productType", options.productType, PRODUCT_TYPES));
    if (!absent(options.placement) && PLACEMENTS.indexOf(options.placement) < 0) errors.push(enumError("placement", options.placement, PLACEMENTS));
    if (options.sandbox !== undefined && options.sandbox !== null && options.sandbox !== true && options.sandbox !== false) errors.push(enumError("sandbox", options.sandbox, ["true", "false"]));
    if (options.publicKeyId === "") errors.push("Invalid value '' for 'publicKeyId', please check again.");
    if (errors.length) fail(errors);
    if (options.productType === "SignIn" && !options.signInConfig) fail("Invalid button definition, productType SignIn and configName do not match.");
  }

  /* §A.1: `sandbox` from the option, else from a SANDBOX- key; an explicit value must match the key's prefix. */
  function resolveSandbox(options) {
    var top = options.publicKeyId;
    if (options.sandbox === undefined || options.sandbox === null) {
      return [top, configOf(options.createCheckoutSessionConfig).publicKeyId, configOf(options.signInConfig).publicKeyId].some(function (k) { return startsWith(k, "SANDBOX-"); });
    }
    if ((startsWith(top, "SANDBOX-") && options.sandbox === false) || (startsWith(top, "LIVE-") && options.sandbox === true)) {
      fail("PublicKeyId '" + top + "' does not match 'sandbox: " + options.sandbox + "'. Please check again. ");
    }
    return options.sandbox;
  }

  function defaultLanguage() {
    var list = navigator.languages || [navigator.language || ""];
    for (var i = 0; i < list.length; i++) {
      var hit = BROWSER_LANGUAGES[String(list[i]).toLowerCase()];
      if (hit) return hit;
    }
    return "en_GB";
  }

  /* §A.4: a bad estimatedOrderAmount is logged with console.error and dropped, never thrown. */
  function checkAmount(value, sandbox) {
    if (value === undefined || value === null) return undefined;
    var amount = value;
    if (typeof value === "string") {
      try { amount = JSON.parse(value); } catch (e) { amount = null; }
    }
    if (!amount || typeof amount !== "object") {
      console.error("Estimated Order Amount in the payload is not in correct Json format.");
      return undefined;
    }
    var text = String(amount.amount);
    if (!/^\d+(\.\d+)?$/.test(text) || !(Number(text) > 0)) {
      console.error("Invalid value '" + amount.amount + "' for 'amount', please check again as only positive numbers are allowed.");
      return undefined;
    }
    if (PRESENTMENT.indexOf(amount.currencyCode) < 0) {
      console.error("Invalid value '" + amount.currencyCode + "' for 'currencyCode', please use from one of the available values: " + PRESENTMENT.join(","));
      return undefined;
    }
    if ((text.split(".")[1] || "").length > (amount.currencyCode === "JPY" ? 0 : 2)) {
      console.error("Invalid value '" + text + "' for 'amount', please pass valid fractional digits for " + amount.currencyCode);
      return undefined;
    }
    var clean = { amount: text, currencyCode: amount.currencyCode };
    if (sandbox) console.log("Estimated order amount for sandbox is " + JSON.stringify(clean));
    return clean;
  }

  function setCookies(language, ledger) {
    document.cookie = "language=" + encodeURIComponent(language) + ";path=/;max-age=86400;samesite=lax";
    document.cookie = "ledgerCurrency=" + encodeURIComponent(ledger) + ";path=/;max-age=86400;samesite=lax";
  }
  function cookie(name) {
    var match = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
  }

  /* The button's working copy of the options: validated, with defaults and the key copied into the configs. */
  function prepare(options) {
    validate(options);
    var sandbox = resolveSandbox(options);
    var state = {
      options: options,
      merchantId: options.merchantId,
      ledgerCurrency: options.ledgerCurrency,
      placement: options.placement,
      productType: options.productType || "PayAndShip",
      checkoutLanguage: options.checkoutLanguage || defaultLanguage(),
      sandbox: sandbox,
      publicKeyId: options.publicKeyId,
      publicKeyIdMismatch: false,
      createCheckoutSessionConfig: options.createCheckoutSessionConfig,
      createCheckoutSession: options.createCheckoutSession,
      signInConfig: options.signInConfig,
      platformConnectionId: options.platformConnectionId,
      scopes: options.scopes || [],
      estimatedOrderAmount: checkAmount(options.estimatedOrderAmount, sandbox)
    };
    adoptKey(state);
    setCookies(state.checkoutLanguage, state.ledgerCurrency);
    return state;
  }

  /* A top-level publicKeyId fills configs that lack one; a different one there sets publicKeyIdMismatch. */
  function adoptKey(state) {
    ["createCheckoutSessionConfig", "signInConfig"].forEach(function (name) {
      var config = state[name];
      if (!config || typeof config !== "object" || absent(state.publicKeyId)) return;
      if (absent(config.publicKeyId)) state[name] = Object.assign({}, config, { publicKeyId: state.publicKeyId });
      else if (config.publicKeyId !== state.publicKeyId) state.publicKeyIdMismatch = true;
    });
  }

  function checkSessionConfig(config, name) {
    ["payloadJSON", "signature", "publicKeyId"].forEach(function (field) {
      if (!config || absent(config[field])) fail("Missing field " + field + " for " + name + " parameter.");
    });
  }

  /* Amazon checks the button's signature before any checkout starts; a wrong one ends on Amazon's error page
   * ("Error Code: InvalidSignatureError ... does not match signedString ...") and no checkout. The fake checks it
   * here with WebCrypto (RSA-PSS, SHA-256, salt 32 for AMZN-PAY-RSASSA-PSS-V2, 20 for AMZN-PAY-RSASSA-PSS) against
   * the public key the sandbox serves for the key id. Resolves "valid", "invalid", or "unchecked" (no WebCrypto
   * or no key served: the hosted page checks again and refuses the same way). */
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function verifyButton(config, algorithm) {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle || typeof fetch !== "function") return Promise.resolve({ verdict: "unchecked" });
    var utf8 = new TextEncoder();
    var signature;
    try {
      signature = Uint8Array.from(atob(String(config.signature)), function (c) { return c.charCodeAt(0); });
    } catch (e) {
      signature = new Uint8Array(0);
    }
    return fetch(ROOT + "/amazon/keys/" + encodeURIComponent(config.publicKeyId), { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (served) {
        if (!served || !served.jwk) return { verdict: "unchecked" };
        return subtle.digest("SHA-256", utf8.encode(String(config.payloadJSON))).then(function (digest) {
          var signed = algorithm + "\n" + hex(digest);
          return subtle.importKey("jwk", served.jwk, { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"])
            .then(function (key) {
              var salt = algorithm === "AMZN-PAY-RSASSA-PSS-V2" ? 32 : 20;
              return subtle.verify({ name: "RSA-PSS", saltLength: salt }, key, signature, utf8.encode(signed));
            })
            .then(function (ok) { return { verdict: ok ? "valid" : "invalid", signed: signed }; });
        });
      })
      .catch(function () { return { verdict: "unchecked" }; });
  }

  /* What a click does (§A.10): check the signature, then POST the signed payload in a hidden form to the (fake)
   * hosted checkout. */
  function startCheckout(state) {
    var signIn = state.productType === "SignIn";
    var name = signIn ? "signInConfig" : "createCheckoutSessionConfig";
    var config = state[name];
    if (!signIn && !config && state.createCheckoutSession) {
      fail("The legacy createCheckoutSession option is not simulated by the sandbox; use createCheckoutSessionConfig.");
    }
    checkSessionConfig(config, name);
    var fields = {
      payloadJSON: config.payloadJSON,
      signature: config.signature,
      publicKeyId: config.publicKeyId,
      publicKeyIdMismatch: String(state.publicKeyIdMismatch),
      algorithm: config.algorithm || "AMZN-PAY-RSASSA-PSS",
      checkoutLanguage: state.checkoutLanguage,
      ledgerCurrency: state.ledgerCurrency,
      merchantId: state.merchantId,
      productType: state.productType,
      environment: state.sandbox ? "SANDBOX" : "LIVE",
      scopes: [].concat(state.scopes).join(","),
      merchantDomain: location.origin,
      origin_url: location.href,
      viewType: "redirectView",
      weblabData: "",
      apaySessionSet: "false",
      estimatedOrderAmount: state.estimatedOrderAmount ? JSON.stringify(state.estimatedOrderAmount) : ""
    };
    if (!absent(state.platformConnectionId)) fields.platformConnectionId = state.platformConnectionId;
    recorder.lastCheckout = fields;
    recorder.signatureCheck = "pending";
    verifyButton(config, fields.algorithm).then(function (result) {
      recorder.signatureCheck = result.verdict;
      if (result.verdict === "invalid") {
        var message = "Signature " + config.signature + " does not match signedString " + result.signed.replace("\n", " ") +
          " for merchant " + state.merchantId;
        console.error(PREFIX + "InvalidSignatureError: " + message);
        location.assign(ROOT + "/amazon/checkout/error?reasonCode=InvalidSignatureError&message=" + encodeURIComponent(message));
        return;
      }
      var form = document.createElement("form");
      form.method = "POST";
      form.name = "amazonpay-checkout-signature-data-form";
      form.action = ROOT + "/amazon/checkout/initiate";
      form.style.display = "none";
      Object.keys(fields).forEach(function (key) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = key;
        input.value = fields[key] == null ? "" : String(fields[key]);
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
    });
  }

  var STYLE = ":host{display:block;width:300px;max-width:100%}.amazonpay-button-container{min-width:200px;max-width:600px;height:45px;display:flex;cursor:pointer;font:700 17px sans-serif}" +
    ".amazonpay-button-view1{flex:1;display:flex;align-items:center;justify-content:center;border-radius:4px;letter-spacing:.02em}" +
    ".amazonpay-button-view1-gold{background:#ffd814;color:#0f1111}.amazonpay-button-view1-gray{background:#e7e9ec;color:#0f1111}.amazonpay-button-view1-ink{background:#232f3e;color:#fff}";
  /* One record per container, so rendering twice into it replaces the options instead of adding listeners. */
  var rendered = typeof WeakMap === "function" ? new WeakMap() : null;

  function drawButton(container, state) {
    var color = state.options.design === "C0001" ? "gold" : ({ LightGray: "gray", DarkGray: "ink" }[state.options.buttonColor] || "gold");
    var labels = LABELS[state.checkoutLanguage] || LABELS.en_GB;
    container.setAttribute("role", "button");
    container.setAttribute("tabindex", "0");
    container.setAttribute("aria-label", labels[state.sandbox ? 1 : 0]);
    container.setAttribute("title", labels[2]);
    container.classList.add("amazonpay-button-parent-container-checkout-" + state.merchantId);
    container.style.position = "relative";
    container.style.maxWidth = "600px";
    if (container.getClientRects().length) {
      if (container.offsetWidth < 113) container.style.width = "200px";
      if (container.offsetHeight < 42) container.style.minHeight = "45px";
    }
    var root = container.shadowRoot || container.attachShadow({ mode: "open" });
    while (root.firstChild) root.removeChild(root.firstChild);
    adoptStyle(root);
    var outer = document.createElement("div");
    outer.className = "amazonpay-button-container amazonpay-button-enabled";
    var view = document.createElement("div");
    view.className = "amazonpay-button-view1 amazonpay-button-view1-" + color;
    view.textContent = "amazon pay";
    outer.appendChild(view);
    root.appendChild(outer);
  }

  /* The button's CSS as a constructed stylesheet: a page with a strict Content-Security-Policy (no
   * 'unsafe-inline' in style-src) blocks a <style> element but not this. Old browsers get the <style>. */
  var sheet = null;
  function adoptStyle(root) {
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLE);
      }
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = STYLE;
      root.appendChild(style);
    }
  }

  /* Click and keyboard (Enter, Space) on the container, as the shadow-DOM build listens. */
  function listen(container, record) {
    function activate() {
      if (record.onClick) return record.onClick();
      startCheckout(record.state);
    }
    container.addEventListener("click", activate);
    if (container.tagName === "BUTTON") return;
    container.addEventListener("keydown", function (e) {
      if (e.key === " " || e.key === "Spacebar") e.preventDefault();
    });
    container.addEventListener("keyup", function (e) {
      if (e.key === "Enter" || e.key === " " || e.key === "Spacebar") {
        e.preventDefault();
        activate();
      }
    });
  }

  function renderButton(selector, options) {
    if (!selector) fail("Missing 'selector' parameter in amazon.Pay.renderButton(selector, options) API.");
    if (!options) fail("Missing 'options' parameter in amazon.Pay.renderButton(selector, options) API.");
    var container = document.querySelector(selector);
    if (!container) fail("Can not find element " + selector + " for amazon.Pay.renderButton.");
    var state = prepare(options);
    drawButton(container, state);
    var record = rendered && rendered.get(container);
    if (record) {
      record.state = state;
      record.onClick = null;
    } else {
      record = { state: state, onClick: null };
      if (rendered) rendered.set(container, record);
      listen(container, record);
    }
    recorder.buttons.push({ selector: selector, options: options });

    function updateButtonInfo(amount) {
      var checked = checkAmount(amount, record.state.sandbox);
      if (checked) record.state.estimatedOrderAmount = checked;
    }
    if (!options.createCheckoutSessionConfig && !options.createCheckoutSession && !options.signInConfig) {
      return {
        onClick: function (callback) { record.onClick = typeof callback === "function" ? callback : null; },
        initCheckout: function (config) {
          config = configOf(config);
          var s = record.state;
          if (config.createCheckoutSessionConfig) s.createCheckoutSessionConfig = config.createCheckoutSessionConfig;
          if (config.createCheckoutSession) s.createCheckoutSession = config.createCheckoutSession;
          if (!absent(config.platformConnectionId)) s.platformConnectionId = config.platformConnectionId;
          if (!s.estimatedOrderAmount && config.estimatedOrderAmount) s.estimatedOrderAmount = checkAmount(config.estimatedOrderAmount, s.sandbox);
          adoptKey(s);
          startCheckout(s);
        },
        updateButtonInfo: updateButtonInfo
      };
    }
    if (options.productType === "SignIn") return undefined;
    return { updateButtonInfo: updateButtonInfo };
  }

  function changeUrl(sessionId, action, skipPreorderPage) {
    return ROOT + "/amazon/checkout/initiate_auth?amazonCheckoutSessionId=" + encodeURIComponent(sessionId) +
      "&changeAction=" + encodeURIComponent(action) + "&viewType=redirectView" + (skipPreorderPage ? "&skipPreorderPage=true" : "");
  }

  function bindChangeAction(selector, options) {
    ["amazonCheckoutSessionId", "changeAction"].forEach(function (field) {
      if (!options || absent(options[field])) fail("Missing field " + field + " in the options object in amazon.Pay.bindChangeAction API.");
    });
    if (CHANGE_ACTIONS.indexOf(options.changeAction) < 0) fail(enumError("changeAction", options.changeAction, CHANGE_ACTIONS));
    var element = document.querySelector(selector);
    if (!element) fail("Can not find element " + selector + " for amazon.Pay.bindChangeAction.");
    var url = changeUrl(options.amazonCheckoutSessionId, options.changeAction, false);
    element.addEventListener("click", function () { location.href = url; });
    recorder.changeActions.push({ selector: selector, options: options });
  }

  /* Newer EU build: change at once, without binding a click. */
  function changeNow(api, action) {
    return function (options) {
      if (!options || absent(options.amazonCheckoutSessionId)) fail("Missing field amazonCheckoutSessionId in the options object in amazon.Pay." + api + " API.");
      recorder.changeActions.push({ selector: null, options: { amazonCheckoutSessionId: options.amazonCheckoutSessionId, changeAction: action } });
      location.href = changeUrl(options.amazonCheckoutSessionId, action, true);
    };
  }

  function initCheckout(options) {
    if (!options || typeof options !== "object") fail("Missing options parameter for amazon.Pay.initCheckout");
    startCheckout(prepare(options));
  }

  /* Needs the cookies renderButton/initCheckout set; without them it silently does nothing (§A.8). */
  function signout(callback) {
    var language = cookie("language");
    if (!language || !cookie("ledgerCurrency")) return;
    fetch(ROOT + "/amazon/checkout/signout?language=" + encodeURIComponent(language))
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; })
      .then(function (body) {
        if (!body || !body.result) throw PREFIX + "amazon.Pay.signout() failed.";
        console.log(PREFIX + "amazon.Pay.signout() completed successfully.");
        if (typeof callback === "function") callback();
      })
      .catch(function (error) { setTimeout(function () { throw error; }); });
  }

  function notSimulated(name) {
    return function () { fail("amazon.Pay." + name + " is not simulated by the sandbox."); };
  }

  window.amazon = window.amazon || {};
  window.amazon.Pay = window.amazon.Pay || {};
  var api = {
    renderButton: renderButton,
    bindChangeAction: bindChangeAction,
    initCheckout: initCheckout,
    signout: signout,
    changeShippingAddress: changeNow("changeShippingAddress", "changeAddress"),
    changePaymentMethod: changeNow("changePaymentMethod", "changePayment"),
    changeAccount: function (options) { signout(configOf(options).callback); },
    bindUpgradeAction: notSimulated("bindUpgradeAction"),
    switchAccount: notSimulated("switchAccount")
  };
  Object.keys(api).forEach(function (name) {
    if (!window.amazon.Pay[name]) window.amazon.Pay[name] = api[name];
  });
})();
