// Shared by the decoder benchmarks (png, webp): the mean time of a call, sync or async, alone
// (timePerCall) or as the best of trials interleaved with a peer's (bestOfInterleaved).

/**
 * Calls made before timing, whatever the clock says: V8 optimises a function after a number of calls
 * and loop turns, not after a time, and compiles it on a background thread. On a loaded machine a
 * third of `ms` was a dozen cold calls of a 64×64 lossy WebP (its first call 60 ms, the steady one
 * under 1 ms), so the timing measured the JIT's warm-up rather than the decoder.
 */
const WARM_CALLS = 200;
/** …unless they take longer than this (a very slow peer). */
const WARM_MAX_MS = 5000;

/** Calls `fn` for at least `ms` and WARM_CALLS calls (up to WARM_MAX_MS), then collects garbage. */
async function warmUp(fn: () => unknown, ms: number): Promise<void> {
  const warm = performance.now();
  let calls = 0;
  while (performance.now() - warm < ms || (calls < WARM_CALLS && performance.now() - warm < WARM_MAX_MS)) {
    await fn();
    calls++;
  }
  globalThis.gc?.();
}

/** Milliseconds per call over calls for at least `ms`. */
async function trial(fn: () => unknown, ms: number): Promise<number> {
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < ms) {
    await fn();
    runs++;
  }
  return (performance.now() - start) / runs;
}

/** Milliseconds per call, after a warm-up of a third of `ms` and WARM_CALLS calls, over at least `ms` of calls. */
export async function timePerCall(fn: () => unknown, ms: number): Promise<number> {
  await warmUp(fn, ms / 3);
  return trial(fn, ms);
}

/**
 * Each function's best milliseconds per call over `trials` trials of `trialMs`, the functions' trials
 * interleaved, after each one's warm-up (as timePerCall's, over `trialMs`). On the shared build
 * machine a single timing swings by ±50 % with the other processes' load, and by as much between
 * quiet and busy seconds, which hit one contender's timing and not the other's; interleaved trials
 * give both the same quiet moments, and the best trial of each is the one least disturbed (as the
 * MQTT codec bench does).
 */
export async function bestOfInterleaved(fns: readonly (() => unknown)[], trials: number, trialMs: number): Promise<number[]> {
  for (const fn of fns) await warmUp(fn, trialMs);
  const best = fns.map(() => Infinity);
  for (let t = 0; t < trials; t++) {
    for (const [i, fn] of fns.entries()) best[i] = Math.min(best[i]!, await trial(fn, trialMs));
  }
  return best;
}
