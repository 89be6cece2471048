// Every format's corpus in one list, for the tests that follow files all the way to panel frames
// (panel-frames.test.ts, xs-panel-parity.test.ts). The files come from the format corpora the decoder
// oracles use; each carries its reference: the canvas a reference decoder shows after each frame.
//   PNG stills   sharp (libpng) RGBA
//   APNG         upng-js's frames (regions, ops, pixels) composited by test/support/reference-compose.ts
//   WebP         sharp (libwebp; libvips composites animation pages)
//   BMP          ImageMagick's RGBA of the file it wrote
//   GIF          omggif's frames with browser disposal (test/support/gif-corpus.ts)
// Node only.

import sharp from "sharp";
import UPNG from "upng-js";
import type { FrameHeader } from "../../src/art/image.js";
import type { NativeFormat } from "../../src/art/artwork.js";
import { buildCorpus as buildGifCorpus, referenceAnimation } from "../support/gif-corpus.js";
import { compose } from "../support/reference-compose.js";
import { BMP_SIZES, buildBmpCorpus } from "./bmp-corpus.js";
import { apngCorpus, staticCorpus } from "./png-corpus.js";
import { buildCorpus as buildWebpCorpus, sharpReference } from "./webp-corpus.js";

export interface ReferenceCanvases {
  width: number;
  height: number;
  /** The full RGBA canvas after each frame, width × height × 4 bytes each. */
  canvases: Uint8Array[];
}

export interface PanelCorpusFile {
  format: NativeFormat;
  /** png, apng, webp lossless, webp lossy, webp animated (lossless or lossy), bmp, gif. */
  kind: string;
  name: string;
  bytes: Uint8Array;
  animated: boolean;
  lossy: boolean;
  reference(): Promise<ReferenceCanvases>;
}

export interface PanelCorpusOptions {
  /** BMP sizes to write (default: all of the BMP oracle's). */
  bmpSizes?: readonly (readonly [number, number])[];
}

/** `directory` receives the GIF and BMP files written by ImageMagick; the caller removes it. */
export async function buildPanelCorpus(directory: string, options: PanelCorpusOptions = {}): Promise<PanelCorpusFile[]> {
  const files: PanelCorpusFile[] = [];
  for (const file of await staticCorpus()) {
    files.push({ format: "png", kind: "png", name: file.name, bytes: file.bytes, animated: false, lossy: false, reference: () => sharpStill(file.bytes) });
  }
  for (const file of apngCorpus()) {
    files.push({ format: "png", kind: "apng", name: file.name, bytes: file.bytes, animated: true, lossy: false, reference: async () => upngAnimation(file.bytes) });
  }
  for (const file of await buildWebpCorpus()) {
    const kind = `webp ${file.animated ? "animated" : file.lossless ? "lossless" : "lossy"}`;
    const reference = async (): Promise<ReferenceCanvases> => {
      const pages = await sharpReference(file);
      const pageBytes = file.width * file.height * 4;
      const canvases: Uint8Array[] = [];
      for (let at = 0; at < pages.length; at += pageBytes) canvases.push(pages.subarray(at, at + pageBytes));
      return { width: file.width, height: file.height, canvases };
    };
    files.push({ format: "webp", kind, name: file.name, bytes: file.bytes, animated: file.animated, lossy: !file.lossless, reference });
  }
  for (const file of await buildBmpCorpus(directory, options.bmpSizes ?? BMP_SIZES)) {
    const canvases = [file.reference];
    files.push({ format: "bmp", kind: "bmp", name: file.name, bytes: file.bytes, animated: false, lossy: false, reference: async () => ({ width: file.width, height: file.height, canvases }) });
  }
  for (const file of await buildGifCorpus(directory)) {
    const reference = async (): Promise<ReferenceCanvases> => {
      const animation = referenceAnimation(file.bytes);
      return { width: animation.width, height: animation.height, canvases: animation.frames.map((frame) => frame.rgba) };
    };
    files.push({ format: "gif", kind: "gif", name: file.name, bytes: file.bytes, animated: true, lossy: false, reference });
  }
  return files;
}

async function sharpStill(bytes: Uint8Array): Promise<ReferenceCanvases> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, canvases: [new Uint8Array(data.buffer, data.byteOffset, data.byteLength)] };
}

/** upng-js decodes each frame; the reference compositor shows them (upng-js's own blending truncates). */
function upngAnimation(bytes: Uint8Array): ReferenceCanvases {
  const image = UPNG.decode(bytes);
  const frames = image.frames.map((frame, i) => {
    const { x, y, width, height } = frame.rect;
    const pixels = UPNG.toRGBA8.decodeImage(frame.data ?? image.data, width, height, image);
    // APNG: "previous" on the first frame means "background" (there is nothing to go back to).
    const dispose = (i === 0 && frame.dispose === 2 ? 1 : frame.dispose) as FrameHeader["dispose"];
    const header: FrameHeader = { left: x, top: y, width, height, delayMs: frame.delay, dispose, blend: frame.blend as FrameHeader["blend"] };
    return { header, rgba: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength) };
  });
  return { width: image.width, height: image.height, canvases: compose(image.width, image.height, frames) };
}
