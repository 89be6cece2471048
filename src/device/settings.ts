// The settings store: Wi-Fi, API base, broker, panel, credentials and the API token, kept over the
// Storage port so that they survive a reboot, written atomically (src/device/atomic-store.ts: a power
// cut at any step leaves the old or the new complete set) and checked field by field on the way in and
// on the way out (src/device/settings-fields.ts).
//
// - `load()` never throws for what it finds: a damaged or invalid section is left out and reported
//   in `problems`, the others load. A device with a damaged store boots with what is valid.
// - `update(change)` checks every given section first (SettingsError naming the field, nothing
//   written), then replaces them in one atomic commit; `null` removes a section.
// - Credential rotation (renewal, issue 12 item 6: "keep the old set until the new one has
//   connected"): `stagePendingCredentials(set)` stores the new set beside the current one;
//   `commitPendingCredentials()` makes it current once a session connected with it, and
//   `discardPendingCredentials()` drops it. Both are pointer flips: nothing large is rewritten.
// - `describe()` is what the serial `info` command may show: no secret, the player key redacted.
//
// Storage cost: each section is its own group, so a change rewrites only its own sections; during a
// commit the changed sections exist twice (old and new). A typical credential set is ~6 KB
// (RSA 4096 CA, RSA 2048 certificate and key); the worst case allowed by SETTINGS_LIMITS is ~17 KB.

import type { PanelDrive, Storage } from "../ports.js";
import { redactKey } from "../makapix/topics.js";
import { utf8Decode, utf8Encode } from "../util/utf8.js";
import { errorMessage } from "../util/errors.js";
import { AtomicStore, type GroupChange } from "./atomic-store.js";
import { DeviceConfigError, type ConfigProblem, type Credentials } from "./config.js";
import { readPanelDrive } from "./panel-drive.js";
import {
  readApi,
  readApiToken,
  readBroker,
  readStoredCredentials,
  readStoredPanel,
  readWifi,
  type ApiSettings,
  type BrokerSettings,
  type StoredPanelSettings,
  type WifiSettings,
} from "./settings-fields.js";

export type { ApiSettings, BrokerSettings, StoredPanelSettings, WifiSettings } from "./settings-fields.js";

/** Everything the store holds; a section is absent until set (or when it did not load). Frozen. */
export interface Settings {
  readonly wifi?: WifiSettings;
  readonly api?: ApiSettings;
  readonly broker?: BrokerSettings;
  readonly panel?: StoredPanelSettings;
  /** How the panel is driven (chip, scan, clock…): what the panel wizard found or the owner set. */
  readonly panelDrive?: PanelDrive;
  readonly credentials?: Readonly<Credentials>;
  /** A renewed set waiting to prove itself (see `stagePendingCredentials`). */
  readonly pendingCredentials?: Readonly<Credentials>;
  readonly apiToken?: string;
}

export type SettingsSection = keyof Settings;

/**
 * What `update` takes: a section replaces the stored one, `null` removes it, absent leaves it. Every
 * value is checked at run time whatever its static type (it may come from a serial line).
 */
export interface SettingsChange {
  readonly wifi?: { readonly ssid: string; readonly password?: string } | null;
  readonly api?: ApiSettings | null;
  readonly broker?: BrokerSettings | null;
  /** `size` and `board` are required; the rest default as in config.ts (DEFAULT_PANEL). */
  readonly panel?: (Pick<StoredPanelSettings, "size" | "board"> & Partial<StoredPanelSettings>) | null;
  readonly panelDrive?: PanelDrive | null;
  readonly credentials?: Credentials | null;
  readonly apiToken?: string | null;
}

/** A section that did not load: "corrupt" (torn or damaged in storage) or "invalid" (failed its checks). */
export interface SettingsProblem {
  readonly section: SettingsSection | "store";
  readonly kind: "corrupt" | "invalid";
  /** The field for "invalid", e.g. "panel.size". */
  readonly field?: string;
  readonly detail: string;
}

export interface SettingsLoad {
  readonly settings: Settings;
  readonly problems: readonly SettingsProblem[];
}

