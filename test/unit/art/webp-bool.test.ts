// The VP8 boolean decoder and its wider window (src/art/webp-bool.ts): bools written by an encoder that
// follows RFC 6386 §7.3 come back as written, and a reader that runs on the wider window
// (readModes) hands the decoder back in exactly the state BoolDecoder.read alone would have reached
// — mid-byte, with bytes read ahead, and past the end of the data.

import { test } from "node:test";
import assert from "node:assert/strict";
import { xorshiftRandom } from "../../support/bytes.js";
import { BoolDecoder } from "../../../src/art/webp-bool.js";
import { readModes } from "../../../src/art/webp-lossy-modes.js";
import { KEY_FRAME_SUBBLOCK_MODE_PROBS } from "../../../src/art/webp-lossy-tables.js";

/** The boolean entropy encoder of RFC 6386 §7.3. */
class BoolEncoder {
  readonly bytes: number[] = [];
  #range = 255;
  #bottom = 0;
  #bitCount = 24;

  write(bit: number, prob: number): void {
    const split = 1 + (((this.#range - 1) * prob) >> 8);
    if (bit) {
      this.#bottom = (this.#bottom + split) >>> 0;
      this.#range -= split;
    } else {
      this.#range = split;
    }
    while (this.#range < 128) {
      this.#range <<= 1;
      if (this.#bottom & 0x80000000) this.#carry();
      this.#bottom = (this.#bottom << 1) >>> 0;
      if (--this.#bitCount === 0) {
        this.bytes.push(this.#bottom >>> 24);
        this.#bottom &= 0xffffff;
        this.#bitCount = 8;
      }
    }
  }

  /** The last bits out: 32 more bools at probability 1/2. */
  finish(): Uint8Array {
    for (let i = 0; i < 32; i++) this.write(0, 128);
    return Uint8Array.from(this.bytes);
  }

  #carry(): void {
    let i = this.bytes.length - 1;
    while (i >= 0 && this.bytes[i] === 255) this.bytes[i--] = 0;
    this.bytes[i]!++;
  }
}

/** One bool as the test wrote it. */
interface Bool {
  bit: number;
  prob: number;
}

// Macroblock headers as readModes reads them with no segment map and no skip flag (RFC 6386 §11.2,
// §19.3): the luma mode tree (145, 156, 163, 128), the chroma mode tree (142, 114, 183), and for
// B_PRED 16 subblock modes; B_DC_PRED everywhere keeps every subblock's context at (0, 0).
const HEADERS: { yMode: number; uvMode: number; bools: Bool[] }[] = [
  { yMode: 0, uvMode: 0, bools: [{ bit: 1, prob: 145 }, { bit: 0, prob: 156 }, { bit: 0, prob: 163 }, { bit: 0, prob: 142 }] }, // DC_PRED, DC_PRED
  { yMode: 3, uvMode: 3, bools: [{ bit: 1, prob: 145 }, { bit: 1, prob: 156 }, { bit: 1, prob: 128 }, { bit: 1, prob: 142 }, { bit: 1, prob: 114 }, { bit: 1, prob: 183 }] }, // TM_PRED, TM_PRED
  { yMode: 1, uvMode: 2, bools: [{ bit: 1, prob: 145 }, { bit: 0, prob: 156 }, { bit: 1, prob: 163 }, { bit: 1, prob: 142 }, { bit: 1, prob: 114 }, { bit: 0, prob: 183 }] }, // V_PRED, H_PRED
  {
    yMode: 4, // B_PRED, all subblocks B_DC_PRED, then V_PRED for chroma
    uvMode: 1,
    bools: [{ bit: 0, prob: 145 }, ...Array.from({ length: 16 }, () => ({ bit: 0, prob: KEY_FRAME_SUBBLOCK_MODE_PROBS[0]! })), { bit: 1, prob: 142 }, { bit: 0, prob: 114 }],
  },
];

/** Headers and, after each, 0–40 bools of random probabilities, as a stream and as the bools in order. */
function headersAndBools(seed: number, count: number): { data: Uint8Array; plan: { header: number; after: Bool[] }[] } {
  const random = xorshiftRandom(seed);
  const encoder = new BoolEncoder();
  const plan: { header: number; after: Bool[] }[] = [];
  for (let i = 0; i < count; i++) {
    const header = Math.floor(random() * HEADERS.length);
    for (const { bit, prob } of HEADERS[header]!.bools) encoder.write(bit, prob);
    const after: Bool[] = [];
    // Some runs long enough to leave the window's 3-byte reads behind, some none at all.
    const length = random() < 0.3 ? 0 : Math.floor(random() * 41);
    for (let k = 0; k < length; k++) {
      const prob = 1 + Math.floor(random() * 255);
      const bit = random() * 256 < prob ? 0 : 1;
      encoder.write(bit, prob);
      after.push({ bit, prob });
    }
    plan.push({ header, after });
  }
  return { data: encoder.finish(), plan };
}

function stateOf(decoder: BoolDecoder): number[] {
  return [decoder.position, decoder.value, decoder.range, decoder.bitCount, decoder.padding];
}

test("BoolDecoder.read returns the bools the RFC 6386 encoder wrote, at any probability", () => {
  const random = xorshiftRandom(7);
  const encoder = new BoolEncoder();
  const written: Bool[] = [];
  for (let i = 0; i < 5000; i++) {
    const prob = 1 + Math.floor(random() * 255);
    const bit = random() < 0.5 ? 0 : 1;
    encoder.write(bit, prob);
    written.push({ bit, prob });
  }
  const decoder = new BoolDecoder();
  const data = encoder.finish();
  decoder.init(data, 0, data.length);
  assert.deepEqual(
    written.map(({ prob }) => decoder.read(prob)),
    written.map(({ bit }) => bit),
  );
  assert.equal(decoder.padding, 0);
});

test("readModes reads headers on the wider window and leaves the decoder where BoolDecoder.read would", () => {
  for (const seed of [1, 2, 3]) {
    const { data, plan } = headersAndBools(seed, 300);
    const windowed = new BoolDecoder();
    const reference = new BoolDecoder();
    windowed.init(data, 0, data.length);
    reference.init(data, 0, data.length);
    const subModes = new Uint8Array(16);
    const aboveModes = new Uint8Array(4);
    const leftModes = new Uint8Array(4);
    for (const [i, { header, after }] of plan.entries()) {
      const { yMode, uvMode, bools } = HEADERS[header]!;
      // Every header written with its subblocks' contexts at (B_DC_PRED, B_DC_PRED).
      aboveModes.fill(0);
      leftModes.fill(0);
      const modes = readModes(windowed, undefined, -1, 0, subModes, aboveModes, leftModes);
      assert.deepEqual([modes & 3, (modes >> 2) & 1, (modes >> 3) & 7, modes >> 6], [0, 0, yMode, uvMode], `seed ${seed}, header ${i}`);
      for (const { prob } of bools) reference.read(prob);
      assert.deepEqual(stateOf(windowed), stateOf(reference), `seed ${seed}: the decoder's state after header ${i}`);
      assert.deepEqual(
        after.map(({ prob }) => windowed.read(prob)),
        after.map(({ bit }) => bit),
        `seed ${seed}: the bools after header ${i}`,
      );
      for (const { prob } of after) reference.read(prob);
    }
  }
});

// The path to each leaf of a tree, for the reference reads of the truncated-stream test: the luma
// and chroma mode trees as above, and the subblock mode tree of RFC 6386 §11.2 (node i's bool has
// probability probs[i / 2]; an entry is a node's index or a leaf -1 - mode).
const Y_MODE_PATHS: Bool[][] = [
  [{ bit: 1, prob: 145 }, { bit: 0, prob: 156 }, { bit: 0, prob: 163 }],
  [{ bit: 1, prob: 145 }, { bit: 0, prob: 156 }, { bit: 1, prob: 163 }],
  [{ bit: 1, prob: 145 }, { bit: 1, prob: 156 }, { bit: 0, prob: 128 }],
  [{ bit: 1, prob: 145 }, { bit: 1, prob: 156 }, { bit: 1, prob: 128 }],
  [{ bit: 0, prob: 145 }],
];
const UV_MODE_PATHS: Bool[][] = [[{ bit: 0, prob: 142 }], [{ bit: 1, prob: 142 }, { bit: 0, prob: 114 }], [{ bit: 1, prob: 142 }, { bit: 1, prob: 114 }, { bit: 0, prob: 183 }], [{ bit: 1, prob: 142 }, { bit: 1, prob: 114 }, { bit: 1, prob: 183 }]];
const SUBBLOCK_TREE = [-1, 2, -2, 4, -3, 6, 8, 12, -4, 10, -6, -7, -5, 14, -8, 16, -9, -10];

/** The bools (node indices and bits) from the subblock tree's root to `mode`. */
function subblockPath(mode: number, node = 0): { node: number; bit: number }[] | undefined {
  for (const bit of [0, 1]) {
    const next = SUBBLOCK_TREE[node + bit]!;
    if (next === -1 - mode) return [{ node, bit }];
    if (next >= 0) {
      const rest = subblockPath(mode, next);
      if (rest) return [{ node, bit }, ...rest];
    }
  }
  return undefined;
}

test("past the end of the data the wider window counts the same zero padding as BoolDecoder.read", () => {
  const { data, plan } = headersAndBools(4, 80);
  // Cut the stream short: the later headers decode from the zero bytes past the end, as whatever
  // modes those give; the reference then reads the bools of the modes readModes returned.
  const end = data.length >> 1;
  const windowed = new BoolDecoder();
  const reference = new BoolDecoder();
  windowed.init(data, 0, end);
  reference.init(data, 0, end);
  const subModes = new Uint8Array(16);
  const aboveModes = new Uint8Array(4);
  const leftModes = new Uint8Array(4);
  for (const { after } of plan) {
    const above = Uint8Array.from(aboveModes);
    const left = Uint8Array.from(leftModes);
    const modes = readModes(windowed, undefined, -1, 0, subModes, aboveModes, leftModes);
    const yMode = (modes >> 3) & 7;
    for (const { prob } of Y_MODE_PATHS[yMode]!) reference.read(prob);
    if (yMode === 4) {
      for (let b = 0; b < 16; b++) {
        const context = ((b < 4 ? above[b]! : subModes[b - 4]!) * 10 + ((b & 3) === 0 ? left[b >> 2]! : subModes[b - 1]!)) * 9;
        for (const { node } of subblockPath(subModes[b]!)!) reference.read(KEY_FRAME_SUBBLOCK_MODE_PROBS[context + (node >> 1)]!);
      }
    }
    for (const { prob } of UV_MODE_PATHS[modes >> 6]!) reference.read(prob);
    assert.deepEqual(stateOf(windowed), stateOf(reference));
    for (const { prob } of after) assert.equal(windowed.read(prob), reference.read(prob));
  }
  assert.ok(windowed.padding > 4, "the reads ran well past the end");
});
