// The panel wizard as the boot machine runs it (boot.ts): one PanelWizard at a time on the machine's
// panel, what it finds stored through the settings source (one atomic commit), and the machine told
// when it ended so that it starts over from the store. The last wizard's status stays readable after
// it ended (the serial CLI reads "saved" or "cancelled" from it).

import type { Host, PanelConfig, PixelPush } from "../ports.js";
import { errorMessage } from "../util/errors.js";
import type { BootOptions } from "./boot-options.js";
import type { SettingsSource } from "./boot-services.js";
import { PanelWizard, type WizardAction, type WizardStatus } from "./panel-wizard.js";

export class BootWizard {
  readonly #host: Host;
  readonly #panel: PixelPush;
  readonly #settings: SettingsSource;
  readonly #tuning: BootOptions["wizard"];
  #wizard: PanelWizard | undefined;

  constructor(host: Host, options: Pick<BootOptions, "panel" | "settings" | "wizard">) {
    this.#host = host;
    this.#panel = options.panel;
    this.#settings = options.settings;
    this.#tuning = options.wizard;
  }

  get running(): boolean {
    return this.#wizard?.running === true;
  }

  /** The running wizard's status, else the last one's (undefined before any ran). */
  get status(): WizardStatus | undefined {
    return this.#wizard?.status();
  }

  /**
   * Starts a wizard on the panel (the caller has stopped everything else that drew on it). `ended` runs
   * when it ends by itself (saved, cancelled, timed out), after a saved drive is stored.
   */
  start(config: PanelConfig, brightness: number, ended: () => void): WizardStatus {
    const wizard = new PanelWizard({
      panel: this.#panel,
      timers: this.#host.timers,
      config,
      brightness,
      ...this.#tuning,
      finished: (outcome) => {
        let failure: unknown;
        if (outcome.state === "saved") {
          try {
            if (!this.#settings.savePanelDrive) throw new Error("this device cannot store panel settings");
            this.#settings.savePanelDrive(outcome.drive);
            this.#host.log.write("info", "panel wizard: settings saved");
          } catch (error) {
            failure = error;
            this.#host.log.write("error", `panel wizard: not saved: ${errorMessage(error)}`);
          }
        } else {
          this.#host.log.write("info", `panel wizard: ${outcome.state}, nothing changed`);
        }
        // Whatever the outcome, the panel is set up again from the store (the old drive if nothing was saved).
        ended();
        if (failure !== undefined) throw failure; // the wizard reports "failed" with the reason
      },
    });
    this.#wizard = wizard;
    this.#host.log.write("info", "panel wizard: started");
    wizard.start();
    return wizard.status();
  }

  /** A person's answer to the candidate on show; throws when no wizard runs. */
  act(action: WizardAction): WizardStatus {
    const wizard = this.#wizard;
    if (!wizard || !wizard.running) throw new Error("the panel wizard is not running");
    wizard.act(action);
    return wizard.status();
  }

  /** Something else takes over (new settings, a reset, a stop): the wizard ends, nothing stored, `ended` not called. */
  abort(): void {
    if (!this.running) return;
    this.#wizard!.abort();
    this.#host.log.write("info", "panel wizard: interrupted, nothing changed");
  }
}
