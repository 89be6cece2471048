// Polling for end-to-end tests, where real processes answer in their own time.

/** Resolves once `predicate` holds; fails after `timeoutMs` naming what it waited for (and `context()`). */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context ? `\n${context()}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
