// The boot machine's one Display (boot.ts): every state's screen and every PlayerDevice draw on it, so
// the panel is set up once (a HUB75 driver reallocates its DMA buffers on every `begin`). It is set up
// again only when the stored settings name another size or colour depth; brightness, rotation and
// mirror changes go through the running display instead.

import type { Display } from "../display/display.js";
import type { Host } from "../ports.js";
import { errorMessage } from "../util/errors.js";
import { BOOT_DEFAULTS, type BootOptions } from "./boot-options.js";
import type { LoadedSettings } from "./boot-services.js";
import { readPanelConfig, type ResolvedPanelSettings } from "./config.js";
import { createPanelDisplay } from "./device.js";

export class BootPanel {
  readonly #host: Host;
  readonly #options: Pick<BootOptions, "panel" | "fallbackPanel">;
  #display: Display | undefined;
  #settings: ResolvedPanelSettings | undefined;

  constructor(host: Host, options: Pick<BootOptions, "panel" | "fallbackPanel">) {
    this.#host = host;
    this.#options = options;
  }

  /** Undefined until a panel could be set up. */
  get display(): Display | undefined {
    return this.#display;
  }

  /**
   * Sets the panel up from the settings (or, without them, the fallback) unless a display of that size
   * already runs. Without settings a running display is kept whatever its size: unreadable settings say
   * nothing about the panel, and the one set up from the last readable ones is the best guess.
   */
  ensure(settings: LoadedSettings | undefined): void {
    const fallback = this.#options.fallbackPanel ?? BOOT_DEFAULTS.fallbackPanel;
    let panel: ResolvedPanelSettings;
    try {
      panel = readPanelConfig(settings ? settings.device : fallback).panel;
    } catch (error) {
      this.#host.log.write("warn", `panel settings unusable (${errorMessage(error)}): using the fallback panel`);
      try {
        panel = readPanelConfig(fallback).panel;
      } catch (fallbackError) {
        // A board built with a panel its memory class cannot drive: the smallest panel still shows why.
        this.#host.log.write("warn", `fallback panel unusable (${errorMessage(fallbackError)}): using ${BOOT_DEFAULTS.fallbackPanel.panel.size}`);
        panel = readPanelConfig(BOOT_DEFAULTS.fallbackPanel).panel;
      }
    }
    const current = this.#settings;
    if (this.#display && current && current.width === panel.width && current.height === panel.height && current.colorDepth === panel.colorDepth) return;
    if (this.#display && !settings) return;
    try {
      const display = createPanelDisplay(this.#host, this.#options.panel, panel);
      this.#display?.stop();
      this.#display = display;
      this.#settings = panel;
    } catch (error) {
      // A panel that cannot be set up (a driver out of DMA memory) must not stop the machine: it can
      // still be provisioned over serial, and the session step tries the panel again.
      this.#host.log.write("error", `panel not set up: ${errorMessage(error)}`);
    }
  }
}
