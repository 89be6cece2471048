// The boot machine's one Display (boot.ts): every state's screen and every PlayerDevice draw on it, so
// the panel is set up once (a HUB75 driver reallocates its DMA buffers on every `begin`). It is set up
// again only when the stored settings name another size, colour depth or drive (chip, scan, clock…);
// brightness, rotation and mirror changes go through the running display instead. The panel wizard
// drives the panel itself; `release()` then makes the next `ensure` set it up again.

import type { Display } from "../display/display.js";
import type { Host, PanelDrive } from "../ports.js";
import { errorMessage } from "../util/errors.js";
import { BOOT_DEFAULTS, type BootOptions } from "./boot-options.js";
import type { LoadedSettings } from "./boot-services.js";
import { readPanelConfig, type ResolvedPanelSettings } from "./config.js";
import { createPanelDisplay } from "./device.js";
import { sameDrive } from "./panel-drive.js";

export class BootPanel {
  readonly #host: Host;
  readonly #options: Pick<BootOptions, "panel" | "fallbackPanel">;
  #display: Display | undefined;
  #settings: ResolvedPanelSettings | undefined;
  #drive: PanelDrive | undefined;

  constructor(host: Host, options: Pick<BootOptions, "panel" | "fallbackPanel">) {
    this.#host = host;
    this.#options = options;
  }

  /** Undefined until a panel could be set up. */
  get display(): Display | undefined {
    return this.#display;
  }

  /** The size and depth the panel runs with, and its drive (undefined: the board's defaults). */
  get current(): { readonly settings: ResolvedPanelSettings; readonly drive: PanelDrive | undefined } | undefined {
    return this.#settings ? { settings: this.#settings, drive: this.#drive } : undefined;
  }

  /** Someone else (the panel wizard) takes the panel: the display stops, and the next `ensure` sets the panel up again. */
  release(): void {
    this.#display?.stop();
    this.#display = undefined;
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
    const drive = settings?.panelDrive;
    if (this.#display && current && current.width === panel.width && current.height === panel.height && current.colorDepth === panel.colorDepth && sameDrive(this.#drive, drive)) return;
    if (this.#display && !settings) return;
    try {
      let display: Display;
      let used = drive;
      try {
        display = createPanelDisplay(this.#host, this.#options.panel, panel, drive);
      } catch (error) {
        if (drive === undefined) throw error;
        // A stored drive this board refuses: the board's defaults still light the panel (the wizard can run again).
        this.#host.log.write("warn", `panel drive refused (${errorMessage(error)}): using the board's defaults`);
        used = undefined;
        display = createPanelDisplay(this.#host, this.#options.panel, panel);
      }
      this.#display?.stop();
      this.#display = display;
      this.#settings = panel;
      this.#drive = used;
    } catch (error) {
      // A panel that cannot be set up (a driver out of DMA memory) must not stop the machine: it can
      // still be provisioned over serial, and the session step tries the panel again.
      this.#host.log.write("error", `panel not set up: ${errorMessage(error)}`);
    }
  }
}