/** What the serial `info` command shows: no secret; the player key shortened. */
export interface SettingsSummary {
  readonly wifi: { readonly ssid: string; readonly password: boolean } | undefined;
  readonly apiBaseUrl: string | undefined;
  readonly broker: string | undefined;
  readonly panel: StoredPanelSettings | undefined;
  readonly panelDrive: PanelDrive | undefined;
  /** redactKey(playerKey): "0b7e…4a5b". */
  readonly playerKey: string | undefined;
  readonly certificate: boolean;
  readonly privateKey: boolean;
  readonly ca: boolean;
  readonly pendingCredentials: boolean;
  readonly apiToken: boolean;
  readonly problems: readonly string[];
}

export type SettingsErrorProblem = ConfigProblem | "storage";

export class SettingsError extends Error {
  override readonly name = "SettingsError";
  /** The offending field ("wifi.ssid"), or "storage" when the store could not be written. */
  readonly field: string;
  readonly problem: SettingsErrorProblem;

  constructor(field: string, problem: SettingsErrorProblem, message: string) {
    super(message);
    this.field = field;
    this.problem = problem;
  }
}

/** Section ↔ group letter (atomic-store keys) and its reader. */
const SECTIONS = Object.freeze({
  wifi: Object.freeze({ group: "w", read: readWifi }),
  api: Object.freeze({ group: "a", read: readApi }),
  broker: Object.freeze({ group: "b", read: readBroker }),
  panel: Object.freeze({ group: "p", read: readStoredPanel }),
  panelDrive: Object.freeze({ group: "d", read: (value: unknown) => readPanelDrive(value) }),
  credentials: Object.freeze({ group: "c", read: (value: unknown) => readStoredCredentials(value, "credentials") }),
  pendingCredentials: Object.freeze({ group: "n", read: (value: unknown) => readStoredCredentials(value, "pendingCredentials") }),
  apiToken: Object.freeze({ group: "t", read: readApiToken }),
});

const SECTION_NAMES = Object.freeze(Object.keys(SECTIONS) as SettingsSection[]);

export interface SettingsStoreOptions {
  /** Key prefix inside the Storage namespace (1–3 characters); default "st". */
  prefix?: string;
  /** Bytes per stored value (≤ the host's limit; Moddable: 4096); default 2048. */
  chunkBytes?: number;
}

export class SettingsStore {
  readonly #store: AtomicStore;
  #settings: Settings = Object.freeze({});
  #problems: readonly SettingsProblem[] = Object.freeze([]);
  #loaded = false;

  constructor(storage: Storage, options: SettingsStoreOptions = {}) {
    this.#store = new AtomicStore(storage, options.prefix ?? "st", options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes });
  }

  /** The settings as last loaded or written. */
  get settings(): Settings {
    return this.#settings;
  }

  /** Problems found by the last `load`. */
  get problems(): readonly SettingsProblem[] {
    return this.#problems;
  }

