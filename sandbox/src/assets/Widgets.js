/* Sandbox stand-in for Amazon Pay's legacy Widgets.js (CV1): amazon.Login and OffAmazonPayments (Button,
 * Widgets.AddressBook / Wallet / Consent, initConfirmationFlow), reference amazonpay-js.md §B. The widgets are
 * plain DOM (radio buttons in a fieldset), filled from the sandbox's JSON endpoints with textContent only.
 *
 * The buyer's access token is, in this order: the one authorize() returned on this page, the
 * amazon_Login_accessToken cookie, an access_token in this page's URL when the script loaded (the redirect
 * flows), or the last one seen in this tab (sessionStorage), so a shop may strip the token from the address bar.
 *
 * Sandbox-only behaviour, documented because Amazon's differs or is unknown:
 * - authorize() in popup mode: when window.open returns null (popup blocked), a callback `next` receives
 *   {status:"error", error:"popup_blocked", error_description}; a URL `next` falls back to a same-tab sign-in.
 * - onAmazonLoginReady / onAmazonPaymentsReady are called (in that order, once each) when this script runs, and
 *   again for a handler that was not defined yet once the document has been parsed.
 *
 * Test hooks on window.__amazonPaySandbox:
 * - failNext(code[, message]): the next Button or widget bind reports this §B.7 error code to onError instead
 *   of rendering (queued; returns false for an unknown code).
 * - events: [{widget, callback, id}], every widget callback in the order it fired.
 * - errors, confirmations, cv1Buttons, authorizations: what was reported, confirmed, rendered, requested. */
