// When to try again: exponential backoff with equal jitter, raised to a server's Retry-After (capped).

import { isAsciiDigit, isAsciiLetter, isDigits } from "../util/ascii.js";

export interface RetryTiming {
  /** Ceiling of the first delay; it doubles per retry. */
  backoffInitialMs: number;
  backoffMaximumMs: number;
  /** A Retry-After is honoured up to this. */
  retryAfterCapMs: number;
}

/**
 * Delay before attempt `failedAttempt + 1`. Equal jitter (half fixed, half random) keeps a fleet of
 * players that failed together from retrying in lockstep. `unitRandom` is in [0, 1).
 */
export function retryDelayMs(failedAttempt: number, timing: RetryTiming, unitRandom: number, retryAfterMs: number | undefined): number {
  const exponent = failedAttempt - 1 < 20 ? failedAttempt - 1 : 20;
  const uncapped = timing.backoffInitialMs * 2 ** exponent;
  const ceiling = uncapped < timing.backoffMaximumMs ? uncapped : timing.backoffMaximumMs;
  let delay = Math.floor(ceiling / 2 + unitRandom * (ceiling / 2));
  if (retryAfterMs !== undefined) {
    const asked = retryAfterMs < timing.retryAfterCapMs ? retryAfterMs : timing.retryAfterCapMs;
    if (asked > delay) delay = asked;
  }
  return delay;
}

const MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";
// The shape of an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"): 'a' a letter, 'd' a digit, the
// rest literally. Fixed positions, so the fields are read by slice below.
const IMF_FIXDATE_SHAPE = "aaa, dd aaa dddd dd:dd:dd GMT";

function hasImfFixdateShape(text: string): boolean {
  if (text.length !== IMF_FIXDATE_SHAPE.length) return false;
  // At most 29 characters: charCodeAt's walk from the start (XS) stays cheap.
  for (let i = 0; i < IMF_FIXDATE_SHAPE.length; i++) {
    const want = IMF_FIXDATE_SHAPE.charCodeAt(i);
    const code = text.charCodeAt(i);
    if (want === 0x61 ? !isAsciiLetter(code) : want === 0x64 ? !isAsciiDigit(code) : code !== want) return false;
  }
  return true;
}

/**
 * Retry-After as a delay in milliseconds: delta-seconds, or an HTTP date (IMF-fixdate) measured
 * against `nowWallMs` (undefined while the clock is unsynchronised: a date is then ignored).
 */
export function parseRetryAfter(value: string, nowWallMs: number | undefined): number | undefined {
  const text = value.trim();
  if (isDigits(text, 1, 9)) return Number(text) * 1000;
  if (!hasImfFixdateShape(text) || nowWallMs === undefined) return undefined;
  const month = MONTHS.indexOf(text.slice(8, 11).toLowerCase());
  if (month < 0 || month % 3 !== 0) return undefined;
  const field = (from: number, to: number): number => Number(text.slice(from, to));
  const at = Date.UTC(field(12, 16), month / 3, field(5, 7), field(17, 19), field(20, 22), field(23, 25));
  const delay = at - nowWallMs;
  return delay > 0 ? delay : 0;
}
