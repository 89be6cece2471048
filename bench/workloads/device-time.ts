// Runs inside the SDK's XS (xst, built by scripts/build-xst.sh) under `valgrind --tool=callgrind` for
// bench/device-time.bench.ts: one workload, `runs` times, from a cold engine. The bench runs the same
// script twice, with runs = 0 (engine start, script parse, input set-up: the baseline) and runs = N,
// and divides the difference in instructions by N: what the workload itself costs.
//   DEVICE_TIME = { workload, runs, chunks?: number[][], native?: boolean }   (the input file in 64-byte number
//   arrays: XS parses one long array literal in time quadratic in its length, 40 s for 100 KB)
//   native: decode and composite with the C kernels (hosts/moddable/native-art.ts over the global
//   `artNatives` of xst-art-release, scripts/build-xst.sh --art release), and read JSON strings with the
//   C string scanner (hosts/moddable/native-json.ts over `jsonNatives`), as the Moddable host does; PNG
//   unfilters rows and checks CRCs in C (hosts/moddable/native-png.ts over `pngNatives`) and inflates with the SDK's miniz (the global `inflateNatives`, test/native/xst-inflate.ts) through the
//   Moddable host's Inflater port (hosts/moddable/native-inflate.ts); BMP converts its rows in C
//   (hosts/moddable/native-bmp.ts over `bmpNatives`).
// Workloads, each the path the player takes on the device:
//   gif | png | webp | bmp: the file pushed in 1 KiB chunks into createDecoder(format) with a Compositor on a
//                     64×64 panel as its sink (decode + composite, as played);
//   compositor:       one 256×256 RGBA frame, row by row, into a Compositor on a 64×64 panel;
//   json:             a ~128 KiB query_posts reply into ReplyExtractor in 1 KiB chunks;
//   jsonparse:        the same reply (as a string, made in the baseline) through the engine's JSON.parse:
//                     the peer of the "JSON extraction ≥ 0.1× JSON.parse" goal;
//   page:             a 50-post query_posts page with a title, description, hashtags and reactions per post
//                     (~41 KB: escapes, emoji and nested values the reader skips) into PostsReader (the api's
//                     reader) in 1 KiB chunks;
//   page28:           the same 50 posts with only the fields the service always sends (~28 KB, the issue's
//                     page size), the same way.
// Prints `DEVICETIME <json>` at the end so the bench can tell a finished run from a crashed one.

import type { NativeFormat } from "../../src/art/artwork.js";
import { Compositor } from "../../src/art/compositor.js";
import { createDecoder } from "../../src/art/decoders.js";
import { Blend, Dispose } from "../../src/art/image.js";
import { panelGeometry } from "../../src/display/geometry.js";
import type { ArtKernels, JsonKernels } from "../../src/ports.js";
import { nativeArtKernels, type ArtNatives } from "../../hosts/moddable/native-art.js";
import { nativeJsonKernels, type JsonNatives } from "../../hosts/moddable/native-json.js";
import { NativeInflateFactory } from "../../hosts/moddable/native-inflate.js";
import { nativePngKernels, type PngNatives } from "../../hosts/moddable/native-png.js";
import { nativeBmpKernels, type BmpNatives } from "../../hosts/moddable/native-bmp.js";
import { xstInflateClass, type InflateNatives } from "../../test/native/xst-inflate.js";
import { ReplyExtractor } from "../../src/makapix/reply-extractor.js";
import { PostsReader } from "../../src/makapix/reply-readers.js";
import { encodeText } from "../../test/support/json-events.js";
import { makePosts, queryPostsOfSize, queryPostsReply, serviceJson } from "../../test/support/makapix-replies.js";

type Workload = "empty" | "gif" | "png" | "webp" | "bmp" | "compositor" | "json" | "jsonparse" | "page" | "page28";
const host = globalThis as unknown as {
  DEVICE_TIME: { workload: Workload; runs: number; chunks?: number[][]; native?: boolean };
  artNatives?: ArtNatives;
  jsonNatives?: JsonNatives;
  inflateNatives?: InflateNatives;
  pngNatives?: PngNatives;
  bmpNatives?: BmpNatives;
  print(text: string): void;
};
const { workload, runs } = host.DEVICE_TIME;
const CHUNK = 1024;

