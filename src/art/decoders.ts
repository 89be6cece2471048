// The decoder for each format this build carries. A build may leave one out (a device without PSRAM
// gains nothing from WebP, see rendition.ts): a format missing from `AVAILABLE_DECODERS` is never chosen.

import type { NativeFormat } from "./artwork.js";
import type { ArtKernels, InflateFactory } from "../ports.js";
import { BmpDecoder } from "./bmp.js";
import { GifDecoder } from "./gif.js";
import { DEFAULT_LIMITS, type DecodeLimits, type ImageDecoder, type ImageHeader, type ImageSink } from "./image.js";
import { PngDecoder } from "./png.js";
import { WebpDecoder } from "./webp.js";

export const AVAILABLE_DECODERS: readonly NativeFormat[] = Object.freeze(["gif", "png", "bmp", "webp"]);

export interface DecoderOptions {
  inflate?: InflateFactory | undefined;
  limits?: DecodeLimits | undefined;
  /** Native pixel kernels from the host (the GIF, WebP, PNG and BMP decoders'); TypeScript otherwise. */
  kernels?: ArtKernels | undefined;
  /** Sees the image header on its way to the sink (loop count, canvas size). */
  onHeader?: (header: ImageHeader) => void;
}

export function createDecoder(format: NativeFormat, sink: ImageSink, options: DecoderOptions = {}): ImageDecoder {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const target = options.onHeader ? tapHeader(sink, options.onHeader) : sink;
  switch (format) {
    case "gif":
      return new GifDecoder(target, limits, options.kernels?.gif);
    case "png":
      return new PngDecoder(target, { limits, ...(options.inflate ? { inflate: options.inflate } : {}), ...(options.kernels?.png ? { kernels: options.kernels.png } : {}) });
    case "bmp":
      return new BmpDecoder(target, limits, options.kernels?.bmp);
    case "webp":
      return new WebpDecoder(target, limits, options.kernels?.webp);
  }
}

function tapHeader(sink: ImageSink, onHeader: (header: ImageHeader) => void): ImageSink {
  return {
    header: (header) => {
      onHeader(header);
      sink.header(header);
    },
    frameStart: (frame) => sink.frameStart(frame),
    row: (y, x0, step, count, rgba) => sink.row(y, x0, step, count, rgba),
    frameEnd: () => sink.frameEnd(),
    end: () => sink.end(),
  };
}
