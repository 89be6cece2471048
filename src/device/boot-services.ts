// What the boot machine (boot.ts) needs from the rest of the device lifecycle, as small interfaces:
// the settings store, the registration client and the renewal client implement them (or are adapted
// to them where they are wired together). Keeping them here lets the machine and its tests run without
// those modules, and says exactly what the machine relies on.

import type { Display } from "../display/display.js";
import type { PanelDrive } from "../ports.js";
import type { Credentials, DeviceConfig, ResolvedPanelSettings } from "./config.js";

export interface WifiSettings {
  readonly ssid: string;
  readonly password: string;
}

/** The settings as the store holds them now. */
export interface LoadedSettings {
  /** Undefined until an owner gave them (serial provisioning). */
  readonly wifi: WifiSettings | undefined;
  /** Everything a PlayerDevice needs except the credentials: panel, memory class, broker, vault… */
  readonly device: Omit<DeviceConfig, "credentials">;
  /** The set in use ("current"), or undefined before registration. */
  readonly credentials: Credentials | undefined;
  /** How the panel is driven (the panel wizard's result); undefined: the board's defaults. */
  readonly panelDrive?: PanelDrive | undefined;
}

/** The settings store (src/device/settings.ts on the Storage port). */
export interface SettingsSource {
  /** Reads the stored settings; throws when storage cannot be read (the machine retries). */
  load(): LoadedSettings;
  /**
   * Stores a complete credential set atomically (after registration or renewal); throws on failure.
   * After registration the machine loads the settings again, so a store that also keeps what came
   * with the credentials (the broker, the API token) has it in the session's configuration.
   */
  saveCredentials(credentials: Credentials): void;
  /** Erases Wi-Fi, credentials and every other setting. */
  factoryReset(): void;
  /** Keeps what the website changed (brightness, rotation, mirror) across reboots. */
  savePanel?(panel: ResolvedPanelSettings): void;
  /** Stores what the panel wizard found, atomically; throws on failure (nothing changed then). */
  savePanelDrive?(drive: PanelDrive): void;
}

export interface RegistrationEvents {
  /** Show this code (6 characters) to the owner; it expires at `expiresAtMs` (wall time, ms since 1970). */
  code(code: string, expiresAtMs: number): void;
  /** The owner registered the device: its credentials. */
  registered(credentials: Credentials): void;
  /** The attempt failed (no service, refused, rate limited): the machine backs off and starts again. */
  failed(reason: string): void;
}

/** The registration client (provision → code → poll credentials); a new code when one expires is its job. */
export interface Registration {
  start(events: RegistrationEvents): void;
  /** Cancels the attempt in progress; no event is reported afterwards. */
  stop(): void;
}

export interface RenewalEvents {
  /** A new credential set, already stored as "pending": the machine restarts the session with it. */
  renewed(credentials: Credentials): void;
  /** The certificate ends within 90 days (negative: it has ended): the machine says so on the panel. */
  expiring?(daysLeft: number): void;
}

/** The renewal client: runs while a session runs (checks daily, renews inside the window). */
export interface Renewal {
  start(credentials: Credentials, events: RenewalEvents): void;
  /** The session with the credentials last started connected: a pending set can become current. */
  connected?(): void;
  stop(): void;
}

/**
 * Art before registration (protocol sheet §9: the promoted channel over plain HTTPS, so a new device
 * shows art at once). It draws on the Display it is given until stopped; the machine stops it while
 * the registration code is on the panel and starts it again afterwards.
 */
export interface Preview {
  start(display: Display): void;
  stop(): void;
  /**
   * Where the owner types the registration code, as the code screen names it (boot-screens.ts apiSite:
   * the host of the API in use); without it the screen names makapix.club. Read at each redraw.
   */
  site?(): string;
}
