// Serial provisioning on a running device: the ProvisioningTarget (provisioning-target.ts) that the
// provisioning handler calls, over the boot state machine (boot.ts) and the settings store
// (settings.ts). Every change is checked and stored atomically by the store first — a refused or
// unsaved value is a ProvisioningRefused the owner reads, and nothing changes — and only then does the
// machine restart from the stored settings (`settingsChanged`), so what the owner set is exactly what
// the device boots with after a power cut.
//
// Credentials pasted by an owner (the website's download) are accepted as they are, without
// registration. The player key is the certificate's subject CN (what the broker sees); when the PC sends
// one, it must be that CN. All operations are synchronous (the handler's "busy" never applies).

import { errorMessage } from "../util/errors.js";
import type { BootInfo, BootStateName } from "./boot-options.js";
import type { ProvisioningCredentials, ProvisioningEndpoints, ProvisioningInfo, ProvisioningTarget } from "./provisioning-target.js";
import { ProvisioningRefused } from "./provisioning-target.js";
import type { WizardAction, WizardStatus } from "./panel-wizard.js";
import { SettingsError, type SettingsChange, type SettingsStore } from "./settings.js";
import { readCertificatePem, X509Error, type CertificateFacts } from "./x509.js";

/** What the adapter needs from the boot machine (BootMachine implements it). */
export interface ProvisionedMachine {
  readonly state: BootStateName;
  /** What the machine is doing: the owner's PC reads the Wi-Fi outcome from it (tools/provision waits on it). */
  info(): Pick<BootInfo, "state" | "lastError" | "retryInMs" | "wifiUp">;
  settingsChanged(): void;
  factoryReset(): void;
  reboot(): void;
  /** The panel wizard (BootMachine): its status, start, and a person's answers. */
  readonly panelWizard?: WizardStatus | undefined;
  startPanelWizard?(): WizardStatus;
  panelWizardAction?(action: WizardAction): WizardStatus;
}

export interface BootProvisioningOptions {
  machine: ProvisionedMachine;
  /** The store the machine's settings source reads (StoreSettingsSource over it). */
  store: SettingsStore;
  /** The newest log lines, oldest first (RecentLog.lines); none without it. */
  recentLog?: () => readonly string[];
  /** The broker port when the PC gives a host alone and none is stored (default 8883, MQTT over TLS). */
  defaultBrokerPort?: number;
}

export class BootProvisioning implements ProvisioningTarget {
  readonly #machine: ProvisionedMachine;
  readonly #store: SettingsStore;
  readonly #recentLog: (() => readonly string[]) | undefined;
  readonly #defaultBrokerPort: number;

  constructor(options: BootProvisioningOptions) {
    this.#machine = options.machine;
    this.#store = options.store;
    this.#recentLog = options.recentLog;
    this.#defaultBrokerPort = options.defaultBrokerPort ?? 8883;
  }

  info(): ProvisioningInfo {
    const settings = this.#store.settings;
    const credentials = settings.credentials;
    let certNotAfterMs: number | undefined;
    if (credentials) {
      try {
        certNotAfterMs = readCertificatePem(credentials.certificate).notAfterMs;
      } catch {
        // A stored certificate the reader cannot follow: the expiry is simply not known.
      }
    }
    const boot = this.#machine.info();
    return {
      state: boot.state,
      playerKey: credentials?.playerKey,
      certNotAfterMs,
      wifiSsid: settings.wifi?.ssid,
      apiBase: settings.api?.baseUrl,
      brokerHost: settings.broker?.host,
      brokerPort: settings.broker?.port,
      hasCredentials: credentials !== undefined,
      lastError: boot.lastError,
      retryInMs: boot.retryInMs,
      wifiUp: boot.wifiUp,
    };
  }

  setWifi(ssid: string, password: string): void {
    this.#update({ wifi: { ssid, password } });
  }

