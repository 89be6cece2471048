// The LED panel on a PC: implements the PixelPush port and shows what a HUB75 panel would show for the
// frames pushed — CIE-1931 lightness correction with brightness scaling the lightness, the OE-time
// brightness steps and the colour depth's quantisation, and (when `dither` is on) the driver's ordered
// dithering — as PNG snapshots and as a live stream for the panel web page. Keeps refresh statistics.
// The model follows hosts/esp32/hub75/hub75_core.c (compute_levels, encode_dithered) at its defaults:
// 4 LSB units, no brightness ceiling.
//
// With `electronics` (the panel's own driver chip, scan, clock phase and fastest clock) it also shows
// what such a panel shows when it is driven with other settings (PanelConfig.drive), so that the panel
// wizard's candidates look wrong on the page as they would on a real panel:
// - a chip that needs set-up words (FM6126A family, DP3246) and does not get its own stays dark;
// - another scan repeats bands of rows (an approximation: a real panel interleaves them in its own way);
// - the other clock phase moves every row one column to the right;
// - a clock faster than the panel takes sprinkles white pixels over the picture.

import type { PanelConfig, PanelDrive, PanelDriverChip, PixelPush, RefreshStats } from "../../src/ports.js";
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

/** Chips grouped by the set-up words they need ("" for none); a chip shows nothing without its group's. */
const SETUP_FAMILY: Readonly<Record<PanelDriverChip, string>> = Object.freeze({ shiftreg: "", mbi5124: "", fm6126a: "fm", icn2038s: "fm", fm6124: "fm", dp3246: "dp" });
/** Chips that sample on the rising edge whatever the setting (the HUB75 core forces the phase for them). */
const RISING_EDGE_CHIPS: readonly PanelDriverChip[] = Object.freeze(["mbi5124", "dp3246"] as PanelDriverChip[]);
/** The HUB75 driver's defaults when a drive leaves a field out (hosts/esp32/hub75/manifest.json). */
const DRIVER_DEFAULTS = Object.freeze({ driver: "shiftreg" as PanelDriverChip, clockPhase: false, clockHz: 20_000_000 });

export class PanelEmulator implements PixelPush {
  readonly #electronics: PanelDrive | undefined;
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
  /** The last push was a still: the driver alternates two dither phases every refresh (shown here as their mean). */
  #still = false;
  #framesPushed = 0;
  #firstPushAt = 0;
  #lastPushAt = 0;
  readonly #listeners = new Set<FrameListener>();

  /** `electronics`: the emulated panel's own chip, scan, phase and fastest clock; without it every drive shows the picture as sent. */
  constructor(electronics?: PanelDrive) {
    this.#electronics = electronics;
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

  push(frame: Uint8Array, still = false): void {
    if (frame.length !== this.#frame.length) {
      throw new Error(`panel: frame of ${frame.length} bytes, expected ${this.#frame.length} (${this.#config.width}×${this.#config.height}×3)`);
    }
    this.#frame.set(frame);
    const now = performance.now();
    if (this.#framesPushed === 0) this.#firstPushAt = now;
    this.#lastPushAt = now;
    this.#framesPushed++;
    this.#still = still;
    this.#render();
    if (this.#dither && !still) this.#ditherPhase = (this.#ditherPhase + 1) & 15;
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

  /** sRGB byte of frame byte `i` as the driver shows it: its level (dithered by its own position when on; a
   *  still's two temporal phases averaged). */
  #lightOf(i: number): number {
    let level: number;
    if (this.#dither) {
      const pixel = (i / 3) | 0;
      const width = this.#config.width;
      const bayer = BAYER4[((pixel / width) | 0) & 3]![pixel % width & 3]!;
      const fine = this.#fine[this.#frame[i]!]!;
      if (this.#still) {
        // A still's two phases, thresholds bayer / 2 and that + 8, each shown every other refresh: the eye sees their mean.
        const threshold = bayer >> 1;
        level = (((fine + threshold) >> 4) + ((fine + threshold + 8) >> 4)) / 2;
      } else {
        level = (fine + ((bayer + ((this.#ditherPhase * DITHER_PHASE_STEP) & 15)) & 15)) >> 4;
      }
    } else {
      level = this.#level[this.#frame[i]!]!;
    }
    return linearToSrgbByte(level * this.#levelLight);
  }

  #render(): void {
    const { width, height } = this.#config;
    const look = this.#electronics ? mismatch(this.#electronics, this.#config.drive, height) : NO_MISMATCH;
    const shown = this.#shown;
    if (look.dark) shown.fill(0);
    else {
      for (let y = 0; y < height; y++) {
        const sourceRow = look.rowBand > 0 ? (y % look.rowBand) + (y >= height / 2 ? height / 2 : 0) : y;
        for (let x = 0; x < width; x++) {
          const to = (y * width + x) * 3;
          const sourceColumn = x - look.columnShift;
          for (let c = 0; c < 3; c++) shown[to + c] = sourceColumn < 0 ? 0 : this.#lightOf(((sourceRow * width + sourceColumn) * 3) + c);
          // Deterministic "sparkles" so that a snapshot is reproducible: about 1 pixel in 24.
          if (look.sparkles && ((x * 73 + y * 151 + this.#framesPushed * 37) % 24) === 0) shown[to] = shown[to + 1] = shown[to + 2] = 255;
        }
      }
    }
    for (const listener of this.#listeners) listener(this.#shown, this.#config);
  }
}

interface Mismatch {
  dark: boolean;
  /** > 0: rows repeat with this period in each half (a wrong scan). */
  rowBand: number;
  columnShift: number;
  sparkles: boolean;
}

const NO_MISMATCH: Mismatch = Object.freeze({ dark: false, rowBand: 0, columnShift: 0, sparkles: false });

/** How a panel with `electronics` shows a picture driven with `drive`. */
export function mismatch(electronics: PanelDrive, drive: PanelDrive | undefined, height: number): Mismatch {
  const chip = electronics.driver ?? DRIVER_DEFAULTS.driver;
  const sent = drive?.driver ?? DRIVER_DEFAULTS.driver;
  const dark = SETUP_FAMILY[chip] !== "" && SETUP_FAMILY[chip] !== SETUP_FAMILY[sent];
  const panelScan = electronics.scan ?? height / 2;
  const sentScan = drive?.scan ?? height / 2;
  const rowBand = panelScan === sentScan ? 0 : Math.min(panelScan, sentScan);
  const panelRising = RISING_EDGE_CHIPS.includes(chip) || (electronics.clockPhase ?? DRIVER_DEFAULTS.clockPhase);
  const sentRising = RISING_EDGE_CHIPS.includes(sent) || (drive?.clockPhase ?? DRIVER_DEFAULTS.clockPhase);
  const sparkles = (drive?.clockHz ?? DRIVER_DEFAULTS.clockHz) > (electronics.clockHz ?? Number.POSITIVE_INFINITY);
  return { dark, rowBand, columnShift: panelRising === sentRising ? 0 : 1, sparkles };
}
