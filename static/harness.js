// The sandbox harness (static/harness.html): runs a flow in a frame (or a new window) and logs, live, the widget's
// amazonpay:* events, the backend's upstream calls and the TransactionStatus notifications it received.
// Every value is shown with textContent: buyer data in the sandbox carries markup on purpose.

/**
 * The flows a tester can run. A flow is offered when the server has its `probe` page (the list comes with
 * /sandbox/inspect/scenarios); `start` is where the run begins. Pages built later only need these paths.
 * `{provider}` is who carries Checkout v2 and APB on this server (`--provider`, from the same answer).
 */
export const FLOWS = [
  { id: "cv2", label: "Checkout v2 through {provider} (cart, review, confirmation)", probe: "/review.html", start: "/" },
  { id: "apb", label: "APB through {provider} (authorization first, button from its payload)", probe: "/apb.html", start: "/apb.html" },
  { id: "cv1", label: "Legacy Checkout v1 through PAYONE", probe: "/cv1.html", start: "/cv1.html" },
  { id: "cc-once", label: "CheckoutChamp lander, one-time order", probe: "/lander.html", start: "/lander.html" },
  { id: "cc-upsell", label: "CheckoutChamp lander, then an upsell", probe: "/upsell.html", start: "/lander.html" },
  { id: "cc-recurring", label: "CheckoutChamp lander, recurring (billing agreement)", probe: "/lander-recurring.html", start: "/lander-recurring.html" },
];

/** The widget's events as docs/embedding.md lists them; others are caught by the dispatchEvent hook below. */
const WIDGET_EVENTS = ["ready", "buttonclicked", "reviewready", "orderplaced", "redirecting", "approved", "pending", "paid", "declined", "error", "cancelled"];
const POLL_MS = 400;

/** `--provider`'s names as the flows' labels say them. */
const PROVIDERS = { payone: "PAYONE", amazon: "Amazon Pay directly" };
let provider = PROVIDERS.payone;
const flowLabel = (flow) => flow.label.replace("{provider}", provider);
/** The cookie the sandbox server reads to serve the demo pages in the buyer's language (server/src/demo_language.rs):
 * only the server can set `<html lang>` before the widget reads it, also on the pages Amazon redirects back to. */
const LANGUAGE_COOKIE = "amazon-pay-demo-lang";
const LANGUAGES = ["de", "en", "fr", "it", "es"];
const WATCH_MS = 20;

const $ = (id) => document.getElementById(id);
const log = $("log");
const runStatus = $("run-status");

/** Adds one line to the live log, in the order things happened: `atMs` (Unix milliseconds) is when, as the server
 * recorded it for upstream calls and notifications (they are polled, so they arrive after later page events);
 * now for what the page sees itself. */
function append(source, text, atMs = Date.now()) {
  const item = document.createElement("li");
  item.dataset.source = source;
  item.dataset.at = String(atMs);
  const time = document.createElement("time");
  const now = new Date(atMs);
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString([], { hour12: false }) + "." + String(now.getMilliseconds()).padStart(3, "0");
  const label = document.createElement("span");
  label.className = "harness-source";
  label.textContent = source;
  const body = document.createElement("span");
  body.className = "harness-text";
  body.textContent = text;
  item.append(time, " ", label, " ", body);
  // Before the first line that happened later (a page event shown while this one waited for the poll).
  const later = [...log.children].find((other) => Number(other.dataset.at) > atMs);
  log.insertBefore(item, later ?? null);
  item.scrollIntoView({ block: "nearest" });
}

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: "application/json" }, cache: "no-store" });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

function renderFlows(pages) {
  const box = $("flows");
  const status = $("flows-status");
  const found = FLOWS.map((flow) => pages.includes(flow.probe));
  let first = true;
  FLOWS.forEach((flow, i) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "flow";
    input.value = flow.id;
    input.id = "flow-" + flow.id;
    input.disabled = !found[i];
    if (found[i] && first) {
      input.checked = true;
      first = false;
    }
    label.append(input, " " + flowLabel(flow));
    if (!found[i]) {
      const hint = document.createElement("span");
      hint.className = "harness-hint";
      hint.textContent = " (not available yet)";
      label.append(hint);
    }
    box.append(label);
  });
  status.remove();
}

async function renderScenarios() {
  let data;
  try {
    data = await getJson("/sandbox/inspect/scenarios");
  } catch (err) {
    runStatus.textContent = "The sandbox does not answer (is the server in live mode?): " + err.message;
    $("flows-status").textContent = "No flows: the sandbox is off.";
    $("run").disabled = true;
    return;
  }
  // A server older than the field carried Checkout v2 and APB through PAYONE unless started otherwise.
  if (data.provider) provider = PROVIDERS[data.provider] ?? data.provider;
  renderFlows(data.pages);
  const instrument = $("instrument");
  for (const i of data.instruments) instrument.append(option(i.id, `${i.descriptor}: ${i.outcome}`));
  const outcome = () => {
    const chosen = data.instruments.find((i) => i.id === instrument.value);
    // `upsale`: what an Import Upsale on the order answers, when not the order's own scenario (visa-2982).
    const upsale = chosen?.upsale ? `, an upsale on the order: ${chosen.upsale}` : "";
    $("instrument-outcome").textContent = chosen ? `scenario ${chosen.scenario}${upsale}` : "";
  };
  instrument.addEventListener("change", outcome);
  outcome();
  const buyer = $("buyer");
  for (const b of data.buyers) buyer.append(option(b.id, `${b.name} (${b.id})${b.note ? ": " + b.note : ""}`));
}

