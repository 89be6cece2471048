// The LED panel on a PC: implements the PixelPush port and shows what a HUB75 panel would show for the
// frames pushed — CIE-1931 lightness correction with brightness scaling the lightness, the OE-time
// brightness steps and the colour depth's quantisation, and (when `dither` is on) the driver's ordered
// dithering — as PNG snapshots and as a live stream for the panel web page. Keeps refresh statistics.
// The model follows hosts/esp32/hub75/hub75_core.c (compute_levels, encode_dithered) at its defaults:
// 4 LSB units, no brightness ceiling.

import type { PanelConfig, PixelPush, RefreshStats } from "../../src/ports.js";
import { encodePngRgb } from "./png-write.js";

export type FrameListener = (rgb: Uint8Array, config: PanelConfig) => void;

/** Perceived lightness (CIE 1931, what the panel's gamma table does) → linear light, both 0..1. */
export function cieLightnessToLinear(value: number): number {
  const lightness = value * 100;
  return lightness > 8 ? ((lightness + 16) / 116) ** 3 : lightness / 903.3;
}

/** Linear light → sRGB-encoded 0..255 for a computer screen. */
function linearToSrgbByte(linear: number): number {
  const encoded = linear <= 0.0031308 ? linear * 12.92 : 1.055 * linear ** (1 / 2.4) - 0.055;
  return Math.round(Math.min(1, Math.max(0, encoded)) * 255);
}

/** The driver's 4x4 ordered-dither thresholds (0..15), and the odd step the pattern moves by per push. */
const BAYER4 = [
  [0, 8, 2, 10],
  [12, 4, 14, 6],
  [3, 11, 1, 9],
  [15, 7, 13, 5],
] as const;
const DITHER_PHASE_STEP = 7;
const LSB_UNITS = 4;

export class PanelEmulator implements PixelPush {
  #config: PanelConfig = { width: 64, height: 64, colorDepth: 8 };
  #brightness = 100;
  #frame = new Uint8Array(64 * 64 * 3);
  #shown = new Uint8Array(64 * 64 * 3);
  /** Per input byte: the corrected level in 1/16 steps (what the driver's fine table holds). */
  #fine = new Uint16Array(256);
  /** Per input byte: the corrected level without dithering (the driver's level table). */
  #level = new Uint8Array(256);
  /** Linear light of one level, as a share of full output (brightness steps are OE time). */
  #levelLight = 0;
  #dither = false;
  #ditherPhase = 0;
  #framesPushed = 0;
  #firstPushAt = 0;
  #lastPushAt = 0;
  readonly #listeners = new Set<FrameListener>();

  constructor() {
    this.#rebuildTable();
  }

  get config(): PanelConfig {
    return { ...this.#config };
  }

  begin(config: PanelConfig): void {
    if (config.width <= 0 || config.height <= 0 || config.colorDepth < 1 || config.colorDepth > 8) {
      throw new Error(`panel: unsupported configuration ${JSON.stringify(config)}`);
    }
    this.#config = { ...config };
    this.#frame = new Uint8Array(config.width * config.height * 3);
    this.#shown = new Uint8Array(this.#frame.length);
    this.#rebuildTable();
  }

  push(frame: Uint8Array): void {
    if (frame.length !== this.#frame.length) {
      throw new Error(`panel: frame of ${frame.length} bytes, expected ${this.#frame.length} (${this.#config.width}×${this.#config.height}×3)`);
    }
    this.#frame.set(frame);
    const now = performance.now();
    if (this.#framesPushed === 0) this.#firstPushAt = now;
    this.#lastPushAt = now;
    this.#framesPushed++;
    this.#render();
    if (this.#dither) this.#ditherPhase = (this.#ditherPhase + 1) & 15;
  }

  /** The driver's ordered dithering (hub75 `dither`): dim colours keep their level and hue on average. */
  get dither(): boolean {
    return this.#dither;
  }

  set dither(on: boolean) {
    this.#dither = on;
    this.#render();
  }

  get brightness(): number {
    return this.#brightness;
  }

  set brightness(value: number) {
    this.#brightness = Math.max(0, Math.min(100, value));
    this.#rebuildTable();
    this.#render();
  }

  /** A real panel refreshes continuously; the emulator reports the frame rate it was fed. */
  get stats(): RefreshStats {
    const seconds = (this.#lastPushAt - this.#firstPushAt) / 1000;
    return { framesPushed: this.#framesPushed, refreshHz: seconds > 0 ? (this.#framesPushed - 1) / seconds : 0 };
  }

  /** The frame as pushed (before the panel's light model). */
  get lastFrame(): Uint8Array {
    return this.#frame;
  }

  /** What the panel shows, as a computer screen would show it (sRGB), RGB888. */
  get shownFrame(): Uint8Array {
    return this.#shown;
  }

  snapshotPng(): Buffer {
    return encodePngRgb(this.#config.width, this.#config.height, this.#shown);
  }

  onFrame(listener: FrameListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #rebuildTable(): void {
    const levels = (1 << this.#config.colorDepth) - 1;
    const brightness = this.#brightness / 100;
    // OE time gives whole units of the LSB's time; the level table spans what they can show.
    const units = brightness > 0 ? Math.ceil(cieLightnessToLinear(brightness) * LSB_UNITS - 1e-9) : 0;
    this.#levelLight = units / LSB_UNITS / levels;
    for (let value = 0; value < 256; value++) {
      const light = cieLightnessToLinear((value / 255) * brightness); // brightness scales lightness
      this.#fine[value] = units ? Math.min(levels * 16, Math.round((light / this.#levelLight) * 16)) : 0;
      this.#level[value] = units ? Math.min(levels, Math.round(light / this.#levelLight)) : 0;
    }
  }

  #render(): void {
    const { width } = this.#config;
    const fine = this.#fine;
    const offset = (this.#ditherPhase * DITHER_PHASE_STEP) & 15;
    for (let i = 0; i < this.#frame.length; i++) {
      let level: number;
      if (this.#dither) {
        const pixel = (i / 3) | 0;
        const threshold = (BAYER4[((pixel / width) | 0) & 3]![pixel % width & 3]! + offset) & 15;
        level = (fine[this.#frame[i]!]! + threshold) >> 4;
      } else {
        level = this.#level[this.#frame[i]!]!;
      }
      this.#shown[i] = linearToSrgbByte(level * this.#levelLight);
    }
    for (const listener of this.#listeners) listener(this.#shown, this.#config);
  }
}
