// The settings store (settings.ts) as the boot machine's SettingsSource: what is stored, completed with
// the board's defaults (memory class, the panel before one is set, the production broker and vault).
// After registration it also keeps where to connect and the API token that came with the credentials.

import type { PanelDrive } from "../ports.js";
import type { LoadedSettings, SettingsSource } from "./boot-services.js";
import type { Credentials, DeviceConfig, PanelSettings, ResolvedPanelSettings } from "./config.js";
import type { MemoryClass } from "./memory-class.js";
import type { RegisteredCredentials } from "./registration.js";
import type { SettingsChange, SettingsStore } from "./settings.js";

/** What the board decides and what holds until the owner sets otherwise. */
export interface BoardDefaults {
  /** The board's name as the store keeps it with the panel (e.g. "matrixportal-s3"). */
  readonly board: string;
  readonly memoryClass: MemoryClass;
  readonly panel: PanelSettings;
  readonly broker: { readonly host: string; readonly port: number };
  readonly vault: { readonly url: string; readonly ca?: string };
  /** How the host tunes every session it runs (a demo's dwell, a test's reconnect pacing). */
  readonly session?: Pick<DeviceConfig, "scheduler" | "mqtt" | "frameBudgetBytes" | "initialChannel">;
}

export class StoreSettingsSource implements SettingsSource {
  readonly #store: SettingsStore;
  readonly #defaults: BoardDefaults;

  constructor(store: SettingsStore, defaults: BoardDefaults) {
    this.#store = store;
    this.#defaults = defaults;
  }

  /** Damaged or invalid sections are left out by the store (see `store.problems`): their defaults apply. */
  load(): LoadedSettings {
    const { settings } = this.#store.load();
    const defaults = this.#defaults;
    const stored = settings.panel;
    const panel: PanelSettings = stored
      ? { size: stored.size, colorDepth: stored.colorDepth, rotation: stored.rotation, mirror: stored.mirror, brightness: stored.brightness }
      : defaults.panel;
    const device: Omit<DeviceConfig, "credentials"> = {
      panel,
      memoryClass: defaults.memoryClass,
      broker: settings.broker ?? defaults.broker,
      vault: defaults.vault,
      ...defaults.session,
    };
    return { wifi: settings.wifi, device, credentials: settings.credentials, panelDrive: settings.panelDrive };
  }

  /** Credentials from registration carry the broker and, the first time, the API token: kept with them. */
  saveCredentials(credentials: Credentials): void {
    const registered = credentials as Partial<RegisteredCredentials>;
    const change: { -readonly [K in keyof SettingsChange]: SettingsChange[K] } = { credentials };
    if (registered.broker) change.broker = registered.broker;
    if (typeof registered.apiToken === "string") change.apiToken = registered.apiToken;
    if (typeof registered.apiBase === "string") change.api = { baseUrl: registered.apiBase };
    this.#store.update(change);
  }

  factoryReset(): void {
    this.#store.erase();
  }

  savePanelDrive(drive: PanelDrive): void {
    this.#store.update({ panelDrive: drive });
  }

  savePanel(panel: ResolvedPanelSettings): void {
    const board = this.#store.settings.panel?.board ?? this.#defaults.board;
    this.#store.update({ panel: { size: panel.size, colorDepth: panel.colorDepth, rotation: panel.rotation, mirror: panel.mirror, brightness: panel.brightness, board } });
  }
}
