// The baseline scripts/bench-button compares the widget with: a hand-written page doing the button's calls in
// plain JavaScript. POST /api/cv2/sessions, load checkout.js, amazon.Pay.renderButton.
const CART = { items: [{ sku: "mug", quantity: 2 }, { sku: "tshirt", quantity: 1 }], language: "en" };

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.onload = resolve;
    script.onerror = () => reject(new Error("cannot load " + url));
    document.head.append(script);
  });
}

async function showButton() {
  const response = await fetch("/api/cv2/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(CART),
  });
  if (!response.ok) throw new Error("session: HTTP " + response.status);
  const config = await response.json();
  await loadScript(config.script_url);
  amazon.Pay.renderButton("#AmazonPayButton", {
    merchantId: config.merchant_id,
    ledgerCurrency: config.ledger_currency,
    sandbox: config.sandbox,
    checkoutLanguage: config.checkout_language,
    productType: config.product_type,
    placement: "Cart",
    buttonColor: "Gold",
    estimatedOrderAmount: { amount: (config.amount.minor / 100).toFixed(2), currencyCode: config.amount.currency },
    createCheckoutSessionConfig: {
      payloadJSON: config.payload_json,
      signature: config.signature,
      publicKeyId: config.public_key_id,
    },
  });
  sessionStorage.setItem("amazonPay.workorderId", config.workorder_id);
  performance.mark("baseline:rendered");
}

showButton().catch((err) => {
  document.getElementById("status").textContent = "Amazon Pay is not available right now.";
  console.error(err);
});
