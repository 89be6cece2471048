// A PixelPush that keeps what it was given, and the board defaults the boot-machine tests share.
// Portable: no Node APIs (the unit tests run in XS too).

import type { BoardDefaults } from "../../src/device/boot-settings.js";
import type { PanelConfig, PixelPush, RefreshStats } from "../../src/ports.js";

export class TestPanel implements PixelPush {
  config: PanelConfig | undefined;
  /** A copy of the last frame pushed. */
  last = new Uint8Array(0);
  brightness = -1;
  readonly stats: RefreshStats = { framesPushed: 0, refreshHz: 0 };
  begin(config: PanelConfig): void {
    this.config = config;
  }
  push(frame: Uint8Array): void {
    this.last = frame.slice();
  }
}

/** A DevKit-like board of the small class with a 64×32 panel, a test broker and vault. */
export const TEST_BOARD: BoardDefaults = Object.freeze({
  board: "esp32-devkit",
  memoryClass: "small",
  panel: Object.freeze({ size: "64x32" }),
  broker: Object.freeze({ host: "broker.test", port: 8883 }),
  vault: Object.freeze({ url: "http://vault.test" }),
});
