// The PNG kernels (hosts/moddable/native/png_kernels.c: scanline filters and CRC, ASan + UBSan) against
// their TypeScript twins (src/art/png-kernels.ts), and the device's whole PNG path, the SDK's own zlib
// inflate (miniz, ASan) through the Moddable host's Inflater port (hosts/moddable/native-inflate.ts) with
// the C kernels, against the TypeScript path, inside xst-art-asan (scripts/build-xst.sh --art asan):
// every file of the PNG oracle corpus (sharp, ImageMagick, upng-js APNGs, our own APNGs: every colour
// type, depth, filter type, Adam7) and the device-time bench's two 256×256 PNGs, each pushed in chunks
// of 1, 7, 64 and 1024 bytes and whole, and seeded mutations of the zlib data with the CRCs put right.
// The C kernels must give exactly the TypeScript kernels' rows and errors; the device path the same
// rows of every completed frame and the same ImageDecodeError code (but for miniz's unchecked
// distances, see the driver); no sanitizer report. The driver: test/native/png-kernels-workload.ts.
// Skipped without the SDK.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { apngCorpus, pixelArt, staticCorpus } from "../oracle/png-corpus.js";
import { buildAsanXst, jsonChunks, runAsanWorkload } from "./asan-xst.js";

const SPLITS = [1024, 1, 7, 64, 1 << 30];
const MUTATIONS = 10;

const xst = buildAsanXst();

test("the C PNG kernels, and miniz through the Moddable Inflater port with them, give the TypeScript path's PNG rows and errors (ASan + UBSan)", { skip: xst ? false : "no Moddable SDK" }, async () => {
  const directory = mkdtempSync(join(tmpdir(), "png-kernels-"));
  try {
    const art = () => sharp(pixelArt(256, 256, 5), { raw: { width: 256, height: 256, channels: 4 } });
    const files = [
      ...(await staticCorpus()),
      ...apngCorpus(),
      { name: "device-time 256x256", bytes: new Uint8Array(await art().png().toBuffer()) },
      { name: "device-time 256x256 adaptive filters", bytes: new Uint8Array(await art().png({ adaptiveFiltering: true }).toBuffer()) },
    ];
    const input = {
      files: files.map(({ name, bytes }) => ({ name, chunks: jsonChunks(bytes) })),
      splits: SPLITS,
      mutations: MUTATIONS,
      seed: 1515,
    };
    const run = await runAsanWorkload(xst!, directory, { global: "PNG_KERNELS", input, workload: "test/native/png-kernels-workload.ts", timeoutMs: 900_000, dumpVariable: "PNG_KERNELS_DUMP" });
    const lines = run.lines;
    type Outcome = { error: string | null; message: string | null; digest: number; all: number; frames: number };
    const results = lines.filter((line) => line.startsWith("PNGK ")).map((line) => JSON.parse(line.slice(5)) as { name: string; split: number; same: boolean; sameKernels: boolean; farDistance: boolean; expected: Outcome; kernels: Outcome; device: Outcome });
    assert.ok(lines.some((line) => line.startsWith("PNGK-DONE ")), `the workload did not finish:\n${run.stdout.slice(-3000)}`);
    assert.deepEqual(results.filter((result) => !result.sameKernels), [], "the C and TypeScript PNG kernels differ");
    assert.deepEqual(results.filter((result) => !result.same), [], "the device path (miniz, C kernels) and the TypeScript path differ");
    // The check covers what it claims: every file at every split, mutations that fail and that decode.
    assert.equal(results.length, files.length * (SPLITS.length + MUTATIONS));
    assert.ok(results.filter((result) => !result.name.includes("mutation") && result.expected.error === null && result.expected.frames > 0).length === files.length * SPLITS.length, "a corpus file did not decode");
    const mutated = results.filter((result) => result.name.includes("mutation"));
    // (Damaged zlib data never decodes whole: the Adler-32 check catches what the codes do not.)
    assert.ok(mutated.filter((result) => result.device.message?.includes("native inflate: bad zlib data")).length > 0, "miniz never rejected a mutation itself");
    assert.ok(mutated.filter((result) => result.expected.error === "truncated").length > 0, "no mutation was truncated");
    assert.ok(mutated.filter((result) => result.expected.message?.includes("unknown filter type")).length > 0, "no mutation reached an unknown filter type");
    assert.ok(mutated.filter((result) => result.expected.error !== null && result.expected.frames > 0).length > 0, "no mutation failed after a completed frame");
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
