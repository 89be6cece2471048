// No src/ module creates a RegExp while it loads (scripts/module-regexps.mjs): preloaded, such a
// regexp lives in flash, and Moddable SDK 8.2.3 crashes in exec/test on it once the collector runs
// (docs/testing.md). Node-only (it reads the file tree), hence this tier.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../xs/heap.js";

function check(root: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ["scripts/module-regexps.mjs", "--root", root], { cwd: projectRoot, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("module-level RegExp check", () => {
  test("src/ has none", () => {
    const run = check(projectRoot);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /^module-regexps: ok \(\d+ src\/ modules\)$/m);
  });

  test("a regexp made while a module loads fails, with where and why; one made per call or per instance does not", () => {
    const dir = mkdtempSync(join(tmpdir(), "module-regexps-"));
    try {
      mkdirSync(join(dir, "src/net"), { recursive: true });
      writeFileSync(
        join(dir, "src/net/planted.ts"),
        [
          "const SCHEME = /^[a-z]+:/;", // line 1: module level
          "export class Parser {",
          "  static readonly HOST = new RegExp(\"^[a-z.]+$\");", // line 3: static field, evaluated at load
          "  readonly perInstance = /x/;",
          "  parse(text: string): boolean {",
          "    return /^[0-9]+$/.test(text) && SCHEME.test(text);",
          "  }",
          "}",
          "export const isDigit = (text: string): boolean => /^[0-9]$/.test(text);",
          "export const TABLE = Object.freeze({ word: RegExp(\"w+\") });", // line 10: inside a frozen table
          "",
        ].join("\n"),
      );
      const run = check(dir);
      assert.equal(run.status, 1, run.output);
      const lines = run.output.split("\n").filter((line) => line.startsWith("src/"));
      assert.deepEqual(
        lines.map((line) => line.slice(0, line.indexOf(":", line.indexOf(":") + 1))),
        ["src/net/planted.ts:1", "src/net/planted.ts:3", "src/net/planted.ts:10"],
        run.output,
      );
      assert.match(lines[0]!, /module-level RegExp \/\^\[a-z\]\+:\/: .*flash.*Moddable SDK 8\.2\.3 crashes/);
      assert.match(run.output, /^module-regexps: 3 module-level RegExp\(s\) in src\/$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
