// WebP lossless (VP8L) image decoding, RFC 9649: header, transforms, colour cache, meta prefix codes
// (entropy image) and LZ77 back-references with the distance map. Works on a whole chunk in memory
// and writes the frame's ARGB pixels (0xAARRGGBB) into an Int32Array, because back-references may
// reach any earlier pixel of the frame. The inverse transforms are in webp-transforms.ts.
//
// Memory while decoding a w×h frame: the ARGB output w × h × 4 bytes (256 KiB at 256×256, owned by the
// caller and reused across frames); transform and entropy sub-images at most ⌈w/4⌉ × ⌈h/4⌉ × 4 bytes
// each (16 KiB at 256×256); a colour cache of up to 2048 × 4 bytes, and as much for its update stamps;
// the prefix code pool (typically a few KiB, at most 2 MiB, see webp-prefix.ts).

import type { WebpKernels } from "../ports.js";
import { ImageDecodeError } from "./image.js";
import { corrupt, LosslessBits, PrefixCodes } from "./webp-prefix.js";
import { inverseColourIndexing, inverseColourTransform, inversePredictor, inverseSubtractGreen } from "./webp-transforms.js";

const PREDICTOR = 0;
const COLOUR = 1;
const SUBTRACT_GREEN = 2;
const COLOUR_INDEXING = 3;

const LENGTH_CODES = 24;
/** Distance codes 1..120 as (dx, dy) pairs: the nearby pixels of the distance map (RFC 9649 §5.2.2). */
const DISTANCE_MAP = new Int8Array([
  0, 1, 1, 0, 1, 1, -1, 1, 0, 2, 2, 0, 1, 2, -1, 2, 2, 1, -2, 1, 2, 2, -2, 2, 0, 3, 3, 0, 1, 3, -1, 3, 3, 1, -3, 1, 2, 3, -2, 3, 3, 2, -3, 2,
  0, 4, 4, 0, 1, 4, -1, 4, 4, 1, -4, 1, 3, 3, -3, 3, 2, 4, -2, 4, 4, 2, -4, 2, 0, 5, 3, 4, -3, 4, 4, 3, -4, 3, 5, 0, 1, 5, -1, 5, 5, 1, -5,
  1, 2, 5, -2, 5, 5, 2, -5, 2, 4, 4, -4, 4, 3, 5, -3, 5, 5, 3, -5, 3, 0, 6, 6, 0, 1, 6, -1, 6, 6, 1, -6, 1, 2, 6, -2, 6, 6, 2, -6, 2, 4, 5,
  -4, 5, 5, 4, -5, 4, 3, 6, -3, 6, 6, 3, -6, 3, 0, 7, 7, 0, 1, 7, -1, 7, 5, 5, -5, 5, 7, 1, -7, 1, 4, 6, -4, 6, 6, 4, -6, 4, 2, 7, -2, 7, 7,
  2, -7, 2, 3, 7, -3, 7, 7, 3, -7, 3, 5, 6, -5, 6, 6, 5, -6, 5, 8, 0, 4, 7, -4, 7, 7, 4, -7, 4, 8, 1, 8, 2, 6, 6, -6, 6, 8, 3, 5, 7, -5, 7,
  7, 5, -7, 5, 8, 4, 6, 7, -6, 7, 7, 6, -7, 6, 8, 5, 7, 7, -7, 7, 8, 6, 8, 7,
]);

export interface Transform {
  type: number;
  /** Width of the image the transform applies to (the bundled width for transforms after indexing). */
  width: number;
  bits: number;
  data: Int32Array;
}

// The pixel loop's errors, shared with the native loop's wrapper (hosts/moddable/native-art.ts).
export function dataEndsError(): ImageDecodeError {
  return corrupt("the data ends before the last pixel");
}
export function distanceError(back: number, pos: number): ImageDecodeError {
  return corrupt(`back-reference distance ${back} at pixel ${pos}`);
}
export function lengthError(length: number): ImageDecodeError {
  return corrupt(`back-reference of ${length} pixels past the end of the image`);
}

function divRoundUp(value: number, bits: number): number {
  return (value + (1 << bits) - 1) >> bits;
}

export class LosslessDecoder {
  readonly #bits = new LosslessBits();
  readonly #codes = new PrefixCodes();
  /** Five codes (green, red, blue, alpha, distance) per group, as pool offsets. */
  #groups = new Int32Array(5);
  /** A native pixel loop (WebpKernels.losslessPixels) if the host has one, and the state it is lent. */
  readonly #kernels: WebpKernels | undefined;
  readonly #kernelState = new Int32Array(8);

