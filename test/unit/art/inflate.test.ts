// The TypeScript inflater on hand-made zlib streams: stored, fixed and dynamic blocks (long codes,
// single and absent distance codes, overlapping and 32 KiB-far matches), every input slicing down to
// one byte, and each way a stream can be broken -> InflateError with the right code.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InflateError } from "../../../src/art/inflate-error.js";
import { TsInflater, tsInflate } from "../../../src/art/inflate.js";
import { BitWriter, dynamicBlock, expandTokens, fixedBlock, storedBlock, zlibStored, zlibWrap, type Token } from "../../support/deflate-encode.js";
import { concatBytes } from "../../support/bytes.js";
import { seededRandom } from "../../support/png-encode.js";

interface Result {
  bytes: Uint8Array;
  chunks: number;
  largestChunk: number;
}

function inflate(stream: Uint8Array, step = stream.length || 1, inflater = new TsInflater()): Result {
  const parts: Uint8Array[] = [];
  let largestChunk = 0;
  const output = {
    write(bytes: Uint8Array) {
      parts.push(bytes.slice());
      largestChunk = Math.max(largestChunk, bytes.length);
    },
  };
  for (let at = 0; at < stream.length; at += step) inflater.push(stream.subarray(at, at + step), output);
  inflater.finish();
  return { bytes: concatBytes(parts), chunks: parts.length, largestChunk };
}

function errorOf(stream: Uint8Array, step = stream.length || 1): InflateError {
  try {
    inflate(stream, step);
  } catch (error) {
    assert.ok(error instanceof InflateError, `expected an InflateError, got ${String(error)}`);
    return error;
  }
  assert.fail("the stream was accepted");
}

function fromTokens(build: (out: BitWriter) => void, expected: number[]): Uint8Array {
  const out = new BitWriter();
  build(out);
  return zlibWrap(out.result(), Uint8Array.from(expected));
}

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

test("a zlib stream from zlib itself (fixed codes, level 6) decodes, whole and one byte at a time", () => {
  // zlib.deflateSync("hello hello hello hello") - fixed Huffman with a back-reference.
  const stream = Uint8Array.from([0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x27, 0x01, 0x68, 0x03, 0x08, 0xb1]);
  const expected = Uint8Array.from(ascii("hello hello hello hello"));
  assert.deepEqual(inflate(stream).bytes, expected);
  assert.deepEqual(inflate(stream, 1).bytes, expected);
  const inflater = tsInflate.create();
  assert.equal(inflater.done, false);
  inflate(stream, 3, inflater as TsInflater);
  assert.equal(inflater.done, true);
});

test("stored blocks: empty stream, one block, many blocks, any slicing", () => {
  assert.deepEqual(inflate(zlibStored(new Uint8Array(0))).bytes, new Uint8Array(0));
  const random = seededRandom(1);
  const data = Uint8Array.from({ length: 2000 }, () => Math.floor(random() * 256));
  for (const blockSize of [65535, 1000, 1]) {
    const stream = zlibStored(data, blockSize);
    for (const step of [stream.length, 1, 2, 3, 5, 8, 13, 777]) {
      if (blockSize === 1 && step < 13) continue; // 2000 one-byte blocks: covered by the other sizes
      assert.deepEqual(inflate(stream, step).bytes, data, `block size ${blockSize}, step ${step}`);
    }
  }
});

test("fixed blocks: literals, overlapping matches (run of distance 1), longest length 258, every length code", () => {
  const tokens: Token[] = [...ascii("ab"), [10, 1], [258, 2], ...ascii("xyz")];
  for (let length = 3; length <= 258; length += 7) tokens.push([length, 3]);
  const expected = expandTokens(tokens);
  const stream = fromTokens((out) => fixedBlock(out, tokens, true), expected);
  for (const step of [stream.length, 1, 2, 4]) assert.deepEqual(inflate(stream, step).bytes, Uint8Array.from(expected));
});

