// The PixelPush port on the Moddable simulator's screen: each LED of the panel is drawn as a square
// with a dark gap around it, so the window looks like a HUB75 panel rather than a scaled picture.
// Brightness scales the screen's bytes, i.e. the lightness, as the HUB75 driver does with its CIE 1931
// curve (L* = L*(v) x brightness; the screen's sRGB bytes are close to lightness). Frames arrive as RGB888 (src/ports.ts) and go out as the screen's RGB565 little-endian.

import type { PanelConfig, PixelPush, RefreshStats } from "../../src/ports.js";

/** The part of Commodetto's PixelsOut (the simulator's global `screen`) this panel uses. */
export interface ScreenOut {
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: number;
  begin(x: number, y: number, width: number, height: number): void;
  send(pixels: ArrayBuffer, offset: number, count: number): void;
  end(): void;
}

/** Commodetto's pixel format number for RGB565 little-endian, the simulator screen's format. */
const RGB565LE = 7;

export class SimulatorPanelError extends Error {
  override readonly name = "SimulatorPanelError";
}

export class SimulatorPanel implements PixelPush {
  readonly #screen: ScreenOut;
  readonly #onFrame: ((frame: Uint8Array) => void) | undefined;
  #config: PanelConfig | undefined;
  /** Screen pixels per LED, and where the panel's top-left LED is drawn (centred). */
  #pitch = 1;
  #left = 0;
  #top = 0;
  /** One screen row of the panel in RGB565, reused for every row of every frame. */
  #row = new Uint16Array(0);
  #brightness = 100;
  #stats: RefreshStats = { framesPushed: 0, refreshHz: 0 };

  /** `onFrame` sees every frame pushed (a test hook: the sim app can dump frames for comparison). */
  constructor(screen: ScreenOut, onFrame?: (frame: Uint8Array) => void) {
    if (screen.pixelFormat !== RGB565LE) throw new SimulatorPanelError(`the simulator screen's pixel format ${screen.pixelFormat} is not RGB565LE`);
    this.#screen = screen;
    this.#onFrame = onFrame;
  }

  begin(config: PanelConfig): void {
    const screen = this.#screen;
    const pitch = Math.floor(Math.min(screen.width / config.width, screen.height / config.height));
    if (pitch < 1) throw new SimulatorPanelError(`a ${config.width}x${config.height} panel does not fit the ${screen.width}x${screen.height} screen`);
    this.#config = config;
    this.#pitch = pitch;
    this.#left = Math.floor((screen.width - pitch * config.width) / 2);
    this.#top = Math.floor((screen.height - pitch * config.height) / 2);
    this.#row = new Uint16Array(pitch * config.width);
    // Clear the whole screen once: the area around the panel stays black.
    const black = new Uint16Array(screen.width);
    screen.begin(0, 0, screen.width, screen.height);
    for (let y = 0; y < screen.height; y++) screen.send(black.buffer, 0, black.byteLength);
    screen.end();
  }

  get brightness(): number {
    return this.#brightness;
  }

  set brightness(percent: number) {
    this.#brightness = Math.max(0, Math.min(100, percent));
  }

  get stats(): RefreshStats {
    return this.#stats;
  }

  push(frame: Uint8Array): void {
    const config = this.#config;
    if (!config) throw new SimulatorPanelError("push before begin");
    const { width, height } = config;
    if (frame.length !== width * height * 3) throw new SimulatorPanelError(`a frame of ${frame.length} bytes for a ${width}x${height} panel`);
    const pitch = this.#pitch;
    // An LED lights pitch-1 pixels of its pitch when there is room for a gap; a 1-2 px LED has none.
    const lit = pitch >= 3 ? pitch - 1 : pitch;
    const row = this.#row;
    const scale = Math.round((this.#brightness * 256) / 100);
    const screen = this.#screen;
    screen.begin(this.#left, this.#top, pitch * width, pitch * height);
    for (let y = 0; y < height; y++) {
      let source = y * width * 3;
      for (let x = 0; x < width; x++, source += 3) {
        const red = (frame[source]! * scale) >> 8;
        const green = (frame[source + 1]! * scale) >> 8;
        const blue = (frame[source + 2]! * scale) >> 8;
        const color = ((red >> 3) << 11) | ((green >> 2) << 5) | (blue >> 3);
        const start = x * pitch;
        for (let i = 0; i < pitch; i++) row[start + i] = i < lit ? color : 0;
      }
      for (let line = 0; line < pitch; line++) {
        if (line < lit) screen.send(row.buffer, 0, row.byteLength);
        else {
          row.fill(0);
          screen.send(row.buffer, 0, row.byteLength);
        }
      }
    }
    screen.end();
    this.#stats = { framesPushed: this.#stats.framesPushed + 1, refreshHz: 0 };
    this.#onFrame?.(frame);
  }
}
