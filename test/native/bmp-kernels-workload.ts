// Runs inside xst-art-asan (scripts/build-xst.sh --art asan: the SDK's xst with the BMP kernels,
// hosts/moddable/native/bmp_kernels.c, built with ASan + UBSan as the global `bmpNatives`) for
// test/native/bmp-kernels.test.ts.
// 1. Each BMP goes through the player's BMP decoder twice, pushed in chunks of each given size: with the
//    TypeScript kernels (src/art/bmp-kernels.ts, the oracle) and with the C kernels
//    (hosts/moddable/native-bmp.ts over bmpNatives). Both must deliver exactly the same rows (every row,
//    in order, hashed), frames and error (class, code and message), or none.
//    Inputs: the files given, and for each `mutations` seeded mutations: 1-4 bytes overwritten (half of
//    them in the headers, masks and palette, where a BMP decoder can be fooled, half in the pixels),
//    some of them truncated.
// 2. Each kernel called directly with seeded random arguments (widths, byte and bit depths, contiguous
//    masks at every position and width, palette sizes, random row bytes): the same RGBA bytes and the
//    same return value from both. Then arguments outside their buffers: the C must throw RangeError.
//   BMP_KERNELS = { files: { name, chunks: number[][] }[], splits: number[], mutations, direct, seed }
// Prints `BMPK <json>` per input and split, `BMPK-DIRECT <json>` and `BMPK-DONE <json>` at the end.

import { tsBmpKernels } from "../../src/art/bmp-kernels.js";
import { createDecoder } from "../../src/art/decoders.js";
import type { BmpKernels } from "../../src/ports.js";
import { nativeBmpKernels, type BmpNatives } from "../../hosts/moddable/native-bmp.js";
import { concatBytes, xorshiftRandom } from "../support/bytes.js";
import { decodeInSlices, RowDigest } from "./decode-outcome.js";

const host = globalThis as unknown as {
  BMP_KERNELS: { files: { name: string; chunks: number[][] }[]; splits: number[]; mutations: number; direct: number; seed: number };
  bmpNatives: BmpNatives;
  print(text: string): void;
};
const { files, splits, mutations, direct, seed } = host.BMP_KERNELS;
const cKernels = nativeBmpKernels(host.bmpNatives);
/** Native calls made by the decodes, per kernel: the C path must actually have run. */
const calls = { byteRow: 0, fieldRow: 0, indexedRow: 0 };
const counted: BmpKernels = Object.freeze({
  byteRow(row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, hasAlpha: boolean): void {
    calls.byteRow++;
    cKernels.byteRow(row, rgba, width, bytesPerPixel, hasAlpha);
  },
  fieldRow(row: Uint8Array, rgba: Uint8Array, width: number, bytesPerPixel: number, masks: Uint32Array): void {
    calls.fieldRow++;
    cKernels.fieldRow(row, rgba, width, bytesPerPixel, masks);
  },
  indexedRow(row: Uint8Array, rgba: Uint8Array, width: number, bitsPerPixel: number, palette: Uint8Array, entryBytes: number, entries: number): number {
    calls.indexedRow++;
    return cKernels.indexedRow(row, rgba, width, bitsPerPixel, palette, entryBytes, entries);
  },
});

interface Outcome {
  error: string | null;
  message: string | null;
  all: number;
  rows: number;
  frames: number;
}

function decode(bytes: Uint8Array, split: number, kernels: BmpKernels): Outcome {
  const sink = new RowDigest();
  const { error, message } = decodeInSlices(() => createDecoder("bmp", sink, { kernels: { bmp: kernels } }), bytes, split);
  return { error, message, all: sink.all, rows: sink.rows, frames: sink.frames };
}

/** Where the pixels start (the file header's offset, kept inside the file). */
function pixelOffset(bytes: Uint8Array): number {
  const offset = bytes.length >= 14 ? (bytes[10]! | (bytes[11]! << 8) | (bytes[12]! << 16) | (bytes[13]! << 24)) >>> 0 : 0;
  return Math.min(Math.max(offset, 14), bytes.length);
}