test("a match reaching back exactly 32768 bytes across a window wrap, and output delivered in chunks of at most 32 KiB", () => {
  const random = seededRandom(2);
  const history = Uint8Array.from({ length: 40000 }, () => Math.floor(random() * 256));
  const tokens: Token[] = [[258, 32768], [100, 32768], [3, 1], 7, [30, 31000]];
  const expected = expandTokens(tokens, Array.from(history));
  const stream = fromTokens((out) => {
    storedBlock(out, history.subarray(0, 30000), false);
    storedBlock(out, history.subarray(30000), false);
    fixedBlock(out, tokens, true);
  }, expected);
  for (const step of [stream.length, 7, 999]) {
    const result = inflate(stream, step);
    assert.deepEqual(result.bytes, Uint8Array.from(expected));
    assert.ok(result.largestChunk <= 32768);
  }
  assert.ok(inflate(stream).chunks >= 2, "more than 32 KiB of output must arrive in several chunks");
});

/** Lengths forming a complete code over `symbols` (k = ceil(log2 n): some of length k-1, the rest k). */
function completeLengths(symbols: readonly number[], size: number): number[] {
  const lengths = new Array<number>(size).fill(0);
  let k = 1;
  while (1 << k < symbols.length) k++;
  const shorter = (1 << k) - symbols.length;
  symbols.forEach((symbol, i) => (lengths[symbol] = i < shorter ? k - 1 : k));
  return lengths;
}

test("dynamic blocks: code lengths 1..15 (longer than the fast table), repeat codes, no distance codes, several blocks", () => {
  // Block 1: 'a'..'n' get lengths 1..14, 'o' and end-of-block 15: sum of 2^-len = 1 - 2^-14 + 2 * 2^-15 = 1.
  const alphabet = ascii("abcdefghijklmno");
  const lit1 = new Array<number>(286).fill(0);
  alphabet.forEach((symbol, i) => (lit1[symbol] = Math.min(i + 1, 15)));
  lit1[256] = 15;
  const tokens1: Token[] = [...alphabet, ...alphabet.slice().reverse(), ...ascii("oooonmlk")];
  // Block 2: every length symbol and every distance symbol. 256 literals of 9 bits (1/2), 256/257 of
  // 5 bits (1/16), 258..285 of 6 bits (7/16); distances 0/1 of 4 bits (1/8), 2..29 of 5 bits (7/8).
  const lit2 = new Array<number>(286).fill(9);
  for (let s = 256; s < 286; s++) lit2[s] = s < 258 ? 5 : 6;
  const dist2 = Array.from({ length: 30 }, (_, d) => (d < 2 ? 4 : 5));
  const tokens2: Token[] = [[3, 1], [258, 30], [4, 17], [50, 100], [200, 29], 0, 255];
  // Block 3: literals only, so no distance code at all (HDIST = 1 with length 0).
  const text = ascii("no distance codes here");
  const lit3 = completeLengths([...new Set(text), 256], 257);
  const expected = expandTokens(text, expandTokens(tokens2, expandTokens(tokens1)));
  const stream = fromTokens((out) => {
    dynamicBlock(out, tokens1, lit1, [1, 1], false);
    dynamicBlock(out, tokens2, lit2, dist2, false);
    dynamicBlock(out, text, lit3, [0], true);
  }, expected);
  for (const step of [stream.length, 1, 2, 6]) assert.deepEqual(inflate(stream, step).bytes, Uint8Array.from(expected), `step ${step}`);
});

test("a dynamic block with a single distance code of length 1 (the one incomplete code allowed)", () => {
  const lit = new Array<number>(286).fill(0);
  lit[65] = 2;
  lit[66] = 2;
  lit[256] = 2;
  lit[257] = 2; // length 3
  const tokens: Token[] = [65, 66, [3, 1], 65];
  const expected = expandTokens(tokens);
  const stream = fromTokens((out) => dynamicBlock(out, tokens, lit, [1], true), expected);
  assert.deepEqual(Array.from(inflate(stream).bytes), expected);
});

