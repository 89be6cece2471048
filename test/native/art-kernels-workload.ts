// Runs inside xst-art-asan (scripts/build-xst.sh --art asan: the SDK's xst with the C kernels and their
// XS binding built with ASan + UBSan, as the global `artNatives`) for test/native/art-kernels.test.ts.
// Each input goes through the player's path twice, once with the TypeScript kernels (the oracle) and
// once with the native ones (hosts/moddable/native-art.ts over artNatives), and the two are compared:
//   - every LZW read's indices (GIF), every row the decoder delivers, every panel frame of three
//     compositors (64×64; 128×32 rotated 90 and mirrored; 64×32 rotated 180, red background);
//   - the error: class, code and message, or none.
// Inputs: the files given (the GIF and panel corpora, the WebP fixtures, pushed in 1 KiB chunks), for
// each WebP file of at most `webpMutationMaxBytes` `webpMutations` seeded mutations, the file in odd chunks
// and `webpTargeted` seeded mutations per coded region (ALPH, VP8L, VP8 modes, VP8 tokens), for each GIF file
// `mutations` seeded mutations (bytes overwritten, pushed in uneven chunks, some truncated), then
// `compositions` seeded synthetic animations straight into the compositors: random sizes, regions,
// partial alpha with Blend.over and source, every disposal, rows delivered with x0 and step (Adam7's
// column passes), which the corpora reach only in part.
//   ART_EQUIVALENCE = { files: { name, format, chunks: number[][] }[], mutations, webpMutations,
//                       webpTargeted, webpMutationMaxBytes, compositions, seed }
// Prints one line `ARTEQ <json>` per input and `ARTEQ-DONE <json>` at the end (with the targeted
// mutations made and how often each WebP decoding kernel's host function was called).

import type { NativeFormat } from "../../src/art/artwork.js";
import { Compositor } from "../../src/art/compositor.js";
import { tsCompositorKernels } from "../../src/art/compositor-kernels.js";
import { createDecoder } from "../../src/art/decoders.js";
import { tsGifKernels } from "../../src/art/gif-kernels.js";
import { tsWebpKernels } from "../../src/art/webp-kernels.js";
import { Blend, Dispose, type ImageSink } from "../../src/art/image.js";
import { panelGeometry } from "../../src/display/geometry.js";
import type { ArtKernels, GifKernels, LzwStream } from "../../src/ports.js";
import { nativeArtKernels, type ArtNatives } from "../../hosts/moddable/native-art.js";
import { concatBytes, xorshiftRandom } from "../support/bytes.js";

interface InputFile {
  name: string;
  format: NativeFormat;
  chunks: number[][];
}
const host = globalThis as unknown as {
  ART_EQUIVALENCE: { files: InputFile[]; mutations: number; webpMutations: number; webpTargeted: number; webpMutationMaxBytes: number; compositions: number; seed: number };
  artNatives: ArtNatives;
  print(text: string): void;
};
const { files, mutations, webpMutations, webpTargeted, webpMutationMaxBytes, compositions, seed } = host.ART_EQUIVALENCE;

/** FNV-1a over a running sequence of byte runs. */
class Digest {
  value = 0x811c9dc5;
  bytes = 0;
  add(bytes: Uint8Array, from = 0, to = bytes.length): void {
    let h = this.value;
    for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
    this.value = h;
    this.bytes += to - from;
  }
  word(n: number): void {
    this.add(Uint8Array.of(n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255));
  }
}

/** Hashes every index an LZW stream hands out, with the position it returned. */
function recordingGif(kernels: GifKernels, digest: Digest): GifKernels {
  return {
    palette: (table, transparent, colours) => kernels.palette(table, transparent, colours),
    expand: (indices, count, colours, rgba) => kernels.expand(indices, count, colours, rgba),
    createLzw(): LzwStream {
      const lzw = kernels.createLzw();
      return {
        get ended() {
          return lzw.ended;
        },
        begin: (minCodeSize) => lzw.begin(minCodeSize),
        setInput: (bytes, start, end) => lzw.setInput(bytes, start, end),
        read(out, pos, end) {
          const next = lzw.read(out, pos, end);
          digest.word(next);
          digest.add(out, pos, next);
          return next;
        },
      };
    },
  };
}

interface Outcome {
  lzw: number;
  rows: number;
  panels: number;
  frames: number;
  pixels: number;
  error: string | null;
}

interface Panels {
  sink: ImageSink;
  rowDigest: Digest;
  panelDigest: Digest;
  frames(): number;
}

