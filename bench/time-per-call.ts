// Shared by the decoder benchmarks (png, webp): the mean time of a call, sync or async.

/**
 * Calls made before timing, whatever the clock says: V8 optimises a function after a number of calls
 * and loop turns, not after a time, and compiles it on a background thread. On a loaded machine a
 * third of `ms` was a dozen cold calls of a 64×64 lossy WebP (its first call 60 ms, the steady one
 * under 1 ms), so the timing measured the JIT's warm-up rather than the decoder.
 */
const WARM_CALLS = 200;
/** …unless they take longer than this (a very slow peer). */
const WARM_MAX_MS = 5000;

/** Milliseconds per call, after a warm-up of a third of `ms` and WARM_CALLS calls, over at least `ms` of calls. */
export async function timePerCall(fn: () => unknown, ms: number): Promise<number> {
  const warm = performance.now();
  let calls = 0;
  while (performance.now() - warm < ms / 3 || (calls < WARM_CALLS && performance.now() - warm < WARM_MAX_MS)) {
    await fn();
    calls++;
  }
  globalThis.gc?.();
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < ms) {
    await fn();
    runs++;
  }
  return (performance.now() - start) / runs;
}
