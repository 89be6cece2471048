// The PixelPush port (src/ports.ts) on the HUB75 driver: what the firmware core's Display talks to on an
// ESP32. Frames are encoded into the DMA back buffer during push(), so the caller may reuse its bytes.

import type { PanelConfig, PixelPush, RefreshStats } from "../../../src/ports.js";
import Hub75, { Hub75ConfigError, type Hub75Config } from "./hub75.js";

export class Hub75Panel implements PixelPush {
  readonly #board: Omit<Hub75Config, "panelWidth" | "panelHeight" | "chain" | "depth">;
  readonly #panelWidth: number;
  #driver: Hub75 | undefined;
  /** Frames whose view does not cover its whole buffer are copied here (the driver takes ArrayBuffers). */
  #staging: Uint8Array | undefined;

  /** `board`: pins, clock, driver chip, ceiling… (manifest config.hub75); `panelWidth`: one panel's width. */
  constructor(board: Omit<Hub75Config, "panelWidth" | "panelHeight" | "chain" | "depth">, panelWidth = 64) {
    this.#board = board;
    this.#panelWidth = panelWidth;
  }

  begin(config: PanelConfig): void {
    if (config.width % this.#panelWidth !== 0) throw new Hub75ConfigError(`width ${config.width} is not a chain of ${this.#panelWidth}-pixel panels`);
    // The device settings' drive (chip, scan, clock… what the panel wizard found) over the board's build defaults.
    const board = { ...this.#board, ...config.drive };
    // A serpentine or zigzag grid stacks chainRows rows of panels.
    const rows = board.layout === undefined || board.layout === "row" ? 1 : (board.chainRows ?? 1);
    if (config.height % rows !== 0) throw new Hub75ConfigError(`height ${config.height} is not ${rows} rows of panels`);
    this.#driver?.close();
    this.#driver = undefined;
    this.#driver = new Hub75({
      ...board,
      panelWidth: this.#panelWidth,
      panelHeight: config.height / rows,
      chain: (config.width / this.#panelWidth) * rows,
      depth: config.colorDepth,
    });
    this.#staging = undefined;
  }

  push(frame: Uint8Array, still = false): void {
    const driver = this.#required();
    if (frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength) {
      driver.push(frame.buffer as ArrayBuffer, still);
      return;
    }
    if (!this.#staging || this.#staging.length !== frame.length) this.#staging = new Uint8Array(frame.length);
    this.#staging.set(frame);
    driver.push(this.#staging.buffer as ArrayBuffer, still);
  }

  get brightness(): number {
    return this.#driver?.brightness ?? this.#board.brightness ?? 50;
  }

  set brightness(percent: number) {
    this.#required().brightness = percent;
  }

  get stats(): RefreshStats {
    const stats = this.#driver?.stats();
    return { framesPushed: stats?.pushes ?? 0, refreshHz: stats?.refreshHz ?? 0 };
  }

  #required(): Hub75 {
    if (!this.#driver) throw new Hub75ConfigError("begin() first");
    return this.#driver;
  }
}
