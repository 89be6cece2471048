// The layering of src/ (scripts/module-layers.mjs): src/art and src/json import nothing from
// src/makapix (nor from the other layers above them), and no two modules import each other, directly
// or round a longer loop. Node-only (it reads the file tree), hence this tier.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { projectRoot } from "../xs/heap.js";

function check(root: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ["scripts/module-layers.mjs", "--root", root], { cwd: projectRoot, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A throwaway src/ tree of the given files. */
function tree(files: { [path: string]: string }): string {
  const dir = mkdtempSync(join(tmpdir(), "module-layers-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("module layering check", () => {
  test("src/ keeps its layers and has no import cycle", () => {
    const run = check(projectRoot);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /^module-layers: ok \(\d+ src\/ modules\)$/m);
  });

  test("art or json importing makapix fails, type-only and re-exports included; makapix importing art and json does not", () => {
    const dir = tree({
      "src/makapix/posts.ts": 'import type { ArtworkPost } from "../art/artwork.js";\nimport { JsonTokenizer } from "../json/tokenizer.js";\nexport type Post = ArtworkPost;\n',
      "src/art/artwork.ts": "export interface ArtworkPost { postId: number }\n",
      "src/art/pipeline.ts": '// a comment\nimport type { Post } from "../makapix/posts.js";\nexport type P = Post;\n',
      "src/art/rendition.ts": 'export { INCLUDE } from "../makapix/posts";\n',
      "src/json/tokenizer.ts": "export class JsonTokenizer {}\n",
      "src/json/reply.ts": 'type T = import("../makapix/posts.js").Post;\nexport const x = 1 as unknown as T;\n',
    });
    try {
      const run = check(dir);
      assert.equal(run.status, 1, run.output);
      assert.match(run.output, /^src\/art\/pipeline\.ts:2: art imports src\/makapix\/posts: /m);
      assert.match(run.output, /^src\/art\/rendition\.ts:1: art imports src\/makapix\/posts: /m);
      assert.match(run.output, /^src\/json\/reply\.ts:1: json imports src\/makapix\/posts: /m);
      assert.doesNotMatch(run.output, /^src\/makapix\//m);
      assert.match(run.output, /^module-layers: 3 problem\(s\) in src\/$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an import cycle fails, even through type-only imports, and is reported once", () => {
    const dir = tree({
      "src/net/http.ts": 'import { Transfer } from "./http-transfer.js";\nexport interface HttpSink { end(): void }\nexport const t = Transfer;\n',
      "src/net/http-transfer.ts": 'import type { HttpSink } from "./http.js";\nexport class Transfer { sink?: HttpSink }\n',
      "src/net/url.ts": 'import "./http.js";\n',
    });
    try {
      const run = check(dir);
      assert.equal(run.status, 1, run.output);
      assert.match(run.output, /^cycle: src\/net\/http\.ts -> src\/net\/http-transfer\.ts -> src\/net\/http\.ts$/m);
      assert.match(run.output, /^module-layers: 1 problem\(s\) in src\/$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
