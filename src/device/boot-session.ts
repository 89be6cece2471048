// The boot machine's session step (boot.ts): the one PlayerDevice that runs on the machine's Display,
// with what hangs on it: the renewal client (started with the session's credentials, told when they
// connected), the settings store keeping the website's panel changes, and the stop that lets the next
// device wait until this one has let go of the display.
// The machine decides which state follows; this module says what happened (connected, reconnecting,
// renewed, expiring) and, when no device could be built, why, so that the machine can tell a retry from
// a registration from a setting only the owner can fix.
// A stopped session says nothing more: every event checks that its device is still the one running,
// so a late event of a device being stopped cannot steer the machine.

import type { Display } from "../display/display.js";
import type { Host } from "../ports.js";
import { errorMessage } from "../util/errors.js";
import type { LoadedSettings, Renewal, SettingsSource } from "./boot-services.js";
import { DeviceConfigError, type ConfigProblem, type Credentials } from "./config.js";
import { createPlayerDevice, type PlayerDevice } from "./device.js";

/** What a running session tells the machine. */
export interface SessionEvents {
  /** The MQTT session connected (at first or after reconnecting); renewal has been told already. */
  connected(): void;
  /** The MQTT session lost the broker and is connecting again. */
  reconnecting(): void;
  /** Renewal has a new set (or gives the old one back after a failed trial): restart the session with it. */
  renewed(next: Credentials): void;
  /** The certificate runs out in `daysLeft` days (-1: it has). */
  expiring(daysLeft: number): void;
}

/**
 * Why no device could be built: "credentials" (the stored set is unusable: register again),
 * "settings" (a setting retrying cannot fix) or "transient" (anything else: try again later).
 */
export interface SessionRefusal {
  readonly cause: "credentials" | "settings" | "transient";
  readonly message: string;
  /** For "credentials" and "settings": the DeviceConfigError's field and problem. */
  readonly field?: string;
  readonly problem?: ConfigProblem;
}

export class BootSession {
  readonly #host: Host;
  readonly #store: SettingsSource;
  readonly #renewal: Renewal | undefined;
  #device: PlayerDevice | undefined;
  #renewing = false;
  /** The last device's stop, awaited before the next device starts on the same display. */
  #stopping: Promise<void> = Promise.resolve();

  constructor(host: Host, store: SettingsSource, renewal: Renewal | undefined) {
    this.#host = host;
    this.#store = store;
    this.#renewal = renewal;
  }

  /** The session's device while one runs (playing or connecting). */
  get device(): PlayerDevice | undefined {
    return this.#device;
  }

  /** Settles once every device stopped so far has finished stopping. */
  get stopped(): Promise<void> {
    return this.#stopping;
  }

  /**
   * Builds a device from the settings and credentials on `display`, starts it and the renewal client.
   * Returns why not when the device cannot be built (nothing runs then). Only building is caught:
   * a device or renewal client that throws on start is a bug, not a reason to retry.
   */
  start(display: Display, settings: LoadedSettings, credentials: Credentials, events: SessionEvents): SessionRefusal | undefined {
    let device: PlayerDevice;
    try {
      device = createPlayerDevice(this.#host, display, { ...settings.device, credentials });
    } catch (error) {
      if (error instanceof DeviceConfigError) {
        return { cause: error.field.startsWith("credentials") ? "credentials" : "settings", message: error.message, field: error.field, problem: error.problem };
      }
      return { cause: "transient", message: errorMessage(error) };
    }
    this.#device = device;
    const running = () => this.#device === device;
    const store = this.#store;
    if (store.savePanel) {
      // Not checked like the events below: saving a panel setting does not steer the machine.
      device.observe({
        panelChanged: (panel) => {
          try {
            store.savePanel?.(panel);
          } catch (error) {
            this.#host.log.write("warn", `panel settings not stored: ${errorMessage(error)}`);
          }
        },
      });
    }
    const renewal = this.#renewal;
    device.player.observe({
      sessionChanged: (state) => {
        if (!running()) return;
        if (state === "connected") {
          // First, so that a pending set is current before the machine reports "playing".
          renewal?.connected?.();
          events.connected();
        } else if (state === "reconnecting") {
          events.reconnecting();
        }
      },
    });
    device.start();
    if (renewal) {
      this.#renewing = true;
      renewal.start(credentials, {
        renewed: (next) => {
          if (running()) events.renewed(next);
        },
        expiring: (daysLeft) => {
          if (running()) events.expiring(daysLeft);
        },
      });
    }
    return undefined;
  }

  /**
   * Stops the renewal client and the device. The device is stopped at once, so that a socket error of
   * the dying session cannot draw over the machine's next screen; its stop finishes in the background,
   * then `stopped` runs (the machine draws its screen again: the stop may have drawn a last frame).
   */
  stop(stopped: () => void): void {
    if (this.#renewing) {
      this.#renewing = false;
      this.#renewal?.stop();
    }
    const device = this.#device;
    if (!device) return;
    this.#device = undefined;
    this.#stopping = Promise.all([this.#stopping, device.stop()]).then(
      stopped,
      (error: unknown) => this.#host.log.write("error", `session stop failed: ${errorMessage(error)}`),
    );
  }
}