/** Overwrites 1-4 bytes, each in the headers (masks, palette) or in the pixels; sometimes truncates. */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const out = bytes.slice();
  const pixels = pixelOffset(bytes);
  for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
    const inHeaders = random() < 0.5 || pixels >= out.length;
    const at = inHeaders ? Math.floor(random() * pixels) : pixels + Math.floor(random() * (out.length - pixels));
    out[at] = Math.floor(random() * 256);
  }
  return random() < 0.2 ? out.subarray(0, Math.floor(out.length * (0.3 + 0.65 * random()))) : out;
}

let compared = 0;
let differing = 0;
function compare(name: string, bytes: Uint8Array, split: number): void {
  const expected = decode(bytes, split, tsBmpKernels);
  const actual = decode(bytes, split, counted);
  const same = expected.error === actual.error && expected.message === actual.message && expected.all === actual.all && expected.rows === actual.rows && expected.frames === actual.frames;
  compared++;
  if (!same) differing++;
  host.print(`BMPK ${JSON.stringify({ name, split, same, expected, actual })}`);
}

const random = xorshiftRandom(seed);
for (const file of files) {
  const bytes = concatBytes(file.chunks);
  for (const split of splits) compare(file.name, bytes, split);
  // Mutations in chunks of the given sizes but 1 (a 256×256 file byte by byte costs seconds here).
  const mutationSplits = splits.filter((split) => split > 1);
  for (let m = 0; m < mutations; m++) compare(`${file.name} mutation ${m}`, mutate(bytes, random), mutationSplits[m % mutationSplits.length]!);
}

// ---- 2. The kernels called directly.

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** A contiguous mask (any start, any width up to the top bit), or 0. */
function randomMask(): number {
  if (random() < 0.15) return 0;
  const shift = Math.floor(random() * 32);
  const bits = 1 + Math.floor(random() * (32 - shift));
  return (bits === 32 ? 0xffffffff : ((2 ** bits - 1) * 2 ** shift)) >>> 0;
}

const directCounts = { byteRow: 0, fieldRow: 0, indexedRow: 0, beyond: 0, differing: 0, faults: 0, faultsMissed: 0 };
const differences: string[] = [];
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function record(kind: string, same: boolean, details: () => string): void {
  if (same) return;
  directCounts.differing++;
  if (differences.length < 10) differences.push(`${kind}: ${details()}`);
}

for (let n = 0; n < direct; n++) {
  const width = 1 + Math.floor(random() * (random() < 0.5 ? 9 : 300));
  const rgbaSize = width * 4 + Math.floor(random() * 8);
  const fill = Math.floor(random() * 256);
  const tsRgba = new Uint8Array(rgbaSize).fill(fill);
  const cRgba = new Uint8Array(rgbaSize).fill(fill);
  const kind = n % 3;
  if (kind === 0) {
    const bytesPerPixel = random() < 0.5 ? 3 : 4;
    const hasAlpha = bytesPerPixel === 4 && random() < 0.5;
    const row = randomBytes(width * bytesPerPixel + Math.floor(random() * 4));
    tsBmpKernels.byteRow(row, tsRgba, width, bytesPerPixel, hasAlpha);
    cKernels.byteRow(row, cRgba, width, bytesPerPixel, hasAlpha);
    directCounts.byteRow++;
    record("byteRow", sameBytes(tsRgba, cRgba), () => JSON.stringify({ width, bytesPerPixel, hasAlpha }));
  } else if (kind === 1) {
    const bytesPerPixel = 2 + Math.floor(random() * 3);
    const masks = new Uint32Array([randomMask(), randomMask(), randomMask(), randomMask()]);
    const row = randomBytes(width * bytesPerPixel + Math.floor(random() * 4));
    tsBmpKernels.fieldRow(row, tsRgba, width, bytesPerPixel, masks);
    cKernels.fieldRow(row, cRgba, width, bytesPerPixel, masks);
    directCounts.fieldRow++;
    record("fieldRow", sameBytes(tsRgba, cRgba), () => JSON.stringify({ width, bytesPerPixel, masks: Array.from(masks) }));
  } else {
    const bitsPerPixel = [1, 2, 4, 8][Math.floor(random() * 4)]!;
    const entryBytes = random() < 0.5 ? 3 : 4;
    const entries = 1 + Math.floor(random() * (1 << bitsPerPixel));
    const palette = randomBytes(entries * entryBytes + Math.floor(random() * 4));
    const row = randomBytes(Math.ceil((width * bitsPerPixel) / 8) + Math.floor(random() * 4));
    const expected = tsBmpKernels.indexedRow(row, tsRgba, width, bitsPerPixel, palette, entryBytes, entries);
    const actual = cKernels.indexedRow(row, cRgba, width, bitsPerPixel, palette, entryBytes, entries);
    directCounts.indexedRow++;
    if (expected >= 0) directCounts.beyond++;
    record("indexedRow", expected === actual && sameBytes(tsRgba, cRgba), () => JSON.stringify({ width, bitsPerPixel, entryBytes, entries, expected, actual }));
  }
}