  constructor(kernels?: WebpKernels) {
    this.#kernels = kernels;
  }

  /** Reads the 5-byte VP8L header: returns [width, height]. */
  static header(data: Uint8Array, start: number): [number, number] {
    if (data[start] !== 0x2f) throw corrupt(`signature 0x${data[start]!.toString(16)} (expected 0x2f)`);
    const b1 = data[start + 1]!;
    const b2 = data[start + 2]!;
    const b3 = data[start + 3]!;
    const b4 = data[start + 4]!;
    const width = (b1 | ((b2 & 0x3f) << 8)) + 1;
    const height = ((b2 >> 6) | (b3 << 2) | ((b4 & 0x0f) << 10)) + 1;
    if (b4 >> 5 !== 0) throw new ImageDecodeError("unsupported", `VP8L version ${b4 >> 5}`);
    return [width, height];
  }

  /**
   * Decodes a VP8L stream `data[start .. end)` of a width × height image into `out[0 .. w*h)` as ARGB.
   * `headerless`: an ALPH stream, which starts directly with the transforms.
   * `leavePalette`: when the last step would be colour indexing without bundling (pixel art's usual
   * form), it is left to the caller: `out` keeps the indices (green) and the colour table (256
   * entries, zero past its size) is returned, so a caller that converts the pixels anyway looks the
   * colours up in the same pass. Otherwise (and without the flag) returns undefined.
   */
  decode(data: Uint8Array, start: number, end: number, width: number, height: number, out: Int32Array, headerless: boolean, leavePalette = false): Int32Array | undefined {
    const bits = this.#bits;
    bits.reset(data, headerless ? start : start + 5, end);
    this.#codes.used = 0;
    const transforms: Transform[] = [];
    let xsize = width;
    let seen = 0;
    while (bits.read(1) === 1) {
      const type = bits.read(2);
      if (seen & (1 << type)) throw corrupt(`transform ${type} appears twice`);
      seen |= 1 << type;
      if (type === PREDICTOR || type === COLOUR) {
        const blockBits = bits.read(3) + 2;
        const data = this.#subImage(divRoundUp(xsize, blockBits), divRoundUp(height, blockBits));
        transforms.push({ type, width: xsize, bits: blockBits, data });
      } else if (type === SUBTRACT_GREEN) {
        transforms.push({ type, width: xsize, bits: 0, data: new Int32Array(0) });
      } else {
        const size = bits.read(8) + 1;
        const table = new Int32Array(256);
        const coded = this.#subImage(size, 1);
        // The table is delta coded: each entry adds to the previous one, byte by byte.
        let previous = 0;
        for (let i = 0; i < size; i++) {
          const delta = coded[i]!;
          previous = (((previous & -16711936) + (delta & -16711936)) & -16711936) | (((previous & 0x00ff00ff) + (delta & 0x00ff00ff)) & 0x00ff00ff);
          table[i] = previous;
        }
        const bundleBits = size <= 2 ? 3 : size <= 4 ? 2 : size <= 16 ? 1 : 0;
        transforms.push({ type, width: xsize, bits: bundleBits, data: table });
        xsize = divRoundUp(xsize, bundleBits);
      }
    }
    // A bundled (colour-indexed) image is decoded into the tail of `out` and expanded in place.
    const base = width * height - xsize * height;
    this.#entropyCoded(xsize, height, true, out, base);
    if (bits.overrun) throw dataEndsError();
    let offset = base;
    const kernels = this.#kernels;
    for (let i = transforms.length - 1; i >= 0; i--) {
      const transform = transforms[i]!;
      if (kernels?.losslessTransform && !(transform.type === COLOUR_INDEXING && i === 0 && leavePalette && transform.bits === 0)) {
        kernels.losslessTransform(transform.type, out, offset, transform.width, height, transform.bits, transform.data);
        if (transform.type === COLOUR_INDEXING) offset = 0;
        continue;
      }
      switch (transform.type) {
        case PREDICTOR:
          inversePredictor(out, offset, transform.width, height, transform.bits, transform.data);
          break;
        case COLOUR:
          inverseColourTransform(out, offset, transform.width, height, transform.bits, transform.data);
          break;
        case SUBTRACT_GREEN:
          inverseSubtractGreen(out, offset, transform.width * height);
          break;
        default: // colour indexing
          if (i === 0 && leavePalette && transform.bits === 0) return transform.data;
          inverseColourIndexing(out, offset, transform.width, height, transform.bits, transform.data);
          offset = 0;
      }
    }
    return undefined;
  }

