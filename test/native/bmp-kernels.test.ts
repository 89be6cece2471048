// The BMP kernels (hosts/moddable/native/bmp_kernels.c, ASan + UBSan) against their TypeScript twins
// (src/art/bmp-kernels.ts), inside xst-art-asan (scripts/build-xst.sh --art asan): every file of the
// BMP oracle corpus (ImageMagick's BMP3 24-bit, V5 32-bit with alpha, 16-bit 5-6-5, 8/4/1-bit palettes,
// OS/2 core, at four sizes), our own BMPs of every layout the decoder reads (palettes of every depth
// with short palettes and an index beyond one, 5-5-5, 5-6-5 and 4-4-4-4 alpha bit fields, 1-bit fields,
// BGRA and RGBA masks, 10-10-10-2, a 32-bit-wide field, BI_RGB 32-bit, 24-bit both row orders, core
// headers and gaps) and the device-time bench's 256×256 24-bit BMP, each pushed in 1, 7, 64 and
// 1024-byte chunks and whole, and seeded mutations of each (headers, masks, palettes and pixels; some
// truncated). The C kernels must give exactly the TypeScript kernels' rows and errors (message
// included), with no sanitizer report. Each kernel is also called directly on seeded random rows,
// masks and palettes, and with arguments outside their buffers (RangeError). The driver:
// test/native/bmp-kernels-workload.ts. Skipped without the SDK.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildBmpCorpus } from "../oracle/bmp-corpus.js";
import { pixelArt } from "../oracle/png-corpus.js";
import { encodeBmp, type BmpSpec } from "../support/bmp-encode.js";
import { xorshiftRandom } from "../support/bytes.js";
import { buildAsanXst, jsonChunks, runAsanWorkload } from "./asan-xst.js";

const SPLITS = [1024, 1, 7, 64, 1 << 30];
const MUTATIONS = 24;
const DIRECT = 3000;

/** Our own BMPs: every row layout the decoder hands to a kernel, and the header shapes around them. */
function ownFiles(): { name: string; bytes: Uint8Array }[] {
  const random = xorshiftRandom(1515);
  const words = (count: number, mask = 0xffffffff) => Array.from({ length: count }, () => (Math.floor(random() * 4294967296) & mask) >>> 0);
  const indices = (count: number, below: number) => Array.from({ length: count }, () => Math.floor(random() * below));
  const palette = (count: number) => words(count, 0xffffff);
  const specs: [string, BmpSpec][] = [
    ["1-bit 13x3, 2 colours", { width: 13, height: 3, bitsPerPixel: 1, pixels: indices(39, 2), palette: palette(2) }],
    ["1-bit 8x2, 1 colour (index 1 beyond it)", { width: 8, height: 2, bitsPerPixel: 1, pixels: indices(16, 2), palette: palette(1) }],
    ["4-bit 7x5, 8 colours", { width: 7, height: 5, bitsPerPixel: 4, pixels: indices(35, 8), palette: palette(8) }],
    ["4-bit 9x4, 16 colours, top-down", { width: 9, height: 4, bitsPerPixel: 4, pixels: indices(36, 16), palette: palette(16), topDown: true }],
    ["8-bit 9x4, 200 colours", { width: 9, height: 4, bitsPerPixel: 8, pixels: indices(36, 200), palette: palette(200) }],
    ["8-bit 6x6, 4 colours, an index beyond them in row 3", { width: 6, height: 6, bitsPerPixel: 8, pixels: indices(36, 4).map((index, i) => (i === 20 ? 9 : index)), palette: palette(4), topDown: true }],
    ["8-bit core header, gap", { width: 5, height: 3, bitsPerPixel: 8, pixels: indices(15, 6), palette: palette(6), infoSize: 12, gap: 5 }],
    ["16-bit 5-5-5", { width: 5, height: 3, bitsPerPixel: 16, pixels: words(15, 0xffff) }],
    ["16-bit 5-6-5 masks after the header", { width: 7, height: 3, bitsPerPixel: 16, pixels: words(21, 0xffff), masks: [0xf800, 0x07e0, 0x001f] }],
    ["16-bit 4-4-4-4 alpha bit fields", { width: 6, height: 2, bitsPerPixel: 16, pixels: words(12, 0xffff), masks: [0x0f00, 0x00f0, 0x000f, 0xf000] }],
    ["16-bit 1-bit fields, V4", { width: 4, height: 4, bitsPerPixel: 16, pixels: words(16, 0xffff), masks: [0x0001, 0x0002, 0x0004, 0x8000], infoSize: 108 }],
    ["32-bit BI_RGB", { width: 5, height: 3, bitsPerPixel: 32, pixels: words(15) }],
    ["32-bit BGRA masks, V5", { width: 5, height: 3, bitsPerPixel: 32, pixels: words(15), masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000], infoSize: 124 }],
    ["32-bit RGBA masks, V5", { width: 5, height: 3, bitsPerPixel: 32, pixels: words(15), masks: [0xff000000, 0x00ff0000, 0x0000ff00, 0x000000ff], infoSize: 124 }],
    ["32-bit 10-10-10-2, V4", { width: 4, height: 3, bitsPerPixel: 32, pixels: words(12), masks: [0x3ff00000, 0x000ffc00, 0x000003ff, 0xc0000000], infoSize: 108 }],
    ["32-bit one 32-bit-wide field, V4", { width: 3, height: 2, bitsPerPixel: 32, pixels: words(6), masks: [0xffffffff, 0, 0, 0], infoSize: 108 }],
    ["24-bit 5x3 bottom-up", { width: 5, height: 3, bitsPerPixel: 24, pixels: words(15, 0xffffff) }],
    ["24-bit 6x2 top-down", { width: 6, height: 2, bitsPerPixel: 24, pixels: words(12, 0xffffff), topDown: true }],
  ];
  const art = pixelArt(256, 256, 5);
  return [
    ...specs.map(([name, spec]) => ({ name: `own ${name}`, bytes: encodeBmp(spec) })),
    // The device-time bench's file (bench/device-time.bench.ts).
    { name: "device-time 256x256 24-bit", bytes: encodeBmp({ width: 256, height: 256, bitsPerPixel: 24, pixels: Array.from({ length: 256 * 256 }, (_, i) => (art[i * 4]! << 16) | (art[i * 4 + 1]! << 8) | art[i * 4 + 2]!) }) },
  ];
}