// Arguments outside their buffers or ranges: a caller bug, which the C must refuse (RangeError), never read past.
const natives = host.bmpNatives;
const row = new Uint8Array(30);
const rgba = new Uint8Array(40);
const palette = new Uint8Array(12);
const masks = new Uint32Array([0xf800, 0x07e0, 0x001f, 0]);
const faults: [string, () => unknown][] = [
  ["byteRow: row too short", () => natives.bmpByteRow(row, rgba, 10, 4, false)],
  ["byteRow: rgba too short", () => natives.bmpByteRow(row, rgba.subarray(1), 10, 3, false)],
  ["byteRow: 2 bytes a pixel", () => natives.bmpByteRow(row, rgba, 4, 2, false)],
  ["byteRow: alpha with 3 bytes", () => natives.bmpByteRow(row, rgba, 4, 3, true)],
  ["byteRow: negative width", () => natives.bmpByteRow(row, rgba, -1, 3, false)],
  ["fieldRow: row too short", () => natives.bmpFieldRow(row, rgba, 10, 4, masks.buffer)],
  ["fieldRow: 5 bytes a pixel", () => natives.bmpFieldRow(row, rgba, 2, 5, masks.buffer)],
  ["fieldRow: masks too short", () => natives.bmpFieldRow(row, rgba, 2, 2, new Uint32Array(3).buffer)],
  ["fieldRow: a mask not contiguous", () => natives.bmpFieldRow(row, rgba, 2, 2, new Uint32Array([0x5, 0, 0, 0]).buffer)],
  ["fieldRow: masks a view", () => cKernels.fieldRow(row, rgba, 2, 2, new Uint32Array(new ArrayBuffer(20), 4, 4))],
  ["indexedRow: row too short", () => natives.bmpIndexedRow(row.subarray(0, 9), rgba, 10, 8, palette, 4, 3)],
  ["indexedRow: 3 bits a pixel", () => natives.bmpIndexedRow(row, rgba, 4, 3, palette, 4, 3)],
  ["indexedRow: palette too short", () => natives.bmpIndexedRow(row, rgba, 4, 8, palette, 4, 4)],
  ["indexedRow: 5-byte entries", () => natives.bmpIndexedRow(row, rgba, 4, 8, palette, 5, 2)],
  ["indexedRow: rgba too short", () => natives.bmpIndexedRow(row, rgba, 11, 1, palette, 3, 2)],
];
for (const [name, call] of faults) {
  directCounts.faults++;
  try {
    call();
    directCounts.faultsMissed++;
    differences.push(`${name}: no RangeError`);
  } catch (caught) {
    if (!(caught instanceof RangeError)) {
      directCounts.faultsMissed++;
      differences.push(`${name}: ${String(caught)}`);
    }
  }
}
host.print(`BMPK-DIRECT ${JSON.stringify({ ...directCounts, differences })}`);
host.print(`BMPK-DONE ${JSON.stringify({ compared, differing, calls })}`);
