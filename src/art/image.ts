// The contract between the image decoders (GIF, PNG/APNG, BMP, WebP) and the compositor that samples
// their pixels onto the panel. Decoders are push parsers: bytes in as they arrive, rows out. They never
// hold a whole file or a full-size decoded canvas unless their format forces it (WebP lossless
// back-references), and the compositor keeps only the canvas points the panel samples.

/** What the canvas does with a frame's region after the frame has been shown. */
export const Dispose = Object.freeze({
  /** Leave the frame's pixels in place (GIF 0/1, APNG NONE). */
  none: 0,
  /** Clear the frame's region to fully transparent (GIF 2, APNG BACKGROUND). */
  background: 1,
  /** Restore the region to what it was before the frame was drawn (GIF 3, APNG PREVIOUS). */
  previous: 2,
} as const);
export type Dispose = (typeof Dispose)[keyof typeof Dispose];

/** How a frame's pixels meet the canvas. */
export const Blend = Object.freeze({
  /** Replace canvas pixels, alpha included (APNG SOURCE, WebP no-blend). */
  source: 0,
  /** Alpha-composite over the canvas (GIF: transparent index leaves the canvas pixel; APNG OVER). */
  over: 1,
} as const);
export type Blend = (typeof Blend)[keyof typeof Blend];

export interface ImageHeader {
  /** Canvas size in pixels (logical screen for GIF, IHDR for PNG, VP8X canvas for WebP). */
  width: number;
  height: number;
  /** Frames the file declares (APNG acTL, WebP counts as it goes); 0 when unknown until the end (GIF). */
  frameCount: number;
  /** 0 = loop forever, n = play n times in total. Still images: 1. */
  loopCount: number;
}

export interface FrameHeader {
  /** The frame's region on the canvas; decoders check it lies inside the canvas. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** How long the frame stays on screen, after browser rules (GIF delays of 0/1 cs become 100 ms). */
  delayMs: number;
  dispose: Dispose;
  blend: Blend;
}

/** Receives decoded pixels. Every call happens synchronously inside `ImageDecoder.push`/`finish`. */
export interface ImageSink {
  header(header: ImageHeader): void;
  frameStart(frame: FrameHeader): void;
  /**
   * Pixels of row `y` of the frame region (0 = the region's top row), RGBA 8 bits per channel,
   * not premultiplied: `count` pixels at columns `x0`, `x0 + step`, … of the region, packed in
   * `rgba[0 .. count*4)`. Plain rows have x0 = 0, step = 1, count = width; Adam7 passes deliver
   * sparse rows. Rows may arrive in any order (GIF interlace, Adam7) but every pixel exactly once per
   * frame. `rgba` is the decoder's buffer: read it before returning, never keep it.
   */
  row(y: number, x0: number, step: number, count: number, rgba: Uint8Array): void;
  frameEnd(): void;
  /** The file is complete (trailer / IEND / last chunk seen). */
  end(): void;
}

export interface ImageDecoder {
  /** Feeds the next bytes of the file, in any slicing. Throws `ImageDecodeError` on bad input. */
  push(chunk: Uint8Array): void;
  /** No more bytes will come. Throws `ImageDecodeError` ("truncated") when the file is incomplete. */
  finish(): void;
}

export type ImageErrorCode =
  /** Not this format at all (signature mismatch). */
  | "bad_signature"
  /** A valid file using a feature this decoder does not implement. */
  | "unsupported"
  /** Malformed structure or compressed data. */
  | "corrupt"
  /** The bytes ended before the image did. */
  | "truncated"
  /** Declared canvas larger than the limits (decompression-bomb guard). */
  | "too_large"
  /** More frames than the limits allow. */
  | "too_many_frames";

export class ImageDecodeError extends Error {
  // A field, not `this.name = ...`: in a Moddable app Error.prototype is frozen, and assigning a
  // property that a frozen prototype holds throws ("set name: not writable").
  override readonly name = "ImageDecodeError";
  readonly code: ImageErrorCode;
  constructor(code: ImageErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

/** Bounds every decoder enforces before allocating anything sized by the file. */
export interface DecodeLimits {
  maxWidth: number;
  maxHeight: number;
  maxFrames: number;
}

/** Makapix art is at most 256×256 (protocol sheet §6); frames are capped to bound a bad file's cost. */
export const DEFAULT_LIMITS: DecodeLimits = Object.freeze({ maxWidth: 256, maxHeight: 256, maxFrames: 1024 });