  /** Reads the store. Never throws for damaged or invalid data; a failing Storage read counts as damage. */
  load(): SettingsLoad {
    const loaded = this.#store.load();
    const problems: SettingsProblem[] = [];
    for (const problem of loaded.problems) {
      const section = problem.group === "*" ? "store" : (sectionOfGroup(problem.group) ?? "store");
      problems.push(Object.freeze({ section, kind: "corrupt" as const, detail: problem.reason }));
    }
    const settings: { [key: string]: unknown } = {};
    for (const name of SECTION_NAMES) {
      const bytes = loaded.groups[SECTIONS[name].group];
      if (bytes === undefined) continue;
      let value: unknown;
      try {
        value = JSON.parse(utf8Decode(bytes, 0, bytes.length));
      } catch {
        problems.push(Object.freeze({ section: name, kind: "corrupt" as const, detail: "not readable" }));
        continue;
      }
      try {
        settings[name] = SECTIONS[name].read(value);
      } catch (error) {
        if (!(error instanceof DeviceConfigError)) throw error;
        problems.push(Object.freeze({ section: name, kind: "invalid" as const, field: error.field, detail: error.message }));
      }
    }
    this.#settings = Object.freeze(settings as Settings);
    this.#problems = Object.freeze(problems);
    this.#loaded = true;
    return { settings: this.#settings, problems: this.#problems };
  }

  /** Checks then stores the given sections in one atomic commit. Throws SettingsError; on a throw the stored set is unchanged. */
  update(change: SettingsChange): Settings {
    this.#ensureLoaded();
    const next: { [key: string]: unknown } = { ...this.#settings };
    const groups: { [group: string]: GroupChange } = {};
    const given = change as { readonly [name: string]: unknown };
    for (const name of Object.keys(given)) {
      if (name === "pendingCredentials" || !Object.hasOwn(SECTIONS, name)) throw new SettingsError(name, "unsupported", `${name}: not a setting`);
      const section = name as Exclude<SettingsSection, "pendingCredentials">;
      const value = given[section];
      if (value === undefined) continue;
      if (value === null) {
        delete next[section];
        groups[SECTIONS[section].group] = null;
        continue;
      }
      const checked = checkSection(section, value);
      next[section] = checked;
      groups[SECTIONS[section].group] = utf8Encode(JSON.stringify(checked));
    }
    return this.#commit(groups, next);
  }

  /** Stores a renewed credential set beside the current one (replacing an earlier pending set). */
  stagePendingCredentials(credentials: Credentials): Settings {
    this.#ensureLoaded();
    const checked = checkSection("pendingCredentials", credentials);
    return this.#commit({ n: utf8Encode(JSON.stringify(checked)) }, { ...this.#settings, pendingCredentials: checked });
  }

  /** The pending set connected: it becomes the current set, the old one is deleted. No-op without one. */
  commitPendingCredentials(): Settings {
    this.#ensureLoaded();
    const pending = this.#settings.pendingCredentials;
    if (!pending) return this.#settings;
    const next: { [key: string]: unknown } = { ...this.#settings, credentials: pending };
    delete next["pendingCredentials"];
    return this.#commit({ c: { from: "n" }, n: null }, next);
  }

  /** The pending set failed: it is deleted, the current set stays. */
  discardPendingCredentials(): Settings {
    this.#ensureLoaded();
    if (!this.#settings.pendingCredentials) return this.#settings;
    const next: { [key: string]: unknown } = { ...this.#settings };
    delete next["pendingCredentials"];
    return this.#commit({ n: null }, next);
  }

  /** Factory reset: every stored setting is deleted. */
  erase(): void {
    try {
      this.#store.erase();
    } catch (error) {
      throw new SettingsError("storage", "storage", `settings could not be erased: ${errorMessage(error)}`);
    }
    this.#settings = Object.freeze({});
    this.#problems = Object.freeze([]);
    this.#loaded = true;
  }

  /** A summary without secrets, for the serial `info` command and logs. */
  describe(): SettingsSummary {
    const s = this.#settings;
    const credentials = s.credentials;
    return Object.freeze({
      wifi: s.wifi ? Object.freeze({ ssid: s.wifi.ssid, password: s.wifi.password !== "" }) : undefined,
      apiBaseUrl: s.api?.baseUrl,
      broker: s.broker ? `${s.broker.host}:${s.broker.port}` : undefined,
      panel: s.panel,
      panelDrive: s.panelDrive,
      playerKey: credentials ? redactKey(credentials.playerKey) : undefined,
      certificate: credentials !== undefined,
      privateKey: credentials !== undefined,
      ca: credentials !== undefined,
      pendingCredentials: s.pendingCredentials !== undefined,
      apiToken: s.apiToken !== undefined,
      problems: Object.freeze(this.#problems.map((p) => `${p.section}: ${p.kind}${p.field ? ` (${p.field})` : ""}`)),
    });
  }

  /** Storage keys this store holds (tests, diagnostics). */
  ownKeys(): string[] {
    return this.#store.ownKeys();
  }

  /** A change computed from settings never loaded would drop the stored sections from `settings`. */
  #ensureLoaded(): void {
    if (!this.#loaded) this.load();
  }

  #commit(groups: { [group: string]: GroupChange }, next: { [key: string]: unknown }): Settings {
    try {
      this.#store.commit(groups);
    } catch (error) {
      // Storage messages name keys and sizes, never values.
      throw new SettingsError("storage", "storage", `settings not saved: ${errorMessage(error)}`);
    }
    this.#settings = Object.freeze(next as Settings);
    return this.#settings;
  }
}

function checkSection(section: SettingsSection, value: unknown): unknown {
  try {
    return SECTIONS[section].read(value);
  } catch (error) {
    if (error instanceof DeviceConfigError) throw new SettingsError(error.field, error.problem, error.message);
    throw error;
  }
}

function sectionOfGroup(group: string): SettingsSection | undefined {
  for (const name of SECTION_NAMES) if (SECTIONS[name].group === group) return name;
  return undefined;
}