test("reset() starts a new stream on the same inflater", () => {
  const inflater = new TsInflater();
  const one = zlibStored(Uint8Array.from(ascii("first")));
  const two = zlibStored(Uint8Array.from(ascii("second")));
  assert.deepEqual(Array.from(inflate(one, 2, inflater).bytes), ascii("first"));
  inflater.reset();
  assert.equal(inflater.done, false);
  assert.deepEqual(Array.from(inflate(two, 1, inflater).bytes), ascii("second"));
});

test("broken headers: wrong method, window above 32 KiB, bad check bits, preset dictionary", () => {
  const good = zlibStored(Uint8Array.from([1, 2, 3]));
  const withHeader = (a: number, b: number): Uint8Array => Uint8Array.from([a, b, ...good.subarray(2)]);
  assert.equal(errorOf(withHeader(0x77, 0x85)).code, "corrupt"); // method 7, check bits valid
  assert.match(errorOf(withHeader(0x77, 0x85)).message, /not deflate/);
  assert.match(errorOf(withHeader(0x88, 0x1c)).message, /window/); // CINFO 8
  assert.match(errorOf(withHeader(0x78, 0x02)).message, /check bits/);
  const dictionary = errorOf(withHeader(0x78, 0xbb)); // FDICT set, (0x78bb % 31 === 0)
  assert.equal(dictionary.code, "unsupported");
});

test("broken blocks: reserved type, stored length check, bad code lengths, bad symbols, bad distances", () => {
  const cases: [string, (out: BitWriter) => void, RegExp][] = [
    ["block type 3", (out) => out.bits(0b111, 3), /reserved/],
    [
      "stored LEN/NLEN",
      (out) => {
        out.bits(1, 3);
        out.alignToByte();
        out.bits(5, 16);
        out.bits(5, 16);
      },
      /length check/,
    ],
    ["fixed symbol 286", (out) => (out.bits(0b011, 3), out.code(0b11000110, 8)), /literal\/length symbol 286/],
    ["fixed distance 30", (out) => (out.bits(0b011, 3), out.code(0b0000001, 7), out.code(30, 5)), /distance symbol 30/],
    ["distance before the start", (out) => fixedBlock(out, [1, [3, 2]], true), /before the start/],
    [
      "too many literal codes",
      (out) => {
        out.bits(0b101, 3);
        out.bits(30, 5);
      },
      /literal\/length codes/,
    ],
    [
      "too many distance codes",
      (out) => {
        out.bits(0b101, 3);
        out.bits(0, 5);
        out.bits(30, 5);
      },
      /distance codes/,
    ],
    [
      "over-subscribed code length code",
      (out) => {
        out.bits(0b101, 3);
        out.bits(0, 5);
        out.bits(0, 5);
        out.bits(15, 4);
        for (let i = 0; i < 19; i++) out.bits(1, 3); // 19 codes of length 1
      },
      /over-subscribed code length/,
    ],
    [
      "incomplete code length code",
      (out) => {
        out.bits(0b101, 3);
        out.bits(0, 5);
        out.bits(0, 5);
        out.bits(0, 4);
        for (let i = 0; i < 4; i++) out.bits(i === 0 ? 0 : 2, 3); // three codes of length 2
      },
      /incomplete code length/,
    ],
  ];
  for (const [name, build, pattern] of cases) {
    const out = new BitWriter();
    build(out);
    out.bits(0, 32);
    const stream = zlibWrap(out.result(), new Uint8Array(0));
    for (const step of [stream.length, 1]) {
      const error = errorOf(stream, step);
      assert.equal(error.code, "corrupt", name);
      assert.match(error.message, pattern, name);
    }
  }
});

