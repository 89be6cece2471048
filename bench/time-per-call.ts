// Shared by the decoder benchmarks (png, webp): the mean time of a call, sync or async.

/** Milliseconds per call, after a warm-up of a third of `ms`, over at least `ms` of calls. */
export async function timePerCall(fn: () => unknown, ms: number): Promise<number> {
  const warm = performance.now();
  while (performance.now() - warm < ms / 3) await fn();
  globalThis.gc?.();
  const start = performance.now();
  let runs = 0;
  while (performance.now() - start < ms) {
    await fn();
    runs++;
  }
  return (performance.now() - start) / runs;
}