const xst = buildAsanXst();

test("the C BMP kernels give the TypeScript kernels' rows and errors on every BMP and on mutations (ASan + UBSan)", { skip: xst ? false : "no Moddable SDK" }, async (t) => {
  const directory = mkdtempSync(join(tmpdir(), "bmp-kernels-"));
  try {
    const files = [...(await buildBmpCorpus(directory)).map(({ name, bytes }) => ({ name: `imagemagick ${name}`, bytes })), ...ownFiles()];
    const input = {
      files: files.map(({ name, bytes }) => ({ name, chunks: jsonChunks(bytes) })),
      splits: SPLITS,
      mutations: MUTATIONS,
      direct: DIRECT,
      seed: 1515,
    };
    const run = await runAsanWorkload(xst!, directory, { global: "BMP_KERNELS", input, workload: "test/native/bmp-kernels-workload.ts", timeoutMs: 900_000, dumpVariable: "BMP_KERNELS_DUMP" });
    const lines = run.lines;
    type Outcome = { error: string | null; message: string | null; all: number; rows: number; frames: number };
    const results = lines.filter((line) => line.startsWith("BMPK ")).map((line) => JSON.parse(line.slice(5)) as { name: string; split: number; same: boolean; expected: Outcome; actual: Outcome });
    const doneLine = lines.find((line) => line.startsWith("BMPK-DONE "));
    const directLine = lines.find((line) => line.startsWith("BMPK-DIRECT "));
    assert.ok(doneLine && directLine, `the workload did not finish:\n${run.stdout.slice(-3000)}`);
    const done = JSON.parse(doneLine.slice(10)) as { compared: number; differing: number; calls: Record<string, number> };
    const directResult = JSON.parse(directLine.slice(12)) as { byteRow: number; fieldRow: number; indexedRow: number; beyond: number; differing: number; faults: number; faultsMissed: number; differences: string[] };
    assert.deepEqual(results.filter((result) => !result.same), [], "the C and TypeScript BMP kernels differ");
    assert.deepEqual(directResult.differences, [], "the kernels called directly differ, or the C took an argument outside its buffer");
    // The check covers what it claims: every file at every split, mutations that fail and that decode,
    // every kernel run natively, each error the rows can raise reached.
    assert.equal(results.length, files.length * (SPLITS.length + MUTATIONS));
    assert.equal(results.filter((result) => !result.name.includes("mutation") && result.expected.error === null && result.expected.frames === 1).length, (files.length - 2) * SPLITS.length, "a corpus file did not decode");
    for (const kernel of ["byteRow", "fieldRow", "indexedRow"]) assert.ok((done.calls[kernel] ?? 0) > 0, `the C ${kernel} never ran`);
    const mutated = results.filter((result) => result.name.includes("mutation"));
    assert.ok(mutated.some((result) => result.expected.message?.includes("palette index")), "no mutation reached a palette index beyond the palette");
    assert.ok(mutated.some((result) => result.expected.message?.includes("not contiguous")), "no mutation made a mask not contiguous");
    assert.ok(mutated.some((result) => result.expected.error === "truncated" && result.expected.rows > 0), "no mutation was truncated after some rows");
    assert.ok(mutated.some((result) => result.expected.error === null && result.expected.frames === 1), "no mutation decoded");
    assert.ok(directResult.byteRow > 0 && directResult.fieldRow > 0 && directResult.indexedRow > 0 && directResult.beyond > 0, "the direct calls did not cover every kernel and the index beyond the palette");
    assert.equal(directResult.faultsMissed, 0);
    t.diagnostic(`${results.length} decodes compared (${files.length} files), ${DIRECT} direct calls (${directResult.beyond} with an index beyond the palette), ${directResult.faults} bad arguments refused; C calls ${JSON.stringify(done.calls)}`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
