// Self-test of the XS tier (test/xs/run.mjs) on the fixtures in test/fixtures/xs-runner: passing
// files pass, and every way a file can go wrong in XS is reported as a failure that names the cause.
// Needs build/xsnap/bin/xsnap (bash scripts/build-xsnap.sh) and `node scripts/build.mjs`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { projectRoot } from "../xs/heap.js";

function runFixture(name: string): { status: number | null; output: string; summary: string } {
  const result = spawnSync(process.execPath, ["test/xs/run.mjs", `test/fixtures/xs-runner/${name}.test.ts`], {
    cwd: projectRoot,
    encoding: "utf8",
    timeout: 120_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  const summaries = result.stdout.split("\n").filter((line) => /^xs: \d+ passed, \d+ failed$/.test(line));
  assert.equal(summaries.length, 1, `expected exactly one summary line in:\n${output}`);
  return { status: result.status, output, summary: summaries[0]! };
}

describe("XS runner on its fixtures", () => {
  test("passing file: exit 0, both tests counted", () => {
    const run = runFixture("passes");
    assert.equal(run.status, 0, run.output);
    assert.equal(run.summary, "xs: 2 passed, 0 failed");
    assert.match(run.output, /^ok - test\/fixtures\/xs-runner\/passes\.test\.ts > a suite > awaits a promise$/m);
  });

  test("print output that mimics results does not confuse the parser", () => {
    const run = runFixture("prints-noise");
    assert.equal(run.status, 0, run.output);
    assert.equal(run.summary, "xs: 2 passed, 0 failed");
  });

  const failing: [fixture: string, pattern: RegExp][] = [
    ["throws-on-import", /not ok - \S+throws-on-import\.test\.ts: import failed: Error: fixture exploded at import/],
    ["uses-settimeout", /not ok - \S+ > waits for a timer: ReferenceError: .*setTimeout/],
    ["uses-tosorted", /not ok - \S+ > sorts a copy: TypeError: .*toSorted/],
    ["failing-assert", /not ok - \S+ > bytes differ: Expected values to be deeply equal[^]*first difference at \[3\]: 4 !== 5/],
    ["async-reject", /not ok - \S+ > rejects later: RangeError: fixture rejected after await/],
    ["assigns-to-frozen-builtin", /not ok - \S+ > names its error: TypeError: set name: not writable/],
  ];
  for (const [fixture, pattern] of failing) {
    test(`${fixture}: non-zero exit, cause reported`, () => {
      const run = runFixture(fixture);
      assert.notEqual(run.status, 0, run.output);
      assert.match(run.output, pattern);
      assert.match(run.summary, /^xs: \d+ passed, [1-9]\d* failed$/);
    });
  }

  test("deepEqual names the first difference's path; large equal arrays pass", () => {
    const run = runFixture("deep-equal-paths");
    assert.equal(run.summary, "xs: 1 passed, 5 failed", run.output);
    assert.match(run.output, /^ok - \S+ > large equal arrays pass$/m);
    assert.match(run.output, /not ok - \S+ > nested difference: [^]*?first difference at \[1\]\.b\[2\]\.c: 3 !== 4/);
    assert.match(run.output, /not ok - \S+ > hole against undefined: [^]*?first difference at \[1\]: missing in actual/);
    assert.match(run.output, /not ok - \S+ > a hole and a named key make up the count: [^]*?first difference at \[1\]: missing in actual/);
    assert.match(run.output, /not ok - \S+ > a named key on a dense array: [^]*?first difference at \.extra: unexpected in actual \(1\)/);
    assert.match(run.output, /not ok - \S+ > inside a map: [^]*?first difference at \.get\("k"\)\.x\[0\]: 1 !== 2/);
  });

  test("failing-assert still counts its passing test", () => {
    assert.equal(runFixture("failing-assert").summary, "xs: 1 passed, 1 failed");
  });

  test("stripped-functions: no name/length needed; callback style and wrong classes fail by cause", () => {
    const run = runFixture("stripped-functions");
    assert.equal(run.summary, "xs: 2 passed, 2 failed", run.output);
    assert.match(run.output, /^ok - \S+ > a synchronous body without length runs and is not awaited forever$/m);
    assert.match(run.output, /^ok - \S+ > an async body without length is awaited$/m);
    assert.match(run.output, /not ok - \S+ > a callback-style body is refused, by name: Error: callback-style tests/);
    assert.match(run.output, /not ok - \S+ > the wrong error class is named without reading name: The error is expected to be an instance of RangeError/);
  });
});
