// When to try again: exponential backoff with equal jitter, raised to a server's Retry-After (capped).

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
const IMF_FIXDATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * Retry-After as a delay in milliseconds: delta-seconds, or an HTTP date (IMF-fixdate) measured
 * against `nowWallMs` (undefined while the clock is unsynchronised: a date is then ignored).
 */
export function parseRetryAfter(value: string, nowWallMs: number | undefined): number | undefined {
  const text = value.trim();
  if (/^[0-9]{1,9}$/.test(text)) return Number(text) * 1000;
  const date = IMF_FIXDATE.exec(text);
  if (!date || nowWallMs === undefined) return undefined;
  const month = MONTHS.indexOf(date[2]!.toLowerCase());
  if (month < 0 || month % 3 !== 0) return undefined;
  const at = Date.UTC(Number(date[3]), month / 3, Number(date[1]), Number(date[4]), Number(date[5]), Number(date[6]));
  const delay = at - nowWallMs;
  return delay > 0 ? delay : 0;
}
