// What the PNG and BMP kernel workloads (bundled into xst-art-asan) share: a digest of the rows a
// decoder delivers, and a decode pushed in slices whose error is kept as its code and message.

import { ImageDecodeError, type ImageDecoder, type ImageSink } from "../../src/art/image.js";

function mix(h: number, n: number): number {
  return Math.imul(h ^ n, 0x01000193) >>> 0;
}

/** FNV-1a of the rows delivered: `all` of every row, `done` of the completed frames' (the open frame's rows are kept apart until frameEnd). */
export class RowDigest implements ImageSink {
  done = 0x811c9dc5;
  open = 0x811c9dc5;
  all = 0x811c9dc5;
  frames = 0;
  rows = 0;
  header(): void {}
  frameStart(): void {
    this.open = this.done;
  }
  row(y: number, x0: number, step: number, count: number, rgba: Uint8Array): void {
    let h = mix(mix(mix(mix(this.open, y), x0), step), count);
    let a = mix(mix(mix(mix(this.all, y), x0), step), count);
    for (let i = 0, end = count * 4; i < end; i++) {
      h = mix(h, rgba[i]!);
      a = mix(a, rgba[i]!);
    }
    this.open = h;
    this.all = a;
    this.rows++;
  }
  frameEnd(): void {
    this.done = this.open;
    this.frames++;
  }
  end(): void {}
}

/**
 * Pushes `bytes` into the decoder `create` makes, `split` bytes at a time, and finishes it. Returns
 * the error's code (or what was thrown instead of an ImageDecodeError) and message; null when none.
 */
export function decodeInSlices(create: () => ImageDecoder, bytes: Uint8Array, split: number): { error: string | null; message: string | null } {
  try {
    const decoder = create();
    for (let at = 0; at < bytes.length; at += split) decoder.push(bytes.subarray(at, Math.min(bytes.length, at + split)));
    decoder.finish();
    return { error: null, message: null };
  } catch (caught) {
    return {
      error: caught instanceof ImageDecodeError ? caught.code : `not an ImageDecodeError: ${String(caught)}`,
      message: caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught),
    };
  }
}
