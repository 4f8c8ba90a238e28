// "Rendered", measured the same way by bench/button.mjs and bench/ab-button.mjs: the first moment the sandbox
// checkout.js's shadow root holds `.amazonpay-button-view1` (a MutationObserver on the shadow root,
// performance.now() since navigation start), reported by the page on the console.

/** The console line the page writes, followed by the milliseconds. */
export const RENDERED = "amazon-pay-bench:rendered";

/** Reports (on the console) when the button's shadow root first shows Amazon's button. Runs in the page. */
function watchButton() {
  const attach = Element.prototype.attachShadow;
  let reported = false;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    const check = () => {
      if (!reported && root.querySelector(".amazonpay-button-view1")) {
        reported = true;
        console.debug(`${RENDERED} ${performance.now()}`);
      }
    };
    new MutationObserver(check).observe(root, { childList: true, subtree: true });
    return root;
  };
}

/** The init script (`context.addInitScript`) that installs `watchButton` in every page of a context. */
export const WATCH_BUTTON = `const RENDERED = ${JSON.stringify(RENDERED)};\n(${watchButton})();`;

/** Navigates `page` to `url` and resolves with the ms from navigation start to the rendered button.
 *  Waits for the page's console line rather than polling with `page.waitForFunction`: that would make
 *  Playwright evaluate its injected script (about 15 ms of the page's main thread) in the middle of the load. */
export async function gotoRendered(page, url) {
  const rendered = page.waitForEvent("console", { predicate: (m) => m.text().startsWith(RENDERED), timeout: 15_000 });
  await page.goto(url, { waitUntil: "commit" });
  return Number((await rendered).text().slice(RENDERED.length + 1));
}
