// Waiting for what happens in its own time (another process, a log, a delivery) without a fixed sleep: ask again
// every `intervalMs` until the answer is there, and fail with what was last seen once the deadline has passed.

/**
 * Calls `check()` (sync or async) until it returns a truthy value, and resolves with that value. After
 * `timeoutMs` it throws an Error with `failure()`'s text (called then, so it can say what was last seen).
 */
export async function poll(check, { timeoutMs = 15_000, intervalMs = 50, failure = () => `not within ${timeoutMs} ms` } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