/** Three compositors behind one sink, hashing the rows delivered and the panel frames made. */
function panels(kernels: ArtKernels): Panels {
  const rowDigest = new Digest();
  const panelDigest = new Digest();
  let frames = 0;
  const geometries = [
    { geometry: panelGeometry("64x64"), background: 0 },
    { geometry: panelGeometry("128x32", 90, true), background: 0x123456 },
    { geometry: panelGeometry("64x32", 180), background: 0xff0000 },
  ];
  const compositors = geometries.map(
    ({ geometry, background }) =>
      new Compositor({
        geometry,
        background,
        onFrame: (panel) => {
          frames++;
          panelDigest.add(panel);
        },
        ...(kernels.compositor ? { kernels: kernels.compositor } : {}),
      }),
  );
  const sink: ImageSink = {
    header: (header) => compositors.forEach((c) => c.header(header)),
    frameStart: (frame) => compositors.forEach((c) => c.frameStart(frame)),
    row(y, x0, step, count, rgba) {
      rowDigest.word(y);
      rowDigest.word(x0);
      rowDigest.word(step);
      rowDigest.add(rgba, 0, count * 4);
      for (const c of compositors) c.row(y, x0, step, count, rgba);
    },
    frameEnd: () => compositors.forEach((c) => c.frameEnd()),
    end: () => compositors.forEach((c) => c.end()),
  };
  return { sink, rowDigest, panelDigest, frames: () => frames };
}

function decode(bytes: Uint8Array, format: NativeFormat, kernels: ArtKernels, chunkSizes: number[]): Outcome {
  const lzwDigest = new Digest();
  const { sink, rowDigest, panelDigest, frames } = panels(kernels);
  const gif = kernels.gif ? recordingGif(kernels.gif, lzwDigest) : undefined;
  let error: string | null = null;
  try {
    const decoder = createDecoder(format, sink, gif ? { kernels: { ...kernels, gif } } : { kernels });
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const size = chunkSizes[i % chunkSizes.length]!;
      decoder.push(bytes.subarray(at, at + size));
      at += size;
    }
    decoder.finish();
  } catch (e) {
    const thrown = e as { name?: string; code?: string; message?: string };
    error = `${thrown.name ?? "?"}|${thrown.code ?? ""}|${thrown.message ?? String(e)}`;
  }
  return { lzw: lzwDigest.value, rows: rowDigest.value, panels: panelDigest.value, frames: frames(), pixels: rowDigest.bytes >> 2, error };
}

const ADAM7_COLUMNS = [
  [0, 8],
  [4, 8],
  [0, 4],
  [2, 4],
  [0, 2],
  [1, 2],
  [0, 1],
] as const;

/** A seeded synthetic animation: random canvas, regions, alpha, blends, disposals and column passes. */
function compose(kernels: ArtKernels, compositionSeed: number): Outcome {
  const random = xorshiftRandom(compositionSeed);
  const below = (n: number) => Math.floor(random() * n);
  const { sink, rowDigest, panelDigest, frames } = panels(kernels);
  // Up to 160: past the 64- and 128-pixel panels, so some sizes shrink and some magnify.
  const width = 1 + below(160);
  const height = 1 + below(160);
  sink.header({ width, height, frameCount: 0, loopCount: 0 });
  const frameCount = 1 + below(5);
  for (let f = 0; f < frameCount; f++) {
    const left = below(width);
    const top = below(height);
    const w = 1 + below(width - left);
    const h = 1 + below(height - top);
    const dispose = [Dispose.none, Dispose.background, Dispose.previous][below(3)]!;
    const blend = random() < 0.7 ? Blend.over : Blend.source;
    sink.frameStart({ left, top, width: w, height: h, delayMs: 100, dispose, blend });
    const rgba = new Uint8Array(w * 4);
    for (let y = 0; y < h; y++) {
      const [x0, step] = random() < 0.3 ? ADAM7_COLUMNS[below(7)]! : [0, 1];
      const count = x0 >= w ? 0 : Math.ceil((w - x0) / step);
      // Cheap bytes (an LCG); alpha mostly partial, some 0 and 255 (the shortcuts).
      let state = below(0x7fffffff);
      for (let i = 0; i < count * 4; i++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        rgba[i] = state >>> 24;
      }
      for (let i = 3; i < count * 4; i += 16) rgba[i] = 255;
      for (let i = 7; i < count * 4; i += 16) rgba[i] = 0;
      sink.row(y, x0, step, count, rgba);
    }
    sink.frameEnd();
  }
  sink.end();
  return { lzw: 0, rows: rowDigest.value, panels: panelDigest.value, frames: frames(), pixels: rowDigest.bytes >> 2, error: null };
}