function push(bytes: Uint8Array, into: { push(chunk: Uint8Array): void }): void {
  for (let at = 0; at < bytes.length; at += CHUNK) into.push(bytes.subarray(at, at + CHUNK));
}

let frames = 0;
let records = 0;
if (host.DEVICE_TIME.native && (!host.artNatives || !host.jsonNatives)) throw new Error("native kernels asked for, but this xst has no artNatives or jsonNatives");
if (host.DEVICE_TIME.native && workload === "bmp" && !host.bmpNatives) throw new Error("native kernels asked for, but this xst has no bmpNatives");
// With the PNG kernels (row filters, CRC) and the BMP row kernels as hosts/moddable/art-kernels.ts adds them to the host's ArtKernels.
const kernels: ArtKernels = !host.DEVICE_TIME.native
  ? {}
  : workload === "png"
    ? { ...nativeArtKernels(host.artNatives!), png: nativePngKernels(host.pngNatives!) }
    : workload === "bmp"
      ? { ...nativeArtKernels(host.artNatives!), bmp: nativeBmpKernels(host.bmpNatives!) }
      : nativeArtKernels(host.artNatives!);
const jsonKernels: JsonKernels | undefined = host.DEVICE_TIME.native ? nativeJsonKernels(host.jsonNatives!) : undefined;
if (host.DEVICE_TIME.native && workload === "png" && (!host.inflateNatives || !host.pngNatives)) throw new Error("native kernels asked for, but this xst has no inflateNatives or pngNatives");
const inflate = host.DEVICE_TIME.native && workload === "png" ? new NativeInflateFactory(xstInflateClass(host.inflateNatives!)) : undefined;
const panel = () => new Compositor({ geometry: panelGeometry("64x64"), onFrame: () => frames++, ...(kernels.compositor ? { kernels: kernels.compositor } : {}) });

/** The input and one run of the workload; the input is built before the first run (in the baseline). */
function prepare(): () => void {
  switch (workload) {
    case "empty":
      return () => undefined;
    case "gif":
    case "png":
    case "webp":
    case "bmp": {
      const chunks = host.DEVICE_TIME.chunks ?? [];
      const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      const format: NativeFormat = workload;
      return () => {
        const decoder = createDecoder(format, panel(), { kernels, inflate });
        push(bytes, decoder);
        decoder.finish();
      };
    }
    case "compositor": {
      const size = 256;
      const rgba = new Uint8Array(size * 4);
      for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37) & 255;
      return () => {
        const compositor = panel();
        compositor.header({ width: size, height: size, frameCount: 1, loopCount: 1 });
        compositor.frameStart({ left: 0, top: 0, width: size, height: size, delayMs: 0, dispose: Dispose.none, blend: Blend.source });
        for (let y = 0; y < size; y++) compositor.row(y, 0, 1, size, rgba);
        compositor.frameEnd();
        compositor.end();
      };
    }
    case "json": {
      const bytes = encodeText(queryPostsOfSize(131072, 2026));
      const extractor = new ReplyExtractor({ post: () => records++ }, jsonKernels ? { kernels: jsonKernels } : {});
      return () => {
        extractor.reset();
        push(bytes, extractor);
        extractor.finish();
      };
    }
    case "jsonparse": {
      const text = queryPostsOfSize(131072, 2026);
      return () => {
        records += (JSON.parse(text) as { posts: unknown[] }).posts.length;
      };
    }
    case "page":
    case "page28": {
      const bytes = encodeText(serviceJson(queryPostsReply(makePosts(50, 1234, workload === "page" ? { extraWords: 3 } : {}))));
      const reader = new PostsReader({ write() {} }, 50, jsonKernels);
      return () => {
        reader.reset();
        for (let at = 0; at < bytes.length; at += CHUNK) reader.data(bytes.subarray(at, at + CHUNK));
        records += reader.finish().posts.length;
      };
    }
  }
}

const run = prepare();
for (let i = 0; i < runs; i++) run();
host.print(`DEVICETIME ${JSON.stringify({ workload, runs, frames, records })}`);
