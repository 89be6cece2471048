// A tiny deflate/zlib *encoder* for tests, written independently of src/art/inflate.ts: stored blocks,
// fixed-Huffman blocks and dynamic-Huffman blocks with code lengths the test chooses, from a list of
// tokens (literal bytes and length/distance matches) the test writes by hand. Portable (runs in XS).

/** A literal byte, or a back-reference [length 3..258, distance 1..32768]. */
export type Token = number | readonly [number, number];

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

export class BitWriter {
  readonly bytes: number[] = [];
  #bits = 0;
  #count = 0;

  /** `value`'s low `count` bits, least significant first (how deflate packs numbers). */
  bits(value: number, count: number): void {
    for (let i = 0; i < count; i++) {
      this.#bits |= ((value >>> i) & 1) << this.#count;
      if (++this.#count === 8) this.#flushByte();
    }
  }

  /** A Huffman code, most significant bit first. */
  code(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) this.bits((code >>> i) & 1, 1);
  }

  /** Whole bytes, when the writer is on a byte boundary (stored block contents). */
  alignedBytes(data: Uint8Array): void {
    if (this.#count !== 0) throw new Error("test encoder: not on a byte boundary");
    for (const byte of data) this.bytes.push(byte);
  }

  alignToByte(): void {
    if (this.#count > 0) this.#flushByte();
  }

  #flushByte(): void {
    this.bytes.push(this.#bits);
    this.#bits = 0;
    this.#count = 0;
  }

  result(): Uint8Array {
    this.alignToByte();
    return Uint8Array.from(this.bytes);
  }
}

/** Canonical codes (RFC 1951 §3.2.2) for a list of code lengths. */
export function canonicalCodes(lengths: readonly number[]): number[] {
  const counts = new Array<number>(16).fill(0);
  for (const length of lengths) if (length > 0) counts[length]!++;
  const next = new Array<number>(16).fill(0);
  let code = 0;
  for (let bits = 1; bits < 16; bits++) {
    code = (code + counts[bits - 1]!) << 1;
    next[bits] = code;
  }
  return lengths.map((length) => (length > 0 ? next[length]!++ : 0));
}

function fixedLiteralLengths(): number[] {
  const lengths: number[] = [];
  for (let s = 0; s < 288; s++) lengths.push(s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8);
  return lengths;
}

function writeTokens(out: BitWriter, tokens: readonly Token[], litLengths: readonly number[], distLengths: readonly number[]): void {
  const litCodes = canonicalCodes(litLengths);
  const distCodes = canonicalCodes(distLengths);
  const lit = (symbol: number): void => {
    if (!litLengths[symbol]) throw new Error(`test encoder: literal/length symbol ${symbol} has no code`);
    out.code(litCodes[symbol]!, litLengths[symbol]!);
  };
  for (const token of tokens) {
    if (typeof token === "number") {
      lit(token);
      continue;
    }
    const [length, distance] = token;
    let l = LENGTH_BASE.length - 1;
    while (LENGTH_BASE[l]! > length) l--;
    lit(257 + l);
    out.bits(length - LENGTH_BASE[l]!, LENGTH_EXTRA[l]!);
    let d = DISTANCE_BASE.length - 1;
    while (DISTANCE_BASE[d]! > distance) d--;
    if (!distLengths[d]) throw new Error(`test encoder: distance symbol ${d} has no code`);
    out.code(distCodes[d]!, distLengths[d]!);
    out.bits(distance - DISTANCE_BASE[d]!, DISTANCE_EXTRA[d]!);
  }
  lit(256);
}

export function storedBlock(out: BitWriter, data: Uint8Array, final: boolean): void {
  out.bits(final ? 1 : 0, 1);
  out.bits(0, 2);
  out.alignToByte();
  out.bits(data.length, 16);
  out.bits(~data.length & 0xffff, 16);
  out.alignedBytes(data);
}

export function fixedBlock(out: BitWriter, tokens: readonly Token[], final: boolean): void {
  out.bits(final ? 1 : 0, 1);
  out.bits(1, 2);
  writeTokens(out, tokens, fixedLiteralLengths(), new Array<number>(30).fill(5));
}

/**
 * A dynamic block with the given code lengths (286/30 entries at most; trailing zeros are trimmed).
 * Code lengths are sent with run-length codes 16/17/18 wherever a run allows, to exercise them.
 */
export function dynamicBlock(out: BitWriter, tokens: readonly Token[], litLengths: readonly number[], distLengths: readonly number[], final: boolean): void {
  let hlit = litLengths.length;
  while (hlit > 257 && !litLengths[hlit - 1]) hlit--;
  let hdist = distLengths.length;
  while (hdist > 1 && !distLengths[hdist - 1]) hdist--;
  const all = [...litLengths.slice(0, hlit), ...new Array<number>(Math.max(0, hlit - litLengths.length)).fill(0), ...distLengths.slice(0, hdist)];
  // Run-length encode: [symbol, extra value, extra bits]
  const runs: [number, number, number][] = [];
  for (let i = 0; i < all.length; ) {
    const value = all[i]!;
    let run = 1;
    while (i + run < all.length && all[i + run] === value) run++;
    if (value === 0 && run >= 11) {
      const n = Math.min(run, 138);
      runs.push([18, n - 11, 7]);
      i += n;
    } else if (value === 0 && run >= 3) {
      runs.push([17, run - 3, 3]);
      i += run;
    } else if (value !== 0 && run >= 4) {
      runs.push([value, 0, 0]);
      const n = Math.min(run - 1, 6);
      runs.push([16, n - 3, 2]);
      i += 1 + n;
    } else {
      runs.push([value, 0, 0]);
      i++;
    }
  }
  // A complete code-length code: 13 symbols of 4 bits + 6 of 5 bits (13/16 + 6/32 = 1).
  const clLengths = CODE_LENGTH_ORDER.map((_, symbol) => (symbol < 13 ? 4 : 5));
  const clCodes = canonicalCodes(clLengths);
  out.bits(final ? 1 : 0, 1);
  out.bits(2, 2);
  out.bits(hlit - 257, 5);
  out.bits(hdist - 1, 5);
  out.bits(19 - 4, 4);
  for (const symbol of CODE_LENGTH_ORDER) out.bits(clLengths[symbol]!, 3);
  for (const [symbol, extra, bits] of runs) {
    out.code(clCodes[symbol]!, clLengths[symbol]!);
    out.bits(extra, bits);
  }
  writeTokens(out, tokens, all.slice(0, hlit), all.slice(hlit));
}

export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Wraps raw deflate bytes in a zlib header and the Adler-32 of `uncompressed`. */
export function zlibWrap(deflate: Uint8Array, uncompressed: Uint8Array): Uint8Array {
  const out = new Uint8Array(deflate.length + 6);
  out[0] = 0x78;
  out[1] = 0x01; // (0x78 * 256 + 0x01) % 31 === 0
  out.set(deflate, 2);
  const check = adler32(uncompressed);
  out[out.length - 4] = check >>> 24;
  out[out.length - 3] = (check >>> 16) & 0xff;
  out[out.length - 2] = (check >>> 8) & 0xff;
  out[out.length - 1] = check & 0xff;
  return out;
}

/** zlib stream of stored blocks (at most `blockSize` bytes each; an empty input gives one empty block). */
export function zlibStored(data: Uint8Array, blockSize = 65535): Uint8Array {
  const out = new BitWriter();
  if (data.length === 0) storedBlock(out, data, true);
  for (let at = 0; at < data.length; at += blockSize) {
    storedBlock(out, data.subarray(at, Math.min(data.length, at + blockSize)), at + blockSize >= data.length);
  }
  return zlibWrap(out.result(), data);
}

/** What `tokens` decompress to (the reference for tests). */
export function expandTokens(tokens: readonly Token[], into: number[] = []): number[] {
  for (const token of tokens) {
    if (typeof token === "number") into.push(token);
    else for (let n = 0; n < token[0]; n++) into.push(into[into.length - token[1]]!);
  }
  return into;
}