const typescript: ArtKernels = { gif: tsGifKernels, compositor: tsCompositorKernels, webp: tsWebpKernels };
// The WebP decoding kernels' host functions counted, so that the test sees the native path taken.
const COUNTED = ["webpModes", "webpResiduals", "webpLosslessPixels", "webpLosslessTransform"] as const;
const calls: Record<string, number> = {};
const natives: Record<string, unknown> = {};
for (const name of Object.getOwnPropertyNames(host.artNatives)) {
  const fn = (host.artNatives as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
  if (!(COUNTED as readonly string[]).includes(name)) natives[name] = fn;
  else {
    calls[name] = 0;
    natives[name] = (...args: unknown[]) => {
      calls[name]!++;
      return fn(...args);
    };
  }
}
const native = nativeArtKernels(natives as unknown as ArtNatives);
let compared = 0;
let mismatched = 0;
let errors = 0;

function compare(name: string, bytes: Uint8Array, format: NativeFormat, chunkSizes: number[]): void {
  const expected = decode(bytes, format, typescript, chunkSizes);
  const actual = decode(bytes, format, native, chunkSizes);
  const same = JSON.stringify(expected) === JSON.stringify(actual);
  compared++;
  if (!same) mismatched++;
  if (expected.error) errors++;
  host.print(`ARTEQ ${JSON.stringify({ name, same, expected, actual })}`);
}

/**
 * Where a WebP file's coded data lies, per kind: the ALPH stream (after its header byte), a VP8L stream
 * (after its 5-byte header), a VP8 frame's first partition (modes) and its token partitions; inside
 * ANMF frames too. Targeted mutations land there, so each native decoding kernel meets bad data.
 */
function codedRegions(bytes: Uint8Array): [number, number][] {
  const regions: [number, number][] = [];
  const u32 = (at: number) => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
  const scan = (from: number, to: number) => {
    for (let at = from; at + 8 <= to; ) {
      const type = String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
      const size = u32(at + 4);
      const start = at + 8;
      const end = Math.min(to, start + size);
      if (type === "ANMF") scan(start + 16, end);
      else if (type === "ALPH" && end > start + 1) regions.push([start + 1, end]);
      else if (type === "VP8L" && end > start + 5) regions.push([start + 5, end]);
      else if (type === "VP8 " && end > start + 10) {
        const first = (bytes[start]! | (bytes[start + 1]! << 8) | (bytes[start + 2]! << 16)) >>> 5;
        const tokens = Math.min(end, start + 10 + first);
        if (tokens > start + 10) regions.push([start + 10, tokens]);
        if (end > tokens) regions.push([tokens, end]);
      }
      at = start + size + (size & 1);
    }
  };
  scan(12, bytes.length);
  return regions;
}

let targeted = 0;
const random = xorshiftRandom(seed);
for (const file of files) {
  const bytes = concatBytes(file.chunks);
  compare(file.name, bytes, file.format, [1024]);
  if (file.format === "webp" && bytes.length <= webpMutationMaxBytes) {
    for (let m = 0; m < webpMutations; m++) {
      // Past the RIFF and chunk headers (30 bytes): most flips land in the bitstream, where a VP8 frame
      // still decodes (other pixels, other rows through the kernels) and a VP8L one mostly fails.
      const mutated = bytes.slice(0, random() < 0.25 ? 30 + Math.floor(random() * (bytes.length - 30)) : bytes.length);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips && mutated.length > 30; f++) mutated[30 + Math.floor(random() * (mutated.length - 30))] = Math.floor(random() * 256);
      compare(`${file.name} mutation ${m}`, mutated, file.format, [1 + Math.floor(random() * 600)]);
    }
    // Split points: the container buffers chunks across pushes of any size.
    compare(`${file.name} in odd chunks`, bytes, file.format, [1, 7, 255, 256, 3000]);
    const regions = codedRegions(bytes);
    for (let m = 0; m < webpTargeted * regions.length; m++) {
      const [start, end] = regions[m % regions.length]!;
      const mutated = bytes.slice();
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) mutated[start + Math.floor(random() * (end - start))] = Math.floor(random() * 256);
      targeted++;
      compare(`${file.name} targeted mutation ${m}`, mutated, file.format, [1 + Math.floor(random() * 600)]);
    }
  }
  if (file.format !== "gif") continue;
  compare(`${file.name} in odd chunks`, bytes, file.format, [1, 7, 255, 256, 3000]);
  for (let m = 0; m < mutations; m++) {
    const mutated = bytes.slice(0, random() < 0.25 ? 13 + Math.floor(random() * (bytes.length - 13)) : bytes.length);
    const flips = 1 + Math.floor(random() * 8);
    // Past the header and global table most of the time: the image data is where LZW faults hide.
    for (let f = 0; f < flips && mutated.length > 13; f++) mutated[13 + Math.floor(random() * (mutated.length - 13))] = Math.floor(random() * 256);
    compare(`${file.name} mutation ${m}`, mutated, file.format, [1 + Math.floor(random() * 600)]);
  }
}
for (let c = 0; c < compositions; c++) {
  const expected = compose(typescript, seed + c);
  const actual = compose(native, seed + c);
  const same = JSON.stringify(expected) === JSON.stringify(actual);
  compared++;
  if (!same) mismatched++;
  host.print(`ARTEQ ${JSON.stringify({ name: `composition ${c}`, same, expected, actual })}`);
}
host.print(`ARTEQ-DONE ${JSON.stringify({ compared, mismatched, errors, targeted, calls })}`);