// ---- Watching the flow's pages -------------------------------------------------------------------------------

/** The window the flow runs in: the frame, or the new window. */
let target = null;
let watchedDocument = null;
let choice = { instrument: null, buyer: null, preselect: false };

/** `access_token` values stay out of the log. */
function shownUrl(location) {
  const url = new URL(location.href);
  for (const key of ["access_token"]) if (url.searchParams.has(key)) url.searchParams.set(key, "…");
  return url.pathname + url.search;
}

function logEvent(event) {
  let detail = "";
  try {
    detail = JSON.stringify(event.detail);
  } catch {
    detail = String(event.detail);
  }
  append("widget", `${event.type} ${detail ?? ""}`);
}

/** Hooks a freshly loaded document: its amazonpay:* events, and the scenario's choices on Amazon's pages. */
function watch(win, doc) {
  const seen = new WeakSet();
  const record = (event) => {
    if (seen.has(event)) return;
    seen.add(event);
    logEvent(event);
  };
  for (const kind of WIDGET_EVENTS) doc.addEventListener("amazonpay:" + kind, record, true);
  // Events the list above does not name yet (new flows): catch them where they are dispatched.
  const proto = win.EventTarget && win.EventTarget.prototype;
  if (proto && !proto.dispatchEvent.__harness) {
    const original = proto.dispatchEvent;
    const hooked = function (event) {
      const result = original.call(this, event);
      if (event && typeof event.type === "string" && event.type.startsWith("amazonpay:")) record(event);
      return result;
    };
    hooked.__harness = true;
    proto.dispatchEvent = hooked;
  }
  watchPopups(win);
  if (choice.preselect) preselect(win, doc);
}

/** Popups the flow's page opens (Login with Amazon's sign-in in CV1 and the landers) are watched too: their
 * pages are logged and get the scenario's buyer preselected, as the flow's own window does. */
function watchPopups(win) {
  const open = win.open;
  if (typeof open !== "function" || open.__harness) return;
  const hooked = function (...args) {
    const popup = open.apply(win, args);
    if (popup) followPopup(popup);
    return popup;
  };
  hooked.__harness = true;
  win.open = hooked;
}

/** Notices each new document of `popup` until it closes. */
function followPopup(popup) {
  let seen = null;
  const timer = setInterval(() => {
    let doc;
    try {
      if (popup.closed) {
        clearInterval(timer);
        return;
      }
      doc = popup.document;
    } catch {
      return; // another origin: nothing to watch there
    }
    if (!doc || doc === seen || doc.URL === "about:blank") return;
    seen = doc;
    append("page", "popup " + shownUrl(popup.location));
    if (choice.preselect) preselect(popup, doc);
  }, WATCH_MS);
}

/** Checks the scenario's buyer and instrument on the sandbox's Amazon pages and widgets (the tester still clicks). */
function preselect(win, doc) {
  const done = new WeakSet();
  const pick = () => {
    for (const [name, value] of [["buyer", choice.buyer], ["instrument", choice.instrument]]) {
      if (!value) continue;
      // The hosted pages: <input type=radio id="instrument-visa-1111">.
      const hosted = doc.getElementById(`${name}-${value}`);
      if (hosted && hosted.type === "radio" && !done.has(hosted)) {
        done.add(hosted);
        hosted.checked = true;
      }
    }
    // The fake Wallet widget: radios named amazonpay-instrument-N; a click tells the sandbox, as a buyer's would.
    if (choice.instrument) {
      for (const radio of doc.querySelectorAll('input[type="radio"][name^="amazonpay-instrument-"]')) {
        if (radio.value === choice.instrument && !radio.checked && !done.has(radio)) {
          done.add(radio);
          radio.click();
        }
      }
    }
  };
  const observer = new win.MutationObserver(pick);
  const start = () => {
    pick();
    observer.observe(doc.documentElement, { childList: true, subtree: true });
  };
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
}

/** Notices each new document in the target as early as possible (before the widget's first event). */
function checkTarget() {
  if (!target) return;
  let win;
  let doc;
  try {
    win = target.contentWindow ?? target;
    if (win.closed) {
      append("page", "the window was closed");
      target = null;
      return;
    }
    doc = win.document;
  } catch {
    return; // another origin: nothing to watch there
  }
  if (!doc || doc === watchedDocument) return;
  if (doc.URL === "about:blank" && !watchedDocument) return;
  watchedDocument = doc;
  append("page", shownUrl(win.location));
  watch(win, doc);
}

