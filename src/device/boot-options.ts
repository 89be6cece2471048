// The boot machine's contract (boot.ts): its states, what `info()` reports, its options and defaults.

import type { BackoffOptions } from "../mqtt/backoff.js";
import type { PixelPush } from "../ports.js";
import type { Preview, Registration, Renewal, SettingsSource } from "./boot-services.js";
import type { DeviceConfig } from "./config.js";

export type BootStateName = "loading" | "provisioning" | "wifi" | "clock" | "registration" | "session" | "playing" | "resetting" | "wizard" | "stopped";

/** What `info()` reports (the serial protocol's hello/info, tests). Never holds a secret. */
export interface BootInfo {
  readonly state: BootStateName;
  /** Failures of the step in progress since it last succeeded. */
  readonly attempts: number;
  /** While a failed step waits: milliseconds until it is tried again. */
  readonly retryInMs: number | undefined;
  /** The last failure, for a person to read. */
  readonly lastError: string | undefined;
  readonly wifiUp: boolean;
  readonly registered: boolean;
  /** The registration code on the panel, while one is shown. */
  readonly code: string | undefined;
}

export interface BootOptions {
  settings: SettingsSource;
  registration: Registration;
  renewal?: Renewal;
  /** Art while registering; the code then shows for `codeShowMs` of every minute. */
  preview?: Preview;
  /** The panel; set up once, from the stored panel settings or `fallbackPanel`. */
  panel: PixelPush;
  /** The panel to light when the stored settings have none usable (default 64×32, small class). */
  fallbackPanel?: Pick<DeviceConfig, "panel" | "memoryClass">;
  /** Restarts the board (the serial "reboot" command); without it `reboot()` restarts the machine. */
  reboot?: () => void;
  /** Retry delays (default 1 s doubling to 60 s, with jitter). */
  backoff?: BackoffOptions;
  /** How long joining Wi-Fi may take before it counts as failed (default 30 s). */
  wifiTimeoutMs?: number;
  /** How long the first time sync may take (default 20 s). */
  clockTimeoutMs?: number;
  /** With a preview: how long the code stays up each minute (default 20 s). */
  codeShowMs?: number;
  /** How long the button is held for a factory reset (default 5 s). */
  longPressMs?: number;
  /** In the panel wizard: how long the button is held to take the candidate on show (default 1 s). */
  wizardHoldMs?: number;
  /** The panel wizard's idle timeout and animation pace (src/device/panel-wizard.ts defaults). */
  wizard?: { idleTimeoutMs?: number; frameMs?: number };
  /** Called on every state change (a provisioning link reports it). */
  stateChanged?: (info: BootInfo) => void;
}

export const BOOT_DEFAULTS = Object.freeze({
  backoff: Object.freeze({ initialMs: 1000, maximumMs: 60_000 }),
  wifiTimeoutMs: 30_000,
  clockTimeoutMs: 20_000,
  longPressMs: 5_000,
  wizardHoldMs: 1_000,
  /** Holding the button this long and letting go starts the panel wizard (below the reset's 5 s, with a margin). */
  wizardStartMs: Object.freeze({ from: 2_000, to: 4_000 }),
  codeShowMs: 20_000,
  fallbackPanel: Object.freeze({ panel: Object.freeze({ size: "64x32" as const }), memoryClass: "small" as const }),
});
