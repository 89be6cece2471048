// The whole firmware as one object, the same on every host: the settings store on the Storage port, the
// boot machine over it, registration, certificate renewal and the art shown while registering (all
// through the Makapix API), and serial provisioning on the host's Serial port. A host (ESP32 app,
// simulator app, virtual device) only binds its ports, names its board and calls `startPlayerFirmware`.
//
// Without the API's CA (a build that does not carry it) there is no registration (the boot machine shows
// why and retries; credentials can still be pasted over serial), no renewal and no art before
// registration.

import type { Host } from "../ports.js";
import { errorMessage } from "../util/errors.js";
import { createBootMachine, type BootMachine } from "./boot.js";
import type { BootOptions } from "./boot-options.js";
import { FeedPreview } from "./boot-preview.js";
import { BootProvisioning } from "./boot-provisioning.js";
import { FlowRegistration } from "./boot-registration.js";
import { StoreRenewal, type StoreRenewalOptions } from "./boot-renewal.js";
import type { Registration, RegistrationEvents } from "./boot-services.js";
import { StoreSettingsSource, type BoardDefaults } from "./boot-settings.js";
import { FIRMWARE_VERSION } from "./firmware.js";
import { ProvisioningHandler } from "./provisioning-handler.js";
import type { RecentLog } from "./recent-log.js";
import type { RegistrationOptions } from "./registration.js";
import { RenewalClient } from "./renewal.js";
import { SettingsStore } from "./settings.js";
import type { PixelPush } from "../ports.js";

/** The board: what its build decides, and the service it talks to until the owner sets another API. */
export interface FirmwareBoard extends BoardDefaults {
  /** The Makapix API (default for the store's `api.baseUrl`) and the CA its HTTPS certificate chains to. */
  readonly api: { readonly baseUrl: string; readonly ca?: string };
}

/** Timings a host or a test may change; the product defaults hold otherwise. */
export type FirmwareTimings = Pick<BootOptions, "backoff" | "wifiTimeoutMs" | "clockTimeoutMs" | "codeShowMs" | "longPressMs">;

export interface PlayerFirmwareOptions {
  board: FirmwareBoard;
  panel: PixelPush;
  /** The log the serial "recent log" command reads (the host's log should write through it). */
  recentLog?: RecentLog;
  /** Restarts the board (the serial "reboot" command); without it the machine restarts itself. */
  reboot?: () => void;
  timings?: FirmwareTimings;
  /** Registration pacing (poll interval, back-off); the protocol sheet's defaults otherwise. */
  registration?: Pick<RegistrationOptions, "pollIntervalMs" | "rateLimitWaitMs" | "backoffInitialMs" | "backoffMaximumMs">;
  renewal?: StoreRenewalOptions;
  /** Wi-Fi stored when none is (a development build's network, a demo's): the owner's own wins. */
  initialWifi?: { ssid: string; password: string };
  /** Called on every boot state change. */
  stateChanged?: BootOptions["stateChanged"];
}

export interface PlayerFirmware {
  readonly machine: BootMachine;
  readonly store: SettingsStore;
  /** Serial provisioning, when the host has a Serial port and it opened. */
  readonly provisioning: ProvisioningHandler | undefined;
  /** Stops everything: the machine, its session, the serial line. */
  stop(): Promise<void>;
}

/** Registration when the build has no CA for the API: it fails with the reason, and the machine retries. */
class UnavailableRegistration implements Registration {
  start(events: RegistrationEvents): void {
    events.failed("registration needs the Makapix API's CA in the build");
  }

  stop(): void {}
}

/** Builds the firmware on the host's ports and starts it (settings → Wi-Fi → clock → registration → art). */
export function startPlayerFirmware(host: Host, options: PlayerFirmwareOptions): PlayerFirmware {
  const { board } = options;
  if (!host.storage) throw new TypeError("the firmware needs the host's Storage port (its settings live there)");
  const store = new SettingsStore(host.storage);
  const stored = store.load();
  for (const problem of stored.problems) host.log.write("warn", `settings: ${problem.section} ${problem.kind}: ${problem.detail}`);
  if (!stored.settings.wifi && options.initialWifi) {
    try {
      store.update({ wifi: options.initialWifi });
    } catch (error) {
      host.log.write("warn", `settings: the build's Wi-Fi was refused: ${errorMessage(error)}`);
    }
  }

  const apiBase = (): string => store.settings.api?.baseUrl ?? board.api.baseUrl;
  const apiCa = board.api.ca;
  const registration: Registration = apiCa
    ? new FlowRegistration(host, () => ({ ...options.registration, apiBase: apiBase(), ca: apiCa, deviceModel: board.board, firmwareVersion: FIRMWARE_VERSION }))
    : new UnavailableRegistration();
  // Renewal and the preview read the API address at start: an address set over serial applies after a reboot.
  const renewal = apiCa ? new StoreRenewal(host, store, new RenewalClient(host, { apiBase: apiBase(), ca: apiCa }), options.renewal) : undefined;
  // The code screen names the host of the API registration uses now (the preview carries it to the screen).
  const preview = apiCa ? new FeedPreview(host, { feed: { apiBase: apiBase(), ca: apiCa }, memoryClass: board.memoryClass, vault: board.vault, siteApiBase: apiBase }) : undefined;

  const machine = createBootMachine(host, {
    ...options.timings,
    settings: new StoreSettingsSource(store, board),
    registration,
    ...(renewal ? { renewal } : {}),
    ...(preview ? { preview } : {}),
    panel: options.panel,
    fallbackPanel: { panel: board.panel, memoryClass: board.memoryClass },
    ...(options.reboot ? { reboot: options.reboot } : {}),
    ...(options.stateChanged ? { stateChanged: options.stateChanged } : {}),
  });
  machine.start();

  let provisioning: ProvisioningHandler | undefined;
  if (host.serial) {
    const recentLog = options.recentLog;
    const handler = new ProvisioningHandler(
      new BootProvisioning({ machine, store, ...(recentLog ? { recentLog: () => recentLog.lines() } : {}) }),
      { timers: host.timers, log: host.log },
    );
    try {
      handler.open(host.serial);
      provisioning = handler;
    } catch (error) {
      host.log.write("warn", `provisioning: serial line not opened: ${errorMessage(error)}`);
    }
  }

  return {
    machine,
    store,
    provisioning,
    stop: () => {
      provisioning?.close();
      return machine.stop();
    },
  };
}
