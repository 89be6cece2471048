// The panel as the firmware sees it: plays an artwork's cached frames with their delays on the Timer
// port — from the first frame on, while the decoder still fills the cache — counts loops, pauses, shows status screens, and holds the settings the website can change
// (brightness goes to the driver; rotation and mirror change the geometry, so the artwork is drawn
// again by its loader).

import type { PanelDrive, PixelPush, Timers, TimerId } from "../ports.js";
import type { CachedFrame, FrameCache } from "./frame-cache.js";
import { orientation, type PanelGeometry, type Rotation } from "./geometry.js";
import { drawStatus, STATUS_COLORS } from "./status-screen.js";

export interface PlaybackListener {
  /** The animation finished one full loop (stills report nothing). */
  loopCompleted(): void;
}

export type StatusLevel = keyof typeof STATUS_COLORS;

export interface DisplayOptions {
  geometry: PanelGeometry;
  colorDepth?: number;
  brightness?: number;
  /** Upper bound of the brightness setting for this board (power supply, heat). */
  brightnessCeiling?: number;
  /** How the panel's electronics are driven (PanelConfig.drive); the board's defaults without it. */
  drive?: PanelDrive;
}

/** Frames shorter than this are shown this long (browsers do the same for 0–10 ms delays). */
const MINIMUM_DELAY_MS = 20;
/**
 * A frame shown at least this long is pushed as a still (PixelPush.push): the panel may then refine it
 * (temporal dithering costs a second encode and up to two refreshes of waiting, ≈ 10 ms). Shorter
 * frames are left to the driver's per-push pattern, which averages across the animation.
 */
const STILL_MS = 1000;

export class Display {
  readonly #panel: PixelPush;
  readonly #timers: Timers;
  readonly #ceiling: number;
  readonly #geometryListeners: (() => void)[] = [];
  #geometry: PanelGeometry;
  #brightness: number;
  #cache: FrameCache | undefined;
  #listener: PlaybackListener | undefined;
  /** The decoded frame on the panel (CachedFrame.ordinal): its place survives a thinning pass. */
  #ordinal = 0;
  #loopsPlayed = 0;
  /** The file's loop count is used up: the last frame stays. */
  #ended = false;
  /** Set while the frame on the panel has time left; unset while paused, stopped or waiting for frames. */
  #timer: TimerId | undefined;
  #paused = false;
  #pausedAt = 0;
  #shownAt = 0;
  /** The time of the frame on the panel when it was shown (before any frame was merged into it). */
  #shownDelayMs = 0;
  /** The frame on the panel went out as a still (see #hold). */
  #stillShown = false;
  #now: () => number;

