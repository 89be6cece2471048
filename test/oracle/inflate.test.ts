// The TypeScript inflater against node:zlib (Node only): seeded data of several kinds compressed at
// every level and strategy and window size, fed in random slices; and seeded corruptions of those
// streams, where both must agree on accepting (with the same output) or rejecting.

import { test } from "node:test";
import assert from "node:assert/strict";
import { constants, deflateSync, inflateSync } from "node:zlib";
import { InflateError } from "../../src/art/inflate-error.js";
import { TsInflater } from "../../src/art/inflate.js";
import { seededRandom } from "../support/png-encode.js";

function inflateSliced(stream: Uint8Array, random: () => number, maxSlice: number): Buffer {
  const inflater = new TsInflater();
  const parts: Buffer[] = [];
  const output = { write: (bytes: Uint8Array) => void parts.push(Buffer.from(bytes)) };
  for (let at = 0; at < stream.length; ) {
    const size = 1 + Math.floor(random() * maxSlice);
    inflater.push(stream.subarray(at, at + size), output);
    at += size;
  }
  inflater.finish();
  return Buffer.concat(parts);
}

function sampleData(kind: string, size: number, random: () => number): Buffer {
  const data = Buffer.alloc(size);
  if (kind === "random") for (let i = 0; i < size; i++) data[i] = Math.floor(random() * 256);
  else if (kind === "text") {
    const words = ["pixel", "art", "makapix", "frame", "palette", " ", " ", "\n", "the", "of"];
    let i = 0;
    while (i < size) for (const c of Buffer.from(words[Math.floor(random() * words.length)]!)) if (i < size) data[i++] = c;
  } else if (kind === "runs") {
    for (let i = 0; i < size; ) {
      const value = Math.floor(random() * 4) * 60;
      const run = 1 + Math.floor(random() * 300);
      for (let k = 0; k < run && i < size; k++) data[i++] = value;
    }
  } else {
    // "pixels": RGBA rows with repeats a row apart, like filtered pixel art
    const width = 64 * 4;
    for (let i = 0; i < size; i++) data[i] = i >= width && random() < 0.8 ? data[i - width]! : Math.floor(random() * 16) * 17;
  }
  return data;
}

test("inflate equals node:zlib at every level, strategy and window size, in random slices", () => {
  const random = seededRandom(1950);
  const strategies = [constants.Z_DEFAULT_STRATEGY, constants.Z_FILTERED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FIXED];
  let streams = 0;
  for (const kind of ["random", "text", "runs", "pixels"]) {
    for (const size of [0, 1, 1000, 70_000]) {
      const data = sampleData(kind, size, random);
      for (let level = 0; level <= 9; level++) {
        const strategy = strategies[(level + size) % strategies.length]!;
        const windowBits = 9 + ((level * 3 + size) % 7); // 9..15
        const stream = new Uint8Array(deflateSync(data, { level, strategy, windowBits }));
        const maxSlice = [1, 7, 300, 100_000][(level + streams) % 4]!;
        const result = inflateSliced(stream, random, size > 10_000 && maxSlice === 1 ? 3 : maxSlice);
        assert.ok(result.equals(data), `${kind} ${size} B, level ${level}, strategy ${strategy}, window ${windowBits}, slices ≤ ${maxSlice}`);
        streams++;
      }
    }
  }
  assert.equal(streams, 160);
});

test("seeded corruptions: inflate and node:zlib agree on accepting (same output) or rejecting", () => {
  const random = seededRandom(1951);
  const counts: Record<string, number> = { accepted: 0 };
  for (let n = 0; n < 600; n++) {
    const kind = ["random", "text", "runs", "pixels"][n % 4]!;
    const data = sampleData(kind, 50 + Math.floor(random() * 3000), random);
    const stream = new Uint8Array(deflateSync(data, { level: n % 10 }));
    const flips = 1 + Math.floor(random() * 3);
    for (let k = 0; k < flips; k++) stream[Math.floor(random() * stream.length)] ^= 1 << Math.floor(random() * 8);
    let expected: Buffer | undefined;
    try {
      // finishFlush Z_SYNC_FLUSH would hide truncation; the default (Z_FINISH) reports it like ours.
      expected = inflateSync(stream);
    } catch {
      expected = undefined;
    }
    let actual: Buffer | undefined;
    try {
      actual = inflateSliced(stream, random, 64);
      counts.accepted!++;
    } catch (error) {
      assert.ok(error instanceof InflateError, `not an InflateError: ${String(error)}`);
      const reason = error.message.replace(/\d+/g, "N");
      counts[reason] = (counts[reason] ?? 0) + 1;
      if (expected && /after the end/.test(error.message)) continue; // zlib ignores bytes after the stream
    }
    assert.equal(actual === undefined, expected === undefined, `stream ${n}: zlib ${expected ? "accepted" : "rejected"} it, we did not`);
    if (actual && expected) assert.ok(actual.equals(expected), `stream ${n}: different output`);
  }
  console.log(`inflate corruptions: ${JSON.stringify(counts)}`);
});
