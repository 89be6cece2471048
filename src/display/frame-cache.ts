// Panel frames of one artwork, kept so an animation plays at its own speed however slowly it decoded.
// Bounded by a byte budget: when an animation has more frames than fit, every other kept frame is
// merged into its predecessor (its delay added), and later frames are thinned the same way, so the
// loop keeps its total duration and the memory stays within the budget. Buffers are recycled.
//
// The display plays a cache while it is still being filled (render while decoding): it sees only the
// frames `add` has taken (never the buffer being composed) and waits at the last one until more come
// or the cache is marked complete. Each kept frame carries the number of the decoded frame it starts
// with, so the display keeps its place when a thinning pass moves frames to lower indices.

export interface CachedFrame {
  /** RGB888 panel frame. */
  pixels: Uint8Array;
  delayMs: number;
  /** The decoded frame (0, 1, 2, … in file order) this kept frame starts with; frames merged into it follow. */
  readonly ordinal: number;
}

export class FrameCache {
  readonly frameBytes: number;
  readonly maximumFrames: number;
  readonly #frames: CachedFrame[] = [];
  readonly #spare: Uint8Array[] = [];
  /** Keep one decoded frame out of `#stride`; the others lend their delay to the last kept frame. */
  #stride = 1;
  #decoded = 0;
  #pending: Uint8Array | undefined;
  #complete = false;
  loopCount = 0;

  constructor(frameBytes: number, budgetBytes: number) {
    this.frameBytes = frameBytes;
    // Two frames at least: one showing while the next is written.
    this.maximumFrames = Math.max(2, Math.floor(budgetBytes / frameBytes));
  }

  get length(): number {
    return this.#frames.length;
  }

  /** Frames decoded so far, kept or not. */
  get decoded(): number {
    return this.#decoded;
  }

  /** Every frame of the artwork is in (or merged into) the cache: playback loops instead of waiting. */
  get complete(): boolean {
    return this.#complete;
  }

  /**
   * Bytes of panel frames this cache holds: kept frames, recycled buffers and the one being written.
   * Buffers are kept for reuse after `clear`, so this only grows, up to the budget (at least 2 frames).
   */
  get bytes(): number {
    return (this.#frames.length + this.#spare.length + (this.#pending ? 1 : 0)) * this.frameBytes;
  }

  /** Whether frames were merged to fit the budget. */
  get thinned(): boolean {
    return this.#stride > 1;
  }

  frame(index: number): CachedFrame {
    return this.#frames[index]!;
  }

  /** The index of the kept frame that shows decoded frame `ordinal` (the last one starting at or before it). */
  indexHolding(ordinal: number): number {
    const frames = this.#frames;
    let low = 0;
    let high = frames.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (frames[middle]!.ordinal <= ordinal) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** A buffer for the compositor to render the next frame into, or undefined if it will be merged away. */
  bufferForNextFrame(): Uint8Array | undefined {
    if (this.#decoded % this.#stride !== 0 && this.#frames.length > 0) return undefined;
    // Full: thin first, so the new frame reuses a freed buffer; allocating it before thinning would
    // hold one frame over the budget (a third 12 KiB frame per cache on the small class).
    if (this.#frames.length === this.maximumFrames) {
      this.#thin();
      if (this.#decoded % this.#stride !== 0) return undefined;
    }
    this.#pending = this.#spare.pop() ?? new Uint8Array(this.frameBytes);
    return this.#pending;
  }

  /**
   * A frame finished decoding; `pixels` is the buffer from `bufferForNextFrame`, or (when that returned
   * undefined) anything: a frame that is merged away only lends its delay.
   */
  add(pixels: Uint8Array, delayMs: number): void {
    const keep = this.#decoded % this.#stride === 0 || this.#frames.length === 0;
    const ordinal = this.#decoded++;
    if (!keep) {
      this.#frames[this.#frames.length - 1]!.delayMs += delayMs;
      return;
    }
    if (this.#frames.length === this.maximumFrames) this.#thin();
    const buffer = pixels === this.#pending ? pixels : this.#copy(pixels);
    this.#pending = undefined;
    this.#frames.push({ pixels: buffer, delayMs, ordinal });
  }

  /** No more frames will come (the file ended, or its decoding stopped for good). */
  markComplete(): void {
    this.#complete = true;
  }

  /** Drops every frame (a new artwork, or a fallback rendition); buffers are kept for reuse. */
  clear(): void {
    for (const frame of this.#frames) this.#spare.push(frame.pixels);
    this.#frames.length = 0;
    this.#stride = 1;
    this.#decoded = 0;
    this.#complete = false;
    this.loopCount = 0;
  }

  #copy(pixels: Uint8Array): Uint8Array {
    const buffer = this.#spare.pop() ?? new Uint8Array(this.frameBytes);
    buffer.set(pixels);
    return buffer;
  }

  #thin(): void {
    const frames = this.#frames;
    let kept = 0;
    for (let index = 0; index < frames.length; index++) {
      if (index % 2 === 0) frames[kept++] = frames[index]!;
      else {
        frames[kept - 1]!.delayMs += frames[index]!.delayMs;
        this.#spare.push(frames[index]!.pixels);
      }
    }
    frames.length = kept;
    this.#stride *= 2;
  }
}
