// Identifiers and timestamps the service expects: UUID v4 request ids and ISO-8601 UTC times.

import type { Clock, Random } from "../ports.js";

const HEX = "0123456789abcdef";

/** A random (v4) UUID in lowercase, from the Random port. `scratch` avoids an allocation per id. */
export function uuidV4(random: Random, scratch: Uint8Array = new Uint8Array(16)): string {
  random.fill(scratch);
  scratch[6] = (scratch[6]! & 0x0f) | 0x40;
  scratch[8] = (scratch[8]! & 0x3f) | 0x80;
  let text = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += "-";
    const byte = scratch[i]!;
    text += HEX[byte >> 4]! + HEX[byte & 15]!;
  }
  return text;
}

/** What the service expects when the clock has never been synchronised (protocol sheet §4). */
export const UNSYNCED_TIMESTAMP = "1970-01-01T00:00:00Z";

/** Wall time as "YYYY-MM-DDTHH:MM:SSZ", or the 1970 sentinel while the clock is not synchronised. */
export function utcTimestamp(clock: Clock): string {
  const ms = clock.wallTimeMs();
  if (ms === undefined) return UNSYNCED_TIMESTAMP;
  const iso = new Date(ms).toISOString();
  // Whole seconds: the service compares timestamps for its 60 s duplicate check.
  return iso.slice(0, 19) + "Z";
}
