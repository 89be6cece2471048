// Retry timing: exponential backoff with equal jitter, raised to a server's Retry-After up to a cap.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRetryAfter, retryDelayMs } from "../../../src/net/retry.js";

const TIMING = { backoffInitialMs: 1000, backoffMaximumMs: 10_000, retryAfterCapMs: 30_000 };

test("delays double per failed attempt, between half and all of the ceiling, up to the maximum", () => {
  const ceilings = [1000, 2000, 4000, 8000, 10_000, 10_000];
  ceilings.forEach((ceiling, index) => {
    const attempt = index + 1;
    assert.equal(retryDelayMs(attempt, TIMING, 0, undefined), ceiling / 2, `attempt ${attempt}, no jitter`);
    assert.equal(retryDelayMs(attempt, TIMING, 0.999999, undefined), ceiling - 1, `attempt ${attempt}, full jitter`);
  });
  assert.equal(retryDelayMs(200, TIMING, 0.5, undefined), 7500, "huge attempt counts stay at the maximum");
});

test("Retry-After raises the delay but never beyond the cap; a shorter one does not lower it", () => {
  assert.equal(retryDelayMs(1, TIMING, 0, 5000), 5000);
  assert.equal(retryDelayMs(1, TIMING, 0, 86_400_000), 30_000);
  assert.equal(retryDelayMs(3, TIMING, 0, 100), 2000);
  assert.equal(retryDelayMs(1, TIMING, 0, 0), 500);
});

test("Retry-After: seconds, an HTTP date against the wall clock, or nothing usable", () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter(" 0 ", now), 0);
  assert.equal(parseRetryAfter("Wed, 25 Nov 2026 12:00:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter("Wed, 25 Nov 2026 11:00:00 GMT", now), 0, "a past date means now");
  assert.equal(parseRetryAfter("Wed, 25 Nov 2026 12:00:30 GMT", undefined), undefined, "no wall clock yet");
  assert.equal(parseRetryAfter("Wed, 25 Foo 2026 12:00:30 GMT", now), undefined);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter("-5", now), undefined);
  assert.equal(parseRetryAfter("999999999", now), 999_999_999_000, "up to nine digits of seconds");
  assert.equal(parseRetryAfter("1234567890", now), undefined);
  assert.equal(parseRetryAfter("wed, 25 nov 2026 12:00:30 GMT", now), 30_000, "names in any case");
  assert.equal(parseRetryAfter("Wed, 25 Nov 2026 12:00:30 UTC", now), undefined);
  assert.equal(parseRetryAfter("Wed, 25 Nov 2026 12:00:30 GMT!", now), undefined);
  assert.equal(parseRetryAfter("Wed, 5 Nov 2026 12:00:30 GMT", now), undefined, "two-digit day");
  assert.equal(parseRetryAfter("Wed, 25 Nov 2026 12-00-30 GMT", now), undefined);
  assert.equal(parseRetryAfter("Wéd, 25 Nov 2026 12:00:30 GMT", now), undefined, "letters are ASCII letters");
});