(function () {
  "use strict";
  var SCRIPT = document.currentScript;
  /* `<server>/sandbox`, from this script's own URL. */
  var ROOT = (function () {
    var src = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).href : "";
    var root = src.replace(/\/amazon\/Widgets\.js(?:[?#].*)?$/, "");
    return root && root !== src ? root : location.origin + "/sandbox";
  })();
  var ROOT_ORIGIN = new URL(ROOT).origin;
  var TOKEN_COOKIE = "amazon_Login_accessToken";
  var TOKEN_KEY = "amazonPaySandbox.accessToken";
  var MESSAGES = {
    AddressNotModifiable: "You cannot modify the shipping address when the order reference is in the current state.",
    BuyerNotAssociated: "The buyer is not associated with this order reference. The buyer must sign in before you render the widget.",
    BuyerSessionExpired: "The buyer's session has expired. Please sign in again.",
    InvalidAccountStatus: "Your merchant account is not in an appropriate state to execute this request.",
    InvalidOrderReferenceId: "The order reference id is invalid.",
    InvalidParameterValue: "A parameter has an invalid value.",
    InvalidSellerId: "The seller id is invalid.",
    MissingParameter: "A required parameter is missing.",
    PaymentMethodNotModifiable: "You cannot modify the payment method when the order reference is in the current state.",
    ReleaseEnvironmentMismatch: "The widget and the order reference belong to different environments (sandbox and live).",
    StaleOrderReference: "The order reference was not confirmed in time and has been cancelled.",
    UnknownError: "There was an unknown error in the service.",
    ITP: "The browser blocks third-party cookies (Intelligent Tracking Prevention)."
  };

  var recorder = window.__amazonPaySandbox = window.__amazonPaySandbox || {};
  ["events", "errors", "confirmations", "cv1Buttons", "authorizations"].forEach(function (k) { recorder[k] = recorder[k] || []; });
  var queuedFailures = [];
  recorder.failNext = function (code, message) {
    if (!Object.prototype.hasOwnProperty.call(MESSAGES, code)) return false;
    queuedFailures.push({ code: code, message: message || MESSAGES[code] });
    return true;
  };

  function absent(v) { return v === undefined || v === null || v === ""; }
  /* Runs an integrator's callback; its exception surfaces without breaking the widget. */
  function safely(fn, arg) {
    if (typeof fn !== "function") return;
    try { fn(arg); } catch (e) { setTimeout(function () { throw e; }); }
  }
  function later(fn) { Promise.resolve().then(fn); }

  function makeError(code, message) {
    return { getErrorCode: function () { return code; }, getErrorMessage: function () { return message; } };
  }
  /* Reports to onError (asynchronously, as Amazon's iframes do) and shows the message in the container. */
  function report(onError, code, message, container) {
    message = message || MESSAGES[code] || MESSAGES.UnknownError;
    recorder.errors.push({ code: code, message: message });
    if (container) {
      clear(container);
      var p = el("p", "amazonpay-sandbox-error", message);
      p.setAttribute("role", "alert");
      container.appendChild(p);
    }
    later(function () { safely(onError, makeError(code, message)); });
  }
  function takeFailure(onError, container) {
    var failure = queuedFailures.shift();
    if (failure) report(onError, failure.code, failure.message, container);
    return !!failure;
  }

  /* ---- DOM helpers: text only, never markup from data. ---- */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  var CSS = ".amazonpay-sandbox-widget{border:1px solid #d5d9d9;border-radius:8px;padding:.6rem 1rem;margin:0 0 1rem;font:15px/1.4 system-ui,sans-serif;background:#fff;color:#0f1111}" +
    ".amazonpay-sandbox-widget legend{font-weight:700}.amazonpay-sandbox-widget label{display:block;padding:.3rem 0;cursor:pointer}" +
    ".amazonpay-sandbox-hint{display:block;color:#565959;font-size:.85rem;margin-left:1.6rem}.amazonpay-sandbox-error{color:#c40000}" +
    ".amazonpay-sandbox-button{font:700 15px sans-serif;border-radius:4px;border:1px solid #a88734;cursor:pointer;padding:0 1rem}" +
    ".amazonpay-sandbox-button-gold{background:#ffd814;color:#0f1111}.amazonpay-sandbox-button-lightgray{background:#e7e9ec;color:#0f1111;border-color:#adb1b8}" +
    ".amazonpay-sandbox-button-darkgray{background:#232f3e;color:#fff}.amazonpay-sandbox-button:focus-visible{outline:3px solid #007185;outline-offset:2px}" +
    ".amazonpay-sandbox-button-small{height:32px}.amazonpay-sandbox-button-medium{height:40px}.amazonpay-sandbox-button-large{height:48px}.amazonpay-sandbox-button-x-large{height:56px}";
  /* A constructed stylesheet, so pages with a strict Content-Security-Policy (style-src without
   * 'unsafe-inline') get the widgets' CSS too; old browsers get a <style> element. */
  var sheet = null;
  function ensureStyle() {
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      if (document.adoptedStyleSheets.indexOf(sheet) < 0) document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
      return;
    } catch (e) { /* fall back to a <style> element below */ }
    if (document.getElementById("amazonpay-sandbox-widgets-style")) return;
    var style = el("style", null, CSS);
    style.id = "amazonpay-sandbox-widgets-style";
    (document.head || document.documentElement).appendChild(style);
  }
  var uid = 0;

  /* ---- The buyer's token. ---- */
  var login = { clientId: null, sandbox: false, useCookie: false, region: null, domain: null, token: null };
  function readCookie(name) {
    var match = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
  }
  function storeToken(token) {
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* storage disabled: the cookie or memory still works */ }
  }
  var urlToken = (function () {
    var found = new URLSearchParams(location.search).get("access_token") || new URLSearchParams(location.hash.replace(/^#/, "")).get("access_token");
    if (found) storeToken(found);
    return found;
  })();
  function storedToken() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }
  function currentToken() {
    return login.token || readCookie(TOKEN_COOKIE) || urlToken || storedToken();
  }
  function rememberToken(token) {
    login.token = token;
    storeToken(token);
    if (login.useCookie) document.cookie = TOKEN_COOKIE + "=" + encodeURIComponent(token) + ";path=/;max-age=3600;samesite=lax";
  }

  /* ---- amazon.Login ---- */
  var pendingPopup = null;
  function withParams(url, params) {
    var u = new URL(url, location.href);
    Object.keys(params).forEach(function (k) { if (!absent(params[k])) u.searchParams.set(k, String(params[k])); });
    return u.href;
  }
  /* Hands a sign-in answer to `next`: call it, or go to it with the answer in the query (popup flow). */
  function deliver(request, next, response) {
    Object.keys(response).forEach(function (k) { request[k] = response[k]; });
    request.status = response.error ? "error" : "complete";
    if (response.access_token) rememberToken(response.access_token);
    var callbacks = request._callbacks.splice(0);
    if (typeof next === "function") safely(next, response);
    callbacks.forEach(function (cb) { safely(cb, response); });
    if (typeof next === "string") {
      var copy = {};
      Object.keys(response).forEach(function (k) { if (k !== "status") copy[k] = response[k]; });
      location.href = withParams(next, copy);
    }
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== ROOT_ORIGIN || !data || data.source !== "amazon-pay-sandbox-login" || !pendingPopup) return;
    if (event.source && event.source !== pendingPopup.win) return;
    var pending = pendingPopup;
    pendingPopup = null;
    deliver(pending.request, pending.next, data.response || { error: "server_error" });
  });

  function authorize(options, next) {
    options = options || {};
    var request = { status: "queued", _callbacks: [] };
    request.onComplete = function (cb) {
      if (request.status === "queued") request._callbacks.push(cb);
      else safely(cb, request);
      return request;
    };
    var popup = !(options.popup === false || options.popup === "false");
    var scope = Array.isArray(options.scope) ? options.scope.join(" ") : (options.scope || "");
    var url = withParams(ROOT + "/amazon/ap/signin", {
      client_id: login.clientId,
      scope: scope,
      response_type: options.response_type || "token",
      popup: String(popup),
      state: options.state,
      redirect_uri: typeof next === "string" ? new URL(next, location.href).href : location.href
    });
    recorder.authorizations.push({ options: options, url: url, popup: popup });
    if (!login.clientId) {
      later(function () { deliver(request, typeof next === "function" ? next : null, { error: "invalid_request", error_description: "Call amazon.Login.setClientId before amazon.Login.authorize." }); });
      return request;
    }
    if (!popup) {
      location.href = url;
      return request;
    }
    var win = window.open(url, "amazonloginpopup", "width=800,height=600,scrollbars=yes");
    if (!win) {
      if (typeof next === "string") {
        location.href = url;
      } else {
        later(function () {
          deliver(request, next, { error: "popup_blocked", error_description: "The browser blocked the Login with Amazon popup. Call amazon.Login.authorize directly from the click handler." });
        });
      }
      return request;
    }
    pendingPopup = { win: win, next: next, request: request };
    return request;
  }

  /* cb({success, profile: {CustomerId, Name, PrimaryEmail, PostalCode}}) with Amazon's capitalised keys. */
  function retrieveProfile(token, callback) {
    if (typeof token === "function") { callback = token; token = currentToken(); }
    fetch(ROOT + "/amazon/user/profile", { headers: { Authorization: "bearer " + (token || "") } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) return safely(callback, { success: false, error: res.body.error, error_description: res.body.error_description });
        var p = res.body;
        safely(callback, { success: true, profile: { CustomerId: p.user_id, Name: p.name, PrimaryEmail: p.email, PostalCode: p.postal_code } });
      }, function () { safely(callback, { success: false, error: "server_error" }); });
  }

  function logout() {
    login.token = null;
    urlToken = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
    document.cookie = TOKEN_COOKIE + "=;path=/;max-age=0";
  }

  window.amazon = window.amazon || {};
  window.amazon.Login = window.amazon.Login || {};
  var loginApi = {
    Region: { NorthAmerica: "NA", Europe: "EU", AsiaPacific: "APAC" },
    setClientId: function (id) { login.clientId = id; },
    getClientId: function () { return login.clientId; },
    setSandboxMode: function (on) { login.sandbox = !!on; },
    setUseCookie: function (on) { login.useCookie = !!on; },
    setRegion: function (region) { login.region = region; },
    setDomain: function (domain) { login.domain = domain; },
    authorize: authorize,
    retrieveProfile: retrieveProfile,
    retrieveToken: function (code, cb) { later(function () { safely(cb, { success: false, error: "unsupported_grant_type", error_description: "The sandbox supports response_type=token only." }); }); },
    logout: logout
  };
  Object.keys(loginApi).forEach(function (k) { if (!window.amazon.Login[k]) window.amazon.Login[k] = loginApi[k]; });

  /* ---- The session language ----
     Amazon's multi-language doc: the button's `language` sets the session language, the login screen follows it and
     the AddressBook, Wallet and Consent widgets follow the login screen. Kept for the tab (the upsell page's widgets
     are a new page load of the same session); the sandbox's hosted pages stay English. */
  var LANGUAGES = ["de", "en", "fr", "it", "es"];
  var LANGUAGE_KEY = "amazonPaySandbox.language";
  var TEXTS = {
    "Pay with Amazon": ["Bezahlen mit Amazon", "Pay with Amazon", "Payer avec Amazon", "Paga con Amazon", "Pagar con Amazon"],
    "Pay": ["Bezahlen", "Pay", "Payer", "Paga", "Pagar"],
    "Login with Amazon": ["Anmelden mit Amazon", "Login with Amazon", "Connexion avec Amazon", "Accedi con Amazon", "Iniciar sesión con Amazon"],
    "Login": ["Anmelden", "Login", "Connexion", "Accedi", "Iniciar sesión"],
    "Shipping address": ["Lieferadresse", "Shipping address", "Adresse de livraison", "Indirizzo di spedizione", "Dirección de envío"],
    "Payment method": ["Zahlungsart", "Payment method", "Moyen de paiement", "Metodo di pagamento", "Método de pago"],
    "Consent": ["Einwilligung", "Consent", "Consentement", "Consenso", "Consentimiento"],
    "no address": ["Dieses Amazon-Konto hat keine Adresse.", "There is no address in this Amazon account.",
      "Ce compte Amazon n'a aucune adresse.", "Questo account Amazon non ha indirizzi.", "Esta cuenta de Amazon no tiene direcciones."],
    "consent": [
      "Die gewählte Zahlungsart für künftige Käufe und Zahlungen bei diesem Händler verwenden.",
      "Use my selected payment method for future purchases and payments to this merchant.",
      "Utiliser le moyen de paiement choisi pour les achats et paiements futurs auprès de ce marchand.",
      "Usa il metodo di pagamento scelto per acquisti e pagamenti futuri presso questo venditore.",
      "Usar el método de pago elegido para compras y pagos futuros a este vendedor."]
  };
  function sessionLanguage() {
    try { return sessionStorage.getItem(LANGUAGE_KEY) || "en"; } catch (e) { return "en"; }
  }
  /* A button's `language` (`de-DE`, `en-GB`, `fr-FR`, `it-IT`, `es-ES`, any case); others leave the session's as it is. */
  function setSessionLanguage(language) {
    var code = typeof language === "string" ? language.slice(0, 2).toLowerCase() : "";
    if (LANGUAGES.indexOf(code) < 0) return;
    try { sessionStorage.setItem(LANGUAGE_KEY, code); } catch (e) { /* storage off: English */ }
  }
  /* The text `key` names (its English, or a short key) in the session language. */
  function t(key) {
    var row = TEXTS[key];
    return row ? row[LANGUAGES.indexOf(sessionLanguage())] : key;
  }
  /* `node` says which language it speaks, so a screen reader on a page of another language reads it right. */
  function localized(node) {
    node.lang = sessionLanguage();
    return node;
  }

  /* ---- OffAmazonPayments.Button ---- */
  var BUTTON_TEXT = { PwA: "Pay with Amazon", Pay: "Pay", A: "Amazon Pay", LwA: "Login with Amazon", Login: "Login", hostedPayment: "Pay with Amazon" };
  var COLORS = ["Gold", "LightGray", "DarkGray"];
  var SIZES = ["small", "medium", "large", "x-large"];
  function Button(containerId, sellerId, options) {
    options = options || {};
    var container = document.getElementById(containerId);
    if (takeFailure(options.onError, container)) return;
    if (absent(sellerId)) return report(options.onError, "InvalidSellerId", "The seller id is missing.", container);
    if (!container) return report(options.onError, "InvalidParameterValue", "There is no element with id '" + containerId + "'.");
    var type = options.type || "PwA";
    if (!BUTTON_TEXT[type]) return report(options.onError, "InvalidParameterValue", "Invalid button type '" + type + "'.", container);
    var color = COLORS.indexOf(options.color) >= 0 ? options.color : "Gold";
    var size = SIZES.indexOf(options.size) >= 0 ? options.size : "medium";
    ensureStyle();
    setSessionLanguage(options.language);
    var button = localized(el("button", "amazonpay-sandbox-button amazonpay-sandbox-button-" + color.toLowerCase() + " amazonpay-sandbox-button-" + size, t(BUTTON_TEXT[type])));
    button.type = "button";
    if (type === "A" || type === "Pay" || type === "Login") button.setAttribute("aria-label", type === "A" || type === "Pay" ? "Amazon Pay" : t("Login with Amazon"));
    /* authorization() runs synchronously inside the click, so that its window.open is not blocked. */
    button.addEventListener("click", function () {
      if (typeof options.authorization === "function") options.authorization();
      else report(options.onError, "MissingParameter", "The authorization callback is missing.");
    });
    clear(container);
    container.appendChild(button);
    recorder.cv1Buttons.push({ containerId: containerId, sellerId: sellerId, type: type, color: color, size: size });
  }

  /* ---- Widgets ---- */
  /* The reference this page works on ({promise}); a Wallet without an id joins it. */
  var pageReference = null;

  function post(path, body) {
    return fetch(ROOT + "/amazon/widgets/" + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok) throw { code: data.code || "UnknownError", message: data.message || MESSAGES.UnknownError };
          return data;
        });
      }, function () { throw { code: "UnknownError", message: "The Amazon Pay sandbox could not be reached." }; });
  }
  function handle(view) {
    return {
      getAmazonOrderReferenceId: function () { return view.agreementType === "OrderReference" ? view.id : undefined; },
      getAmazonBillingAgreementId: function () { return view.agreementType === "BillingAgreement" ? view.id : undefined; }
    };
  }
  function fire(widget, options, name, view, arg) {
    recorder.events.push({ widget: widget, callback: name, id: view.id });
    safely(options[name], arg === undefined ? handle(view) : arg);
  }
  function addressText(a) {
    return [a.company, a.street, a.addition, a.city, a.state, a.country].filter(function (s) { return !absent(s); }).join(", ");
  }
  function radioList(legend, name, items, selectedId, onPick) {
    var fieldset = localized(el("fieldset", "amazonpay-sandbox-widget"));
    fieldset.appendChild(el("legend", null, legend));
    items.forEach(function (item) {
      var label = el("label");
      var input = el("input");
      input.type = "radio";
      input.name = name;
      input.value = item.id;
      input.checked = item.id === selectedId;
      input.addEventListener("change", function () { if (input.checked) onPick(item.id, input); });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(el("span", null, item.title));
      var hint = label.appendChild(el("span", "amazonpay-sandbox-hint", item.hint));
      /* The tester's note of an instrument is English whatever the session's language. */
      if (item.hintLang) hint.lang = item.hintLang;
      fieldset.appendChild(label);
    });
    return fieldset;
  }
  function readOnly(legend, title, hint) {
    var box = localized(el("div", "amazonpay-sandbox-widget"));
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", legend);
    box.appendChild(el("p", null, legend));
    box.appendChild(el("p", null, title));
    if (hint) box.appendChild(el("p", "amazonpay-sandbox-hint", hint));
    return box;
  }

  /* Common start of every bind: queued failure, sellerId, container and token, or onError. */
  function start(options, containerId) {
    var container = document.getElementById(containerId);
    if (takeFailure(options.onError, container)) return null;
    if (absent(options.sellerId)) return report(options.onError, "MissingParameter", "The sellerId is missing.", container), null;
    if (!container) return report(options.onError, "InvalidParameterValue", "There is no element with id '" + containerId + "'."), null;
    var token = currentToken();
    if (!token) return report(options.onError, "BuyerSessionExpired", MESSAGES.BuyerSessionExpired, container), null;
    ensureStyle();
    return { container: container, token: token };
  }
  function givenId(options) {
    return options.amazonBillingAgreementId || options.amazonOrderReferenceId || null;
  }
  function open(ctx, options, id) {
    return post("order-reference", { accessToken: ctx.token, sellerId: options.sellerId, agreementType: options.agreementType || "OrderReference", id: id });
  }
  function failed(options, ctx) {
    return function (e) { report(options.onError, e.code || "UnknownError", e.message, ctx.container); };
  }
  /* A pick on a radio list: tell the sandbox, then the integrator; on refusal restore the old choice. */
  function picker(widget, options, ctx, view, field, callback) {
    return function (id, input) {
      var body = { accessToken: ctx.token, id: view.id };
      body[field] = id;
      post("select", body).then(function (next) { fire(widget, options, callback, next); }, function (e) {
        input.checked = false;
        failed(options, ctx)(e);
      });
    };
  }

  function bindAddressBook(options, containerId) {
    var ctx = start(options, containerId);
    if (!ctx) return;
    var readMode = options.displayMode === "Read";
    var id = givenId(options);
    if (readMode && !id) return report(options.onError, "MissingParameter", "displayMode Read needs amazonOrderReferenceId or amazonBillingAgreementId.", ctx.container);
    var promise = open(ctx, options, id);
    pageReference = { promise: promise };
    promise.then(function (view) {
      clear(ctx.container);
      var selected = view.addresses.filter(function (a) { return a.id === view.selectedAddressId; })[0];
      if (readMode) {
        ctx.container.appendChild(readOnly(t("Shipping address"), selected ? selected.name : "", selected ? addressText(selected) : ""));
      } else {
        var items = view.addresses.map(function (a) { return { id: a.id, title: a.name, hint: addressText(a) }; });
        var list = radioList(t("Shipping address"), "amazonpay-address-" + (++uid), items, view.selectedAddressId,
          picker("AddressBook", options, ctx, view, "addressId", "onAddressSelect"));
        if (!items.length) list.appendChild(el("p", "amazonpay-sandbox-empty", t("no address")));
        ctx.container.appendChild(list);
      }
      if (view.created && view.agreementType === "OrderReference") fire("AddressBook", options, "onOrderReferenceCreate", view);
      fire("AddressBook", options, "onReady", view);
      if (!readMode && view.selectedAddressId) fire("AddressBook", options, "onAddressSelect", view);
    }, failed(options, ctx));
  }

  function bindWallet(options, containerId) {
    var ctx = start(options, containerId);
    if (!ctx) return;
    var readMode = options.displayMode === "Read";
    var id = givenId(options);
    if (readMode && !id) return report(options.onError, "MissingParameter", "displayMode Read needs amazonOrderReferenceId or amazonBillingAgreementId.", ctx.container);
    /* Without an id the Wallet joins the AddressBook's reference on this page, or opens its own (digital goods). */
    var promise;
    var ownsReference = false;
    if (id) {
      promise = open(ctx, options, id);
    } else if (pageReference) {
      promise = pageReference.promise;
    } else {
      promise = open(ctx, options, null);
      pageReference = { promise: promise };
      ownsReference = true;
    }
    promise.then(function (view) {
      /* Amazon preselects the account's default payment method; an account without one starts with none chosen. */
      if (readMode || view.selectedInstrumentId || !view.defaultInstrumentId) return view;
      return post("select", { accessToken: ctx.token, id: view.id, instrumentId: view.defaultInstrumentId }).then(function (next) {
        next.created = view.created;
        return next;
      });
    }).then(function (view) {
      clear(ctx.container);
      var selected = view.instruments.filter(function (i) { return i.id === view.selectedInstrumentId; })[0];
      if (readMode) {
        ctx.container.appendChild(readOnly(t("Payment method"), selected ? selected.descriptor : "", ""));
      } else {
        var items = view.instruments.map(function (i) { return { id: i.id, title: i.descriptor, hint: "Sandbox outcome: " + i.outcome, hintLang: "en" }; });
        ctx.container.appendChild(radioList(t("Payment method"), "amazonpay-instrument-" + (++uid), items, view.selectedInstrumentId,
          picker("Wallet", options, ctx, view, "instrumentId", "onPaymentSelect")));
      }
      if (ownsReference && view.created && view.agreementType === "OrderReference") fire("Wallet", options, "onOrderReferenceCreate", view);
      fire("Wallet", options, "onReady", view);
      if (!readMode && view.selectedInstrumentId) fire("Wallet", options, "onPaymentSelect", view);
    }, failed(options, ctx));
  }

  function consentStatus(consent) {
    return { getConsentStatus: function () { return consent ? "true" : "false"; } };
  }
  function bindConsent(options, containerId) {
    var ctx = start(options, containerId);
    if (!ctx) return;
    if (absent(options.amazonBillingAgreementId)) return report(options.onError, "MissingParameter", "The Consent widget needs amazonBillingAgreementId.", ctx.container);
    open(ctx, { sellerId: options.sellerId, agreementType: "BillingAgreement" }, options.amazonBillingAgreementId).then(function (view) {
      clear(ctx.container);
      var fieldset = localized(el("fieldset", "amazonpay-sandbox-widget"));
      fieldset.appendChild(el("legend", null, t("Consent")));
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = !!view.consent;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(el("span", null, t("consent")));
      fieldset.appendChild(label);
      ctx.container.appendChild(fieldset);
      box.addEventListener("change", function () {
        var wanted = box.checked;
        post("consent", { accessToken: ctx.token, id: view.id, consent: wanted }).then(function (next) {
          fire("Consent", options, "onConsent", next, consentStatus(next.consent));
        }, function (e) {
          box.checked = !wanted;
          failed(options, ctx)(e);
        });
      });
      fire("Consent", options, "onReady", view, consentStatus(view.consent));
    }, failed(options, ctx));
  }

  function widget(bindFn, extra) {
    function Widget(options) {
      if (!(this instanceof Widget)) return new Widget(options);
      this.options = options || {};
    }
    Widget.prototype.bind = function (containerId) {
      bindFn(this.options, containerId);
      return this;
    };
    Object.keys(extra || {}).forEach(function (k) { Widget.prototype[k] = extra[k]; });
    return Widget;
  }

  /* confirmationFlow.success() goes to the sandbox's confirmation page (MFA if the instrument asks for it),
   * which returns to the successurl/errorurl PAYONE's confirmorderreference was given. */
  function initConfirmationFlow(sellerId, orderReferenceId, callback) {
    var done = false;
    var flow = {
      success: function () {
        if (done) return;
        done = true;
        recorder.confirmations.push({ id: orderReferenceId, result: "success" });
        location.href = withParams(ROOT + "/amazon/widgets/confirm", { amazonOrderReferenceId: orderReferenceId, sellerId: sellerId });
      },
      error: function () {
        if (done) return;
        done = true;
        recorder.confirmations.push({ id: orderReferenceId, result: "error" });
      }
    };
    safely(callback, flow);
  }

  window.OffAmazonPayments = window.OffAmazonPayments || {};
  var payments = window.OffAmazonPayments;
  payments.Widgets = payments.Widgets || {};
  if (!payments.Button) payments.Button = Button;
  if (!payments.initConfirmationFlow) payments.initConfirmationFlow = initConfirmationFlow;
  if (!payments.Widgets.AddressBook) payments.Widgets.AddressBook = widget(bindAddressBook);
  if (!payments.Widgets.Wallet) payments.Widgets.Wallet = widget(bindWallet, { setPresentmentCurrency: function (c) { this.options.presentmentCurrency = c; } });
  if (!payments.Widgets.Consent) payments.Widgets.Consent = widget(bindConsent);

  /* Login first, then Payments; each once. */
  var fired = { login: false, payments: false };
  function ready() {
    if (!fired.login && typeof window.onAmazonLoginReady === "function") {
      fired.login = true;
      safely(window.onAmazonLoginReady);
    }
    if (!fired.payments && typeof window.onAmazonPaymentsReady === "function") {
      fired.payments = true;
      safely(window.onAmazonPaymentsReady);
    }
  }
  ready();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else setTimeout(ready, 0);
})();
