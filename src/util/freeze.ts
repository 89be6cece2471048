// Freezing of module-level tables. A preloaded module's objects live in flash; the Moddable linker
// (xsl) keeps an object there only when it is frozen, and otherwise warns ("not frozen") and keeps a
// copy-on-write alias that costs RAM on first write. Frozen tables also turn an accidental write
// into an error on Node and xsnap instead of silent shared state.

/**
 * Freezes `value` and every plain object and array reachable from it; returns `value`.
 * Typed arrays and other ArrayBuffer views are left as they are: JavaScript refuses to freeze a
 * non-empty one, and the linker makes them read-only in flash by itself. Functions and Maps are
 * not descended into.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  Object.freeze(value);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) deepFreeze(record[key]);
  return value;
}
