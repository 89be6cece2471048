// The SDK's own zlib inflate (miniz, modules/data/zlib, the inflater the Moddable host gives the PNG
// decoder) through the host's Inflater port (hosts/moddable/native-inflate.ts) against the TypeScript
// inflater, inside xst-art-asan (scripts/build-xst.sh --art asan: miniz linked in as `inflateNatives`,
// built with ASan): every file of the PNG oracle corpus (sharp, ImageMagick, upng-js APNGs, our own
// APNGs) and the device-time bench's 256×256 PNG, each pushed in chunks of 1, 7, 64 and 1024 bytes and
// whole, and seeded mutations of the zlib data with the CRCs put right. Each must give the same rows of
// every completed frame and the same ImageDecodeError code (but for miniz's unchecked distances, see the
// driver), without a sanitizer report. This is what
// the "PNG … native kernels" row of the device-time bench runs. The driver:
// test/native/png-inflate-workload.ts. Skipped without the SDK.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { apngCorpus, pixelArt, staticCorpus } from "../oracle/png-corpus.js";
import { bundleWorkload, projectRoot } from "../xs/heap.js";

const SPLITS = [1024, 1, 7, 64, 1 << 30];
const MUTATIONS = 10;

function buildXst(): string | undefined {
  const built = spawnSync("bash", [join(projectRoot, "scripts/build-xst.sh"), "--art", "asan"], { encoding: "utf8" });
  if (built.status === 3) return undefined;
  assert.equal(built.status, 0, `scripts/build-xst.sh --art asan failed:\n${built.stderr}`);
  return built.stdout.trim().split("\n").pop();
}

const xst = buildXst();

test("the SDK's miniz through the Moddable Inflater port gives the TypeScript inflater's PNG rows and errors (ASan)", { skip: xst ? false : "no Moddable SDK" }, async () => {
  const directory = mkdtempSync(join(tmpdir(), "png-inflate-"));
  try {
    const bench = new Uint8Array(await sharp(pixelArt(256, 256, 5), { raw: { width: 256, height: 256, channels: 4 } }).png().toBuffer());
    const files = [...(await staticCorpus()), ...apngCorpus(), { name: "device-time 256x256", bytes: bench }];
    const input = {
      files: files.map(({ name, bytes }) => ({ name, chunks: Array.from({ length: Math.ceil(bytes.length / 64) }, (_, i) => Array.from(bytes.subarray(i * 64, i * 64 + 64))) })),
      splits: SPLITS,
      mutations: MUTATIONS,
      seed: 1515,
    };
    const script = join(directory, "png-inflate.js");
    writeFileSync(script, `globalThis.PNG_INFLATE = ${JSON.stringify(input)};\n${await bundleWorkload(join(projectRoot, "test/native/png-inflate-workload.ts"))}`);
    const run = spawnSync(xst!, ["-s", script], { encoding: "utf8", timeout: 900_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0:abort_on_error=1" } });
    if (process.env.PNG_INFLATE_DUMP) writeFileSync(process.env.PNG_INFLATE_DUMP, run.stdout);
    assert.equal(run.status, 0, `xst-art-asan failed (a sanitizer report or a crash):\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-6000)}`);
    const lines = run.stdout.split("\n");
    type Outcome = { error: string | null; message: string | null; digest: number; frames: number };
    const results = lines.filter((line) => line.startsWith("PNGINF ")).map((line) => JSON.parse(line.slice(7)) as { name: string; split: number; same: boolean; farDistance: boolean; expected: Outcome; actual: Outcome });
    assert.ok(lines.some((line) => line.startsWith("PNGINF-DONE ")), `the workload did not finish:\n${run.stdout.slice(-3000)}`);
    assert.deepEqual(results.filter((result) => !result.same), [], "miniz and the TypeScript inflater differ");
    // The check covers what it claims: every file at every split, mutations that fail and that decode.
    assert.equal(results.length, files.length * (SPLITS.length + MUTATIONS));
    assert.ok(results.filter((result) => !result.name.includes("mutation") && result.expected.error === null && result.expected.frames > 0).length === files.length * SPLITS.length, "a corpus file did not decode");
    const mutated = results.filter((result) => result.name.includes("mutation"));
    // (Damaged zlib data never decodes whole: the Adler-32 check catches what the codes do not.)
    assert.ok(mutated.filter((result) => result.actual.message?.includes("native inflate: bad zlib data")).length > 0, "miniz never rejected a mutation itself");
    assert.ok(mutated.filter((result) => result.expected.error === "truncated").length > 0, "no mutation was truncated");
    assert.ok(mutated.filter((result) => result.expected.error !== null && result.expected.frames > 0).length > 0, "no mutation failed after a completed frame");
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