// ---- Polling the backend ---------------------------------------------------------------------------------------

let upstreamSeen = 0;
let notificationsSeen = 0;
let webhooksSeen = 0;

/** The webhooks the sandbox's receiver got (none when the server sends them elsewhere). */
async function webhooksAfter(after) {
  try {
    return await getJson(`/sandbox/webhooks?after=${after}`);
  } catch {
    return [];
  }
}

async function pollOnce() {
  const [calls, notifications, webhooks] = await Promise.all([
    getJson(`/sandbox/inspect/upstream-calls?after=${upstreamSeen}`),
    getJson(`/sandbox/inspect/notifications?after=${notificationsSeen}`),
    webhooksAfter(webhooksSeen),
  ]);
  upstreamSeen += calls.length;
  notificationsSeen += notifications.length;
  for (const c of calls) append("upstream", `${c.service} ${c.action} → ${c.outcome}`, c.at_ms);
  for (const [txid, txaction, status, atMs] of notifications) {
    append("notification", `txid ${txid} txaction=${txaction}${status ? " transaction_status=" + status : ""}`, atMs);
  }
  for (const w of webhooks) {
    webhooksSeen = Math.max(webhooksSeen, w.number + 1);
    const signature = w.signature_valid ? "signature valid" : "signature INVALID";
    append("webhook", `${w.event_type} order ${w.order_id} #${w.sequence} (${signature})`, w.received_at_ms);
  }
}

/** How many entries exist now: a run shows only what comes after. */
async function baseline() {
  const [calls, notifications, webhooks] = await Promise.all([
    getJson("/sandbox/inspect/upstream-calls"),
    getJson("/sandbox/inspect/notifications"),
    webhooksAfter(0),
  ]);
  upstreamSeen = calls.length;
  notificationsSeen = notifications.length;
  webhooksSeen = webhooks.reduce((n, w) => Math.max(n, w.number + 1), 0);
}

async function pollForever() {
  let failing = false;
  for (;;) {
    try {
      await pollOnce();
      failing = false;
    } catch (err) {
      if (!failing) append("harness", "cannot read the sandbox's inspection endpoints: " + err.message);
      failing = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

// ---- Running ---------------------------------------------------------------------------------------------------

/** The language the demo pages are served in now (English, their own, without the cookie). */
function pagesLanguage() {
  const pair = document.cookie.split(";").map((c) => c.trim().split("=")).find(([name]) => name === LANGUAGE_COOKIE);
  return pair && LANGUAGES.includes(pair[1]) ? pair[1] : "en";
}

/** Serves the demo pages in `lang` from now on (a session cookie; English removes it: the pages as shipped). */
function choosePagesLanguage(lang) {
  document.cookie = lang === "en"
    ? `${LANGUAGE_COOKIE}=; path=/; max-age=0; samesite=lax`
    : `${LANGUAGE_COOKIE}=${lang}; path=/; samesite=lax`;
}

async function run(event) {
  event.preventDefault();
  const flow = FLOWS.find((f) => f.id === new FormData($("harness-form")).get("flow"));
  if (!flow) {
    runStatus.textContent = "Pick a flow first.";
    return;
  }
  const instrument = $("instrument");
  choice = { instrument: instrument.value, buyer: $("buyer").value, preselect: $("preselect").checked };
  const scenario = instrument.selectedOptions[0]?.textContent ?? instrument.value;
  const language = $("language").value;
  choosePagesLanguage(language);
  // Open the window before any await, or the popup blocker refuses it.
  let popup = null;
  if ($("new-window").checked) {
    popup = window.open("about:blank", "amazon-pay-harness-run");
    if (!popup) {
      runStatus.textContent = "The browser blocked the new window; allow pop-ups for this page or run in the frame.";
      return;
    }
  }
  try {
    await baseline();
  } catch (err) {
    append("harness", "cannot read the sandbox's inspection endpoints: " + err.message);
  }
  append("harness", `run: ${flowLabel(flow)} · ${scenario} · buyer ${choice.buyer} · language ${language}`);
  runStatus.textContent = `Running ${flowLabel(flow)} with ${scenario}, in ${$("language").selectedOptions[0].textContent}.`;
  target = popup ?? $("frame");
  // The page still shown is the last run's (or about:blank): only the documents the new run loads are watched.
  try {
    watchedDocument = (target.contentWindow ?? target).document;
  } catch {
    watchedDocument = null;
  }
  if (popup) popup.location.href = flow.start;
  else target.src = flow.start;
}

async function init() {
  $("harness-form").addEventListener("submit", run);
  $("clear").addEventListener("click", () => log.replaceChildren());
  $("language").value = pagesLanguage();
  $("frame").addEventListener("load", checkTarget);
  setInterval(checkTarget, WATCH_MS);
  await renderScenarios();
  try {
    await baseline();
  } catch {
    // reported by the poller
  }
  pollForever();
  document.body.dataset.harnessReady = "true";
}

init();
