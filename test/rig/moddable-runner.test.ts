// Self-test of the Moddable SDK tier (test/moddable/run-unit.mjs): the XS runner's fixtures plus a few of
// its own run in one simulator app, and every way a file can go wrong is reported as a failure that
// names the cause. Skipped when there is no Moddable SDK.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../xs/heap.js";

// The tier's own SDK lookup (a plain .mjs module of the test tooling, not compiled to build/).
const { findSdk } = (await import(pathToFileURL(join(projectRoot, "scripts/moddable-sdk.mjs")).href)) as { findSdk(): string | undefined };
const sdk = findSdk();
const fixtures = [
  "xs-runner/passes", "xs-runner/prints-noise", "xs-runner/failing-assert", "xs-runner/throws-on-import",
  "xs-runner/uses-settimeout", "xs-runner/async-reject", "xs-runner/assigns-to-frozen-builtin",
  "moddable-runner/code-points", "moddable-runner/never-settles",
  // Last: it aborts the machine, so nothing after it runs.
  "moddable-runner/stack-overflow",
];

describe("Moddable SDK runner on its fixtures", { skip: sdk ? false : "no Moddable SDK" }, () => {
  let output = "";
  let status: number | null = null;
  before(() => {
    const result = spawnSync(
      process.execPath,
      ["test/moddable/run-unit.mjs", "--work", "build/moddable-rig", "--file-timeout", "5", "--timeout", "300",
        ...fixtures.map((name) => `test/fixtures/${name}.test.ts`)],
      { cwd: projectRoot, encoding: "utf8", timeout: 400_000 },
    );
    output = `${result.stdout}${result.stderr}`;
    status = result.status;
  });

  test("exactly one summary line, the failures counted, exit code 1", () => {
    const summaries = output.split("\n").filter((line) => /^moddable: \d+ passed, \d+ failed$/.test(line));
    assert.deepEqual(summaries, ["moddable: 6 passed, 7 failed"], output);
    assert.equal(status, 1);
  });

  const expected: [string, RegExp][] = [
    ["passing file", /^ok - test\/fixtures\/xs-runner\/passes\.test\.ts > a suite > awaits a promise$/m],
    ["code points: strings index by code point in an app", /^ok - \S+code-points\.test\.ts > an emoji is one character$/m],
    ["import failure", /not ok - \S+throws-on-import\.test\.ts: import failed: Error: fixture exploded at import/],
    ["missing setTimeout", /not ok - \S+ > waits for a timer: ReferenceError: .*setTimeout/],
    ["failed assertion", /not ok - \S+ > bytes differ: Expected values to be deeply equal[^]*first difference at \[3\]: 4 !== 5/],
    ["async rejection", /not ok - \S+ > rejects later: RangeError: fixture rejected after await/],
    ["frozen built-ins", /not ok - \S+ > names its error: TypeError: set name: not writable/],
    ["a test that never settles", /not ok - \S+never-settles\.test\.ts: timed out after 5 s while running "waits forever"/],
    ["an XS abort", /not ok - \S+stack-overflow\.test\.ts: XS aborted \(JavaScript stack overflow\) while running "recurses without end"/],
  ];
  for (const [what, pattern] of expected) test(what, () => assert.match(output, pattern));
});