  setEndpoints(endpoints: ProvisioningEndpoints): void {
    const change: { api?: { baseUrl: string }; broker?: { host: string; port: number } } = {};
    if (endpoints.apiBase !== undefined) change.api = { baseUrl: endpoints.apiBase };
    if (endpoints.brokerHost !== undefined || endpoints.brokerPort !== undefined) {
      const stored = this.#store.settings.broker;
      const host = endpoints.brokerHost ?? stored?.host;
      if (host === undefined) throw new ProvisioningRefused("broker host needed with the port (none is set)");
      change.broker = { host, port: endpoints.brokerPort ?? stored?.port ?? this.#defaultBrokerPort };
    }
    if (change.api === undefined && change.broker === undefined) throw new ProvisioningRefused("nothing to set");
    this.#update(change);
  }

  putCredentials(credentials: ProvisioningCredentials): void {
    let facts: CertificateFacts;
    try {
      facts = readCertificatePem(credentials.certificate);
    } catch (error) {
      throw new ProvisioningRefused(`certificate unreadable (${error instanceof X509Error ? error.reason : errorMessage(error)})`);
    }
    const common = facts.subjectCommonName;
    const given = credentials.playerKey;
    if (given !== undefined && given !== "" && common !== undefined && given.toLowerCase() !== common.toLowerCase()) {
      throw new ProvisioningRefused("the player key is not the certificate's (subject CN)");
    }
    const playerKey = given !== undefined && given !== "" ? given : common;
    if (playerKey === undefined) throw new ProvisioningRefused("no player key: the certificate has no subject CN");
    const change: { credentials: { playerKey: string; ca: string; certificate: string; key: string }; apiToken?: string } = {
      credentials: { playerKey: playerKey.toLowerCase(), ca: credentials.ca, certificate: credentials.certificate, key: credentials.key },
    };
    if (credentials.apiToken !== undefined && credentials.apiToken !== "") change.apiToken = credentials.apiToken;
    // A renewed set still waiting to connect belongs to the certificate being replaced: never promote it.
    // Dropped first, so a failure leaves the current set as it was (and the owner reads why).
    this.#update(change, () => this.#store.discardPendingCredentials());
  }

  startRegistration(): void {
    const settings = this.#store.settings;
    if (!settings.wifi) throw new ProvisioningRefused("set Wi-Fi first: registration needs the network");
    if (settings.credentials) throw new ProvisioningRefused("already registered: a factory reset comes first");
    if (this.#machine.state !== "registration") this.#machine.settingsChanged();
  }

  factoryReset(): void {
    // The store first, so that the reply can say whether it worked; the machine then starts over.
    try {
      this.#store.erase();
    } catch (error) {
      throw new ProvisioningRefused(`not erased: ${errorMessage(error)}`);
    }
    this.#machine.factoryReset();
  }

  reboot(): void {
    this.#machine.reboot();
  }

  recentLog(): readonly string[] {
    return this.#recentLog ? this.#recentLog() : [];
  }

  /** The wizard stores what it finds itself (the machine's settings source): nothing to store here. */
  panelWizard(action: "start" | "status" | WizardAction): WizardStatus | undefined {
    const machine = this.#machine;
    if (!machine.startPanelWizard || !machine.panelWizardAction) throw new ProvisioningRefused("this device has no panel wizard");
    try {
      if (action === "status") return machine.panelWizard;
      if (action === "start") return machine.startPanelWizard();
      return machine.panelWizardAction(action);
    } catch (error) {
      throw new ProvisioningRefused(`panel wizard: ${errorMessage(error)}`);
    }
  }

  /** Stores `change` (after `before`) and restarts the machine from the store. */
  #update(change: SettingsChange, before?: () => void): void {
    try {
      before?.();
      this.#store.update(change);
    } catch (error) {
      // A SettingsError's message already names its field ("wifi.password: must be …"): say it once.
      if (error instanceof SettingsError) throw new ProvisioningRefused(refusalReason(error));
      throw error;
    }
    this.#machine.settingsChanged();
  }
}

/** The owner's reason for a refused change: the field once, then what is wrong with it. */
function refusalReason(error: SettingsError): string {
  const message = error.message;
  if (error.field === "storage" || message.startsWith(`${error.field}:`)) return message;
  return `${error.field}: ${message}`;
}