  constructor(panel: PixelPush, timers: Timers, now: () => number, options: DisplayOptions) {
    this.#panel = panel;
    this.#timers = timers;
    this.#now = now;
    this.#geometry = { ...options.geometry };
    this.#ceiling = options.brightnessCeiling ?? 100;
    this.#brightness = Math.min(options.brightness ?? 60, this.#ceiling);
    panel.begin({ width: this.#geometry.width, height: this.#geometry.height, colorDepth: options.colorDepth ?? 8, ...(options.drive ? { drive: options.drive } : {}) });
    panel.brightness = this.#brightness;
  }

  get geometry(): PanelGeometry {
    return this.#geometry;
  }

  get brightness(): number {
    return this.#brightness;
  }

  get rotation(): number {
    return this.#geometry.rotation;
  }

  get mirror(): string {
    return this.#geometry.mirror ? "horizontal" : "none";
  }

  /** An artwork is on the panel (not a status screen, not stopped). */
  get playing(): boolean {
    return this.#cache !== undefined;
  }

  get frameBytes(): number {
    return this.#geometry.width * this.#geometry.height * 3;
  }

  /**
   * Called when rotation or mirror changed: whoever drew the artwork must draw it again. Returns the
   * function that removes the listener (a display outlives the pipelines that draw on it).
   */
  onGeometryChange(listener: () => void): () => void {
    this.#geometryListeners.push(listener);
    return () => {
      const index = this.#geometryListeners.indexOf(listener);
      if (index >= 0) this.#geometryListeners.splice(index, 1);
    };
  }

  setBrightness(value: number): void {
    this.#brightness = Math.max(0, Math.min(this.#ceiling, Math.round(value)));
    this.#panel.brightness = this.#brightness;
  }

  setRotation(value: number): void {
    if (value !== 0 && value !== 90 && value !== 180 && value !== 270) throw new RangeError(`rotation ${value}`);
    if (value === this.#geometry.rotation) return;
    this.#geometry = { ...this.#geometry, rotation: value as Rotation };
    for (const listener of this.#geometryListeners) listener();
  }

  setMirror(value: string): void {
    const mirror = value === "horizontal";
    if (!mirror && value !== "none") throw new RangeError(`mirror ${value}`);
    if (mirror === this.#geometry.mirror) return;
    this.#geometry = { ...this.#geometry, mirror };
    for (const listener of this.#geometryListeners) listener();
  }

  /**
   * Starts playing `cache` from its first frame; what played before stops. The cache may still be
   * filling (render while decoding): playback waits at its last frame until `framesChanged` says more
   * came, and loops only once the cache is complete.
   */
  play(cache: FrameCache, listener: PlaybackListener): void {
    this.#stop();
    this.#cache = cache;
    this.#listener = listener;
    this.#loopsPlayed = 0;
    this.#ended = false;
    this.#show(0);
  }

  /**
   * `cache` gained frames, merged some (thinning) or became complete. If it is playing, the next frame
   * is shown now when the one on the panel has had its time (decoding fell behind; this may run inside
   * a long decoder call, before a due timer could fire), else when it has (frames merged into it
   * lengthen it).
   */
  framesChanged(cache: FrameCache): void {
    if (cache === this.#cache) this.#step();
  }

  /**
   * A status message instead of art (connecting, blocked, nothing to show), upright as mounted. Its
   * frame lives only for this call (the panel copies what it is pushed): no panel frame is held for
   * status screens while art plays.
   */
  showStatus(message: string, level: StatusLevel = "info"): void {
    this.#stop();
    this.#cache = undefined;
    const geometry = this.#geometry;
    const bytes = geometry.width * geometry.height * 3;
    const frame = new Uint8Array(bytes);
    const turned = geometry.rotation === 90 || geometry.rotation === 270;
    const logicalWidth = turned ? geometry.height : geometry.width;
    const logicalHeight = turned ? geometry.width : geometry.height;
    if (geometry.rotation === 0 && !geometry.mirror) {
      drawStatus(frame, logicalWidth, logicalHeight, message, STATUS_COLORS[level]);
    } else {
      // Drawn upright, then turned like the art.
      const upright = new Uint8Array(bytes);
      drawStatus(upright, logicalWidth, logicalHeight, message, STATUS_COLORS[level]);
      const { origin, stepX, stepY } = orientation(geometry);
      for (let ly = 0; ly < logicalHeight; ly++) {
        for (let lx = 0; lx < logicalWidth; lx++) {
          const from = (ly * logicalWidth + lx) * 3;
          const to = (origin + lx * stepX + ly * stepY) * 3;
          frame[to] = upright[from]!;
          frame[to + 1] = upright[from + 1]!;
          frame[to + 2] = upright[from + 2]!;
        }
      }
    }
    this.#panel.push(frame, true);
  }

  /** Stops animating (the last frame stays on the panel) and cancels every timer. */
  stop(): void {
    this.#stop();
    this.#cache = undefined;
  }

  setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    const now = this.#now();
    if (paused) {
      this.#pausedAt = now;
      this.#stop();
      this.#hold();
    } else if (this.#cache) {
      // The frame on the panel gets the rest of its time: the pause does not count.
      this.#shownAt += now - this.#pausedAt;
      this.#step();
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #frameDelay(frame: CachedFrame): number {
    return Math.max(MINIMUM_DELAY_MS, frame.delayMs);
  }

  #show(index: number): void {
    const cache = this.#cache!;
    const frame = cache.frame(index);
    const still = this.#paused || (cache.complete && cache.length === 1) || this.#frameDelay(frame) >= STILL_MS;
    this.#panel.push(frame.pixels, still);
    this.#stillShown = still;
    this.#ordinal = frame.ordinal;
    this.#shownAt = this.#now();
    this.#shownDelayMs = this.#frameDelay(frame);
    if (this.#paused) this.#pausedAt = this.#shownAt;
    else if (!(cache.complete && cache.length === 1)) this.#schedule(this.#shownDelayMs);
  }

  /**
   * The frame on the panel may have had its time: show the next one, loop, or wait. Runs on the timer,
   * when the cache changes, and on resume.
   */
  #step(): void {
    const cache = this.#cache;
    if (!cache || this.#paused || this.#ended) return;
    this.#stop();
    if (cache.complete && cache.length === 1) {
      // A still: nothing follows, no loops. Decoded while it showed, it went out as an animation frame.
      this.#hold();
      return;
    }
    const index = cache.indexHolding(this.#ordinal);
    const frame = cache.frame(index);
    // Still the start of a kept frame: frames merged into it since it was shown lengthen its time.
    // Merged into its predecessor since: it keeps the time it was shown with.
    const delayMs = frame.ordinal === this.#ordinal ? this.#frameDelay(frame) : this.#shownDelayMs;
    const leftMs = this.#shownAt + delayMs - this.#now();
    if (leftMs > 0) {
      this.#schedule(leftMs);
      return;
    }
    if (index + 1 < cache.length) {
      this.#show(index + 1);
      return;
    }
    // At the last frame decoded so far: hold it until the next one is ready (framesChanged).
    if (!cache.complete) return;
    this.#loopsPlayed++;
    this.#listener?.loopCompleted();
    // A file that asks for n plays holds its last frame afterwards; 0 means forever.
    if (cache.loopCount !== 0 && this.#loopsPlayed >= cache.loopCount) {
      this.#ended = true;
      this.#hold();
      return;
    }
    this.#show(0);
  }

  /** The frame on the panel stays (a still, a pause, plays used up): pushed again as a still, once. */
  #hold(): void {
    const cache = this.#cache;
    if (!cache || this.#stillShown || cache.length === 0) return;
    this.#panel.push(cache.frame(cache.indexHolding(this.#ordinal)).pixels, true);
    this.#stillShown = true;
  }

  #schedule(ms: number): void {
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#step();
    }, ms);
  }
}
