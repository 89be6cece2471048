// The service's timestamps: Python isoformat with microseconds and +00:00, "Z", other offsets, no
// seconds; refused: naive times, impossible dates, junk around, non-ASCII.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIsoTimestamp } from "../../../src/device/iso-time.js";

test("the shapes the service sends", () => {
  assert.equal(parseIsoTimestamp("2026-12-02T10:15:00.123456+00:00"), Date.UTC(2026, 11, 2, 10, 15, 0, 123));
  assert.equal(parseIsoTimestamp("2026-12-02T10:15:00Z"), Date.UTC(2026, 11, 2, 10, 15, 0));
  assert.equal(parseIsoTimestamp("2026-12-02 10:15+02:00"), Date.UTC(2026, 11, 2, 8, 15, 0));
  assert.equal(parseIsoTimestamp("2026-12-02T10:15:00.5-0130"), Date.UTC(2026, 11, 2, 11, 45, 0, 500));
  assert.equal(parseIsoTimestamp("2028-02-29T00:00:00+00:00"), Date.UTC(2028, 1, 29));
});

test("what is not such a timestamp", () => {
  for (const text of [
    "2026-12-02T10:15:00",
    "2026-02-30T10:15:00Z",
    "2026-13-02T10:15:00Z",
    "2026-12-02T24:00:00Z",
    "2026-12-02T10:15:00.Z",
    "2026-12-02T10:15:00Z ",
    " 2026-12-02T10:15:00Z",
    "2026-12-02T10:15:00+2:00",
    "1969-12-31T23:59:59Z",
    "2026-12-02T10:15:00\u{1F44B}",
    "",
    "not a time at all, really",
  ]) {
    assert.equal(parseIsoTimestamp(text), undefined, text);
  }
  assert.equal(parseIsoTimestamp(undefined as unknown as string), undefined);
});
