// The parts of omggif (no bundled types) the oracle tests and the benchmark use.
declare module "omggif" {
  export interface GifFrameInfo {
    x: number;
    y: number;
    width: number;
    height: number;
    has_local_palette: boolean;
    transparent_index: number | null;
    interlaced: boolean;
    /** Centiseconds, as stored. */
    delay: number;
    /** 0-3 as stored. */
    disposal: number;
  }
  export class GifReader {
    constructor(bytes: Uint8Array);
    width: number;
    height: number;
    numFrames(): number;
    /** The NETSCAPE2.0 field as stored, or null without the extension. */
    loopCount(): number | null;
    frameInfo(index: number): GifFrameInfo;
    decodeAndBlitFrameRGBA(index: number, pixels: Uint8Array): void;
  }
  const omggif: { GifReader: typeof GifReader };
  export default omggif;
}
