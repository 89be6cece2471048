// The root manifest preloads every module of src/ by name (scripts/manifest-preload.mjs). mcconfig
// ignores wildcard preloads of .ts modules, so a new file left out of the list would silently load
// at run time into RAM on the device. Node-only (it reads the file tree), hence this tier and not
// test/unit, whose files also run inside XS.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../xs/heap.js";

function check(root: string, mode = "--check"): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ["scripts/manifest-preload.mjs", mode, "--root", root], { cwd: projectRoot, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function preloadOf(root: string): string[] {
  return (JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { preload: string[] }).preload;
}

/** A scratch copy of the manifest and src/ to break on purpose. */
function scratchTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "manifest-preload-"));
  cpSync(join(projectRoot, "manifest.json"), join(dir, "manifest.json"));
  cpSync(join(projectRoot, "src"), join(dir, "src"), { recursive: true });
  return dir;
}

describe("root manifest preload list", () => {
  test("lists every module of src/ by name, and nothing else", () => {
    const run = check(projectRoot);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /^manifest-preload: ok \(\d+ src\/ modules preloaded\)$/m);
    const preload = preloadOf(projectRoot);
    assert.ok(preload.includes("src/mqtt/client") && preload.includes("src/ports"), preload.join(" "));
    assert.ok(!preload.some((name) => name.includes("*")), "no wildcard preloads: mcconfig matches them only against .js files");
  });

  test("a new src/ file missing from the list fails the check, naming it; --write adds it", () => {
    const dir = scratchTree();
    try {
      writeFileSync(join(dir, "src/mqtt/extra-module.ts"), "export const EXTRA = 1;\n");
      const run = check(dir);
      assert.equal(run.status, 1, run.output);
      assert.match(run.output, /^missing: src\/mqtt\/extra-module$/m);
      assert.match(run.output, /1 missing, 0 extra/);
      const write = check(dir, "--write");
      assert.equal(write.status, 0, write.output);
      assert.ok(preloadOf(dir).includes("src/mqtt/extra-module"));
      assert.equal(check(dir).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a listed module whose file is gone, or a wildcard, is reported as extra", () => {
    const dir = scratchTree();
    try {
      rmSync(join(dir, "src/mqtt/backoff.ts"));
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { preload: string[] };
      manifest.preload.push("src/art/*");
      writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
      const run = check(dir);
      assert.equal(run.status, 1, run.output);
      assert.match(run.output, /^extra: src\/mqtt\/backoff$/m);
      assert.match(run.output, /^extra: src\/art\/\*$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("--write keeps a stable, sorted order and the entries outside src/", () => {
    const dir = scratchTree();
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { preload: string[] };
      manifest.preload = ["hosts/other/thing", ...manifest.preload.reverse()];
      writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
      assert.equal(check(dir, "--write").status, 0);
      const first = readFileSync(join(dir, "manifest.json"), "utf8");
      const preload = preloadOf(dir);
      const sources = preload.filter((name) => name.startsWith("src/"));
      assert.deepEqual(sources, [...sources].sort());
      assert.ok(preload.includes("hosts/other/thing"));
      assert.equal(check(dir, "--write").status, 0);
      assert.equal(readFileSync(join(dir, "manifest.json"), "utf8"), first, "a second --write changes nothing");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