  /** A sub-image (transform data, entropy image, colour table): no meta codes. */
  #subImage(width: number, height: number): Int32Array {
    const image = new Int32Array(width * height);
    const mark = this.#codes.used;
    this.#entropyCoded(width, height, false, image, 0);
    this.#codes.used = mark;
    return image;
  }

  /** Entropy-coded image data (RFC 9649 §5, §6.2): colour cache, meta prefix codes, pixels. */
  #entropyCoded(xsize: number, ysize: number, main: boolean, out: Int32Array, base: number): void {
    const bits = this.#bits;
    const codes = this.#codes;
    let cacheBits = 0;
    if (bits.read(1) === 1) {
      cacheBits = bits.read(4);
      if (cacheBits < 1 || cacheBits > 11) throw corrupt(`colour cache bits ${cacheBits}`);
    }
    let prefixBits = 0;
    let entropy: Int32Array | undefined;
    let entropyWidth = 0;
    let groupCount = 1;
    if (main && bits.read(1) === 1) {
      prefixBits = bits.read(3) + 2;
      entropyWidth = divRoundUp(xsize, prefixBits);
      entropy = this.#subImage(entropyWidth, divRoundUp(ysize, prefixBits));
      let highest = 0;
      for (let i = 0; i < entropy.length; i++) {
        const group = (entropy[i]! >> 8) & 0xffff;
        if (group > highest) highest = group;
      }
      // Groups nobody uses would still have to be read; a real encoder numbers them densely.
      if (highest >= entropy.length) throw new ImageDecodeError("unsupported", `VP8L: ${highest + 1} prefix code groups for ${entropy.length} blocks`);
      groupCount = highest + 1;
    }
    const cacheSize = cacheBits > 0 ? 1 << cacheBits : 0;
    if (this.#groups.length < groupCount * 5) this.#groups = new Int32Array(groupCount * 5);
    const groups = this.#groups;
    for (let g = 0; g < groupCount; g++) {
      groups[g * 5] = codes.read(bits, 256 + LENGTH_CODES + cacheSize);
      groups[g * 5 + 1] = codes.read(bits, 256);
      groups[g * 5 + 2] = codes.read(bits, 256);
      groups[g * 5 + 3] = codes.read(bits, 256);
      groups[g * 5 + 4] = codes.read(bits, 40);
    }
    const kernels = this.#kernels;
    if (kernels?.losslessPixels) {
      kernels.losslessPixels(bits, this.#kernelState, codes.pool, groups, entropy, entropyWidth, prefixBits, cacheBits, out, base, xsize, ysize);
      return;
    }
    const cache = cacheSize > 0 ? new Int32Array(cacheSize) : undefined;
    // Per slot, the last insertion pass that filled it (see the cache lookup below).
    const cacheSeen = cacheSize > 0 ? new Int32Array(cacheSize) : undefined;
    let cachePass = 0;
    const cacheShift = 32 - cacheBits;

    const total = xsize * ysize;
    const blockMask = entropy ? (1 << prefixBits) - 1 : -1;
    let green = 0;
    let red = 0;
    let blue = 0;
    let alpha = 0;
    let distance = 0;
    // The green code's fast-table bits (0: a single symbol, `greenSymbol`), and when red, blue and
    // alpha are single-symbol codes (as in colour-indexed images and alpha planes), their pixel bits.
    let greenFast = 0;
    let greenMask = 0;
    let greenSymbol = 0;
    let fixedRba = false;
    let rba = 0;
    let pool = codes.pool;
    let x = 0;
    let y = 0;
    let pos = 0;
    let group = -1;
    // The cache is filled lazily: pixels before `lastCached` are in it. Bringing it up to date just
    // before each lookup gives the same cache as inserting every pixel as it is decoded.
    let lastCached = 0;
    while (pos < total) {
      if (group < 0 || (entropy && (x & blockMask) === 0)) {
        const g = entropy ? ((entropy[(y >> prefixBits) * entropyWidth + (x >> prefixBits)]! >> 8) & 0xffff) * 5 : 0;
        if (g !== group) {
          group = g;
          green = groups[g]!;
          red = groups[g + 1]!;
          blue = groups[g + 2]!;
          alpha = groups[g + 3]!;
          distance = groups[g + 4]!;
          pool = codes.pool;
          greenFast = pool[green]!;
          greenMask = (1 << greenFast) - 1;
          greenSymbol = pool[green + 2]! >> 4;
          fixedRba = pool[red] === 0 && pool[blue] === 0 && pool[alpha] === 0;
          rba = ((pool[alpha + 2]! >> 4) << 24) | ((pool[red + 2]! >> 4) << 16) | (pool[blue + 2]! >> 4);
        }
      }
      // codes.decode(green, bits), its fast path written out: a call per pixel is dear in XS.
      let symbol = greenSymbol;
      if (greenFast !== 0) {
        if (bits.count < 15) bits.fill();
        const entry = pool[green + 2 + (bits.bits & greenMask)]!;
        if (entry !== 0) {
          bits.bits >>>= entry & 15;
          bits.count -= entry & 15;
          symbol = entry >> 4;
        } else {
          symbol = codes.decode(green, bits);
        }
      }
      if (symbol < 256) {
        if (fixedRba) {
          out[base + pos] = rba | (symbol << 8);
        } else {
          const r = codes.decode(red, bits);
          const b = codes.decode(blue, bits);
          const a = codes.decode(alpha, bits);
          out[base + pos] = (a << 24) | (r << 16) | (symbol << 8) | b;
        }
        pos++;
        if (++x === xsize) {
          x = 0;
          y++;
          if (bits.overrun) throw dataEndsError();
        }
      } else if (symbol < 256 + LENGTH_CODES) {
        const length = prefixValue(symbol - 256, bits);
        const distanceCode = prefixValue(codes.decode(distance, bits), bits);
        let back: number;
        if (distanceCode > 120) back = distanceCode - 120;
        else {
          back = DISTANCE_MAP[(distanceCode - 1) * 2]! + DISTANCE_MAP[(distanceCode - 1) * 2 + 1]! * xsize;
          if (back < 1) back = 1;
        }
        if (back > pos) throw distanceError(back, pos);
        if (length > total - pos) throw lengthError(length);
        out.copyWithin(base + pos, base + pos - back, base + pos - back + Math.min(length, back));
        // Overlapping copies repeat the pattern, whose period divides what is copied so far: double it
        // each round (a run of one pixel takes log2(length) copies, not length).
        for (let done = back; done < length; done += done) out.copyWithin(base + pos + done, base + pos, base + pos + (done < length - done ? done : length - done));
        pos += length;
        x += length;
        while (x >= xsize) {
          x -= xsize;
          y++;
        }
        if (bits.overrun) throw dataEndsError();
        // The group may change inside the copied run: look it up at the next pixel.
        if (entropy && (x & blockMask) !== 0) group = -1;
      } else {
        // Cache indices are below 256 + 24 + cache size by the alphabet's size.
        // Only each slot's last pixel of the span matters: walk back from the newest pixel, fill a
        // slot the first time it comes up, and stop once every slot is filled (a small cache stops
        // after a few pixels, where inserting the whole span costs a hash and a store per pixel).
        // A pixel equal to the newer one beside it is in a slot already seen.
        cachePass++;
        let filled = 0;
        let newer = 0;
        for (let at = pos - 1; at >= lastCached && filled < cacheSize; at--) {
          const pixel = out[base + at]!;
          if (at < pos - 1 && pixel === newer) continue;
          newer = pixel;
          const slot = Math.imul(pixel, 0x1e35a7bd) >>> cacheShift;
          if (cacheSeen![slot] === cachePass) continue;
          cacheSeen![slot] = cachePass;
          cache![slot] = pixel;
          filled++;
        }
        lastCached = pos;
        out[base + pos] = cache![symbol - 256 - LENGTH_CODES]!;
        pos++;
        if (++x === xsize) {
          x = 0;
          y++;
        }
      }
    }
    if (bits.overrun) throw dataEndsError();
  }
}

/** Length or distance from its prefix symbol and extra bits (RFC 9649 §5.2.2). */
function prefixValue(symbol: number, bits: LosslessBits): number {
  if (symbol < 4) return symbol + 1;
  const extra = (symbol - 2) >> 1;
  const offset = (2 + (symbol & 1)) << extra;
  return offset + bits.read(extra) + 1;
}