test("broken dynamic tables: repeat without a previous length, repeat past the end, no end-of-block code, incomplete lit/len code", () => {
  // Code-length code: all 19 symbols, 13 of 4 bits and 6 of 5 bits (same as the test encoder).
  const header = (out: BitWriter, hlit: number, hdist: number): ((symbol: number) => void) => {
    out.bits(0b101, 3);
    out.bits(hlit - 257, 5);
    out.bits(hdist - 1, 5);
    out.bits(15, 4);
    const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
    for (const symbol of order) out.bits(symbol < 13 ? 4 : 5, 3);
    // canonical codes: symbols 0..12 -> 0..12 (4 bits); 13..18 -> 26..31 (5 bits)
    return (symbol) => (symbol < 13 ? out.code(symbol, 4) : out.code(26 + symbol - 13, 5));
  };
  const build = (write: (out: BitWriter) => void): Uint8Array => {
    const out = new BitWriter();
    write(out);
    out.bits(0, 32);
    return zlibWrap(out.result(), new Uint8Array(0));
  };
  const startsWithRepeat = build((out) => {
    const code = header(out, 257, 1);
    code(16);
    out.bits(0, 2);
  });
  assert.match(errorOf(startsWithRepeat).message, /no previous length/);
  const repeatPastEnd = build((out) => {
    const code = header(out, 257, 1);
    for (let i = 0; i < 2; i++) {
      code(18);
      out.bits(127, 7); // 138 zeros twice = 276 > 258
    }
  });
  assert.match(errorOf(repeatPastEnd).message, /past the end/);
  const noEndOfBlock = build((out) => {
    const code = header(out, 257, 1);
    code(1);
    code(1); // symbols 0 and 1: length 1
    code(18);
    out.bits(127, 7);
    code(18);
    out.bits(106, 7); // zeros up to 256 inclusive, then the distance length
    code(1);
  });
  assert.match(errorOf(noEndOfBlock).message, /end-of-block/);
  const incomplete = build((out) => {
    const code = header(out, 257, 1);
    code(2);
    code(2); // two codes of length 2 = 1/2
    code(18);
    out.bits(127, 7);
    code(18);
    out.bits(105, 7);
    code(2); // EOB: three of four 2-bit codes
    code(1);
  });
  assert.match(errorOf(incomplete).message, /incomplete literal\/length/);
});

test("checksum mismatch, trailing bytes and truncation at every point are typed errors", () => {
  const data = Uint8Array.from(ascii("checksummed data, checksummed data"));
  const tokens: Token[] = [...ascii("checksummed data, "), [16, 18]];
  const good = fromTokens((out) => fixedBlock(out, tokens, true), Array.from(data));
  assert.deepEqual(inflate(good).bytes, data);
  const badSum = good.slice();
  badSum[badSum.length - 1] ^= 1;
  assert.match(errorOf(badSum).message, /Adler-32/);
  assert.match(errorOf(badSum, 1).message, /Adler-32/);
  const trailing = Uint8Array.from([...good, 0]);
  assert.match(errorOf(trailing).message, /after the end/);
  assert.match(errorOf(trailing, 1).message, /after the end/);
  for (let cut = 0; cut < good.length; cut++) {
    const error = errorOf(good.subarray(0, cut), 1);
    assert.equal(error.code, "truncated", `cut at ${cut}: ${error.message}`);
  }
});

test("an inflater that failed keeps failing with the same error", () => {
  const inflater = new TsInflater();
  const output = { write() {} };
  assert.throws(() => inflater.push(Uint8Array.from([0x78, 0x02]), output), InflateError);
  let first: unknown;
  try {
    inflater.push(Uint8Array.from([0]), output);
  } catch (error) {
    first = error;
  }
  assert.ok(first instanceof InflateError && /check bits/.test(first.message));
  assert.throws(() => inflater.finish(), (error: unknown) => error === first);
});
