// Waits until the browser's processes are quiet: in Debian's `chromium` (new headless) every browser context is a
// window of its own, and a new window builds its omnibox (a `chrome://omnibox-popup.top-chrome` WebUI in a renderer
// of its own: about 0.7 s of CPU in the first second, on a 2-core machine). A buyer's window is already open; a cold
// load measured during that work measures the window too (about 45 ms added to either page here).

/** Polls the CPU time of every browser process (CDP `SystemInfo.getProcessInfo`, in 10 ms steps) until it grew
 *  by less than `idleMs` over `windowMs` (at most one step), or `deadlineMs` passed. Resolves to whether it became
 *  quiet. */
export async function untilQuiet(cdp, { windowMs = 200, idleMs = 15, pollMs = 25, deadlineMs = 3000 } = {}) {
  const total = async () => {
    const { processInfo } = await cdp.send("SystemInfo.getProcessInfo");
    return processInfo.reduce((sum, p) => sum + p.cpuTime, 0) * 1000;
  };
  const samples = [];
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    samples.push([Date.now(), await total()]);
    const since = samples.findIndex(([t]) => t >= samples[samples.length - 1][0] - windowMs);
    const [t0, c0] = samples[since];
    const [t1, c1] = samples[samples.length - 1];
    if (t1 - t0 >= windowMs * 0.9 && c1 - c0 < idleMs) return true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return false;
}
