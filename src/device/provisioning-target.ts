// What serial provisioning needs from the device: the boot state machine implements
// ProvisioningTarget, and src/device/provisioning-handler.ts calls it for each request.

import { ProvisioningFailure } from "./provisioning-messages.js";
import type { ProvisioningCredentials } from "./provisioning-credentials.js";
import type { WizardStatus } from "./panel-wizard.js";
import type { WizardRequestAction } from "./provisioning-wizard.js";

export type { ProvisioningCredentials } from "./provisioning-credentials.js";

/** What the device tells the PC about itself (HELLO / INFO). */
export interface ProvisioningInfo {
  /** The boot state, e.g. "provisioning", "registration", "playing". */
  readonly state: string;
  /** The full key: the handler sends it redacted. */
  readonly playerKey?: string | undefined;
  /** The client certificate's notAfter (ms since 1970 UTC) when known. */
  readonly certNotAfterMs?: number | undefined;
  readonly wifiSsid?: string | undefined;
  readonly apiBase?: string | undefined;
  readonly brokerHost?: string | undefined;
  readonly brokerPort?: number | undefined;
  readonly hasCredentials: boolean;
  /** The boot machine's last failure, for a person to read (it may be old: see `retryInMs`). */
  readonly lastError?: string | undefined;
  /** While a failed step waits to be tried again: ms until then (`lastError` is that step's failure). */
  readonly retryInMs?: number | undefined;
  /** Whether the device is on its Wi-Fi (always true on a host without Wi-Fi). */
  readonly wifiUp?: boolean | undefined;
}

export interface ProvisioningEndpoints {
  readonly apiBase?: string | undefined;
  readonly brokerHost?: string | undefined;
  readonly brokerPort?: number | undefined;
}

/** Done, or a promise of done. Throw ProvisioningRefused to refuse with a reason the owner will read. */
export type ProvisioningOutcome = void | Promise<void>;

/** The device as provisioning sees it; the boot state machine implements it. */
export interface ProvisioningTarget {
  info(): ProvisioningInfo;
  setWifi(ssid: string, password: string): ProvisioningOutcome;
  setEndpoints(endpoints: ProvisioningEndpoints): ProvisioningOutcome;
  /** A complete, checked set, to be stored atomically. */
  putCredentials(credentials: ProvisioningCredentials): ProvisioningOutcome;
  startRegistration(): ProvisioningOutcome;
  /** Erases settings and credentials; the reply says whether it worked, so it must not reboot by itself. */
  factoryReset(): ProvisioningOutcome;
  /** Called `actionDelayMs` after the reply was written, so that the reply can leave first. */
  reboot(): void;
  /** The newest log lines, oldest first (the handler filters out secrets before sending). */
  recentLog(): readonly string[];
  /**
   * The panel wizard (optional: a target without a panel leaves it out, and the request is refused):
   * "start" starts it (or reports the running one), "status" reports it (undefined before any ran),
   * the others are a person's answer to the candidate on show.
   */
  panelWizard?(action: WizardRequestAction): WizardStatus | undefined;
}

/** Thrown by a target to refuse a request; the PC shows `reason`. */
export class ProvisioningRefused extends ProvisioningFailure {
  constructor(reason: string) {
    super("refused", reason);
  }
}
