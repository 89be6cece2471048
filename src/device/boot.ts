// The boot state machine: from power-on to art, and back to a working state after anything goes wrong.
//   loading → (no Wi-Fi settings) provisioning → wifi → clock → (no credentials) registration
//           → session → playing
// Each state puts its own status screen on the panel (boot-screens.ts). A step that fails (settings
// unreadable, Wi-Fi refused, no time, registration failed, a session that cannot be built) waits a
// bounded exponential back-off through the Timer port and tries again: the device never stops trying.
// Wi-Fi lost at any later point tears down what runs on top of it (registration, renewal, the MQTT
// session) and joins again; once it is back, the session is rebuilt from the stored settings.
// A factory reset (long press on the button, or the serial command) erases the settings and starts over.
// The panel wizard (panel-wizard.ts; started over serial, or by holding the button 2–4 s and letting
// go) takes the panel while it runs: everything else stops, the button steps through the
// candidates (short press: next; 1 s hold: take it), and when it ends the machine starts over from the
// stored settings, so the panel is set up again with what was found.
// One Display serves every state and every PlayerDevice, so the panel is set up once (boot-panel.ts).
// The session step's device, with the renewal client on it, is boot-session.ts; which state follows its
// events is decided here.
// (Over 400 lines: every transition of the machine is here, so that which state follows which event can
// be read in one place; the states' own work is in boot-*.ts.)
//
// Continuations of asynchronous work (a Wi-Fi event, a registration event, a device that finished
// stopping) carry the generation they were started in; `#teardown` moves to the next generation, so a
// late event from torn-down work is ignored instead of steering the machine. (A stopped session drops
// its own events: BootSession.)

import type { Display } from "../display/display.js";
import type { Host, LogLevel } from "../ports.js";
import { errorMessage } from "../util/errors.js";
import { BOOT_DEFAULTS, type BootInfo, type BootOptions, type BootStateName } from "./boot-options.js";
import {
  badSettingsStatus, certificateStatus, clockStatus, panelTooBigStatus, registeringStatus, resetStatus, retryStatus, setUpStatus, startingStatus, wifiLostStatus, wifiStatus, type RetriedStep,
} from "./boot-screens.js";
import type { LoadedSettings } from "./boot-services.js";
import { BootPanel } from "./boot-panel.js";
import { BootSession } from "./boot-session.js";
import { CodeScreen } from "./code-screen.js";
import type { Credentials } from "./config.js";
import type { PlayerDevice } from "./device.js";
import { LongPress } from "./long-press.js";
import { BootWizard } from "./boot-wizard.js";
import type { WizardAction, WizardStatus } from "./panel-wizard.js";
import type { StatusMessage } from "./status-screens.js";
import { StepBackoff } from "./step-backoff.js";
import { WifiLink } from "./wifi-link.js";
import { SingleTimer } from "../util/single-timer.js";

export { BOOT_DEFAULTS, type BootInfo, type BootOptions, type BootStateName } from "./boot-options.js";

export class BootMachine {
  readonly #host: Host;
  readonly #options: BootOptions;
  readonly #backoff: StepBackoff;
  readonly #codeScreen: CodeScreen;
  readonly #longPress: LongPress;
  #state: BootStateName = "loading";
  #generation = 0;
  #settings: LoadedSettings | undefined;
  #credentials: Credentials | undefined;
  readonly #panel: BootPanel;
  readonly #session: BootSession;
  /** Undefined on a host that is always online. */
  readonly #wifi: WifiLink | undefined;
  #clockSynced = false;
  #registering = false;
  #syncing = false;
  /** The one pending step timer: a retry or a timeout. */
  readonly #timer: SingleTimer;
  /** The machine's last status screen, drawn again when a stopping session has let go of the panel. */
  #screen: StatusMessage | undefined;
  readonly #wizard: BootWizard;

  constructor(host: Host, options: BootOptions) {
    this.#host = host;
    this.#options = options;
    this.#timer = new SingleTimer(host.timers);
    this.#wifi = host.wifi ? new WifiLink(host.wifi, host.timers, options.wifiTimeoutMs ?? BOOT_DEFAULTS.wifiTimeoutMs) : undefined;
    this.#backoff = new StepBackoff(host.clock, host.random, options.backoff ?? BOOT_DEFAULTS.backoff);
    this.#panel = new BootPanel(host, options);
    this.#session = new BootSession(host, options.settings, options.renewal);
    this.#wizard = new BootWizard(host, options);
    this.#codeScreen = new CodeScreen(host.timers, host.clock, options.preview, options.codeShowMs ?? BOOT_DEFAULTS.codeShowMs);
    this.#longPress = new LongPress(
      host.timers,
      () => (this.#wizard.running ? (options.wizardHoldMs ?? BOOT_DEFAULTS.wizardHoldMs) : (options.longPressMs ?? BOOT_DEFAULTS.longPressMs)),
      () => {
        if (this.#state === "stopped") return;
        if (this.#wizard.running) {
          this.#wizard.act("confirm");
          return;
        }
        this.#log("warn", "button held: factory reset");
        this.factoryReset();
      },
      {
        now: () => host.clock.monotonicMs(),
        released: (heldMs) => {
          if (this.#wizard.running) this.#wizard.act("next");
          else if (heldMs >= BOOT_DEFAULTS.wizardStartMs.from && heldMs < BOOT_DEFAULTS.wizardStartMs.to && this.#state !== "stopped") this.#startWizardSafely();
        },
      },
    );
  }

  get state(): BootStateName {
    return this.#state;
  }

  /** The session's device while one runs (playing or connecting). */
  get device(): PlayerDevice | undefined {
    return this.#session.device;
  }

  get display(): Display | undefined {
    return this.#panel.display;
  }

  info(): BootInfo {
    return Object.freeze({
      state: this.#state,
      attempts: this.#backoff.attempts,
      retryInMs: this.#backoff.retryInMs,
      lastError: this.#backoff.lastError,
      wifiUp: this.#wifi ? this.#wifi.up : true,
      registered: this.#credentials !== undefined,
      code: this.#codeScreen.code,
    });
  }

  /** Loads the settings and goes on from there; watches the reset button where there is one. */
  start(): void {
    if (this.#host.button) this.#longPress.watch(this.#host.button);
    this.#load();
  }

  /** The panel wizard's status: the running one, else the last one (undefined before any). */
  get panelWizard(): WizardStatus | undefined {
    return this.#wizard.status;
  }

  /**
   * Starts the panel wizard (a running one is kept): the session, registration and every screen stop
   * until it ends, then the machine starts over from the stored settings. Throws when there is no panel.
   */
  startPanelWizard(): WizardStatus {
    if (this.#state === "stopped") throw new Error("the device is stopping");
    if (this.#wizard.running) return this.#wizard.status!;
    const current = this.#panel.current;
    const display = this.#panel.display;
    if (!current || !display) throw new Error("no panel is set up");
    this.#teardown(false);
    this.#panel.release();
    this.#enter("wizard", undefined);
    const { settings, drive } = current;
    const config = { width: settings.width, height: settings.height, colorDepth: settings.colorDepth, ...(drive ? { drive } : {}) };
    return this.#wizard.start(config, display.brightness, () => this.#load());
  }

  /** A person's answer to the wizard on show; throws when none runs. */
  panelWizardAction(action: WizardAction): WizardStatus {
    return this.#wizard.act(action);
  }

  #startWizardSafely(): void {
    try {
      this.startPanelWizard();
    } catch (error) {
      this.#log("warn", `panel wizard not started: ${errorMessage(error)}`);
    }
  }

  /** The stored settings changed (serial provisioning): everything restarts from them; Wi-Fi rejoins only if its settings changed. */
  settingsChanged(): void {
    this.#wizard.abort();
    this.#teardown(false);
    this.#load();
  }

  /** Erases every setting and starts over (→ provisioning). */
  factoryReset(): void {
    this.#wizard.abort();
    this.#teardown(true);
    this.#enter("resetting", resetStatus());
    this.#credentials = undefined;
    try {
      this.#options.settings.factoryReset();
      this.#log("warn", "factory reset: settings erased");
    } catch (error) {
      this.#log("error", `factory reset failed: ${errorMessage(error)}`);
    }
    this.#load();
  }

  /** Restarts the board where the host can; otherwise restarts the machine from the stored settings. */
  reboot(): void {
    if (this.#options.reboot) {
      this.#options.reboot();
      return;
    }
    this.#wizard.abort();
    this.#teardown(true);
    this.#load();
  }

  /** Stops everything (tests, a host shutting down): no timer, no socket, no Wi-Fi afterwards. */
  stop(): Promise<void> {
    this.#wizard.abort();
    this.#teardown(true);
    this.#longPress.cancel();
    this.#state = "stopped";
    this.#notify();
    return this.#session.stopped;
  }

  // --- the steps, in boot order

  #load(): void {
    this.#enter("loading", undefined);
    let settings: LoadedSettings;
    try {
      settings = this.#options.settings.load();
    } catch (error) {
      this.#panel.ensure(undefined);
      this.#retry("settings", errorMessage(error), () => this.#load());
      return;
    }
    this.#settings = settings;
    this.#credentials = settings.credentials;
    this.#backoff.succeeded("settings");
    this.#panel.ensure(settings);
    this.#show(startingStatus());
    this.#joinWifi();
  }

  #joinWifi(): void {
    const link = this.#wifi;
    if (!link) {
      this.#syncClock();
      return;
    }
    const wanted = this.#settings?.wifi;
    if (!wanted || wanted.ssid === "") {
      link.leave();
      this.#enter("provisioning", setUpStatus());
      return;
    }
    if (link.isUpOn(wanted)) {
      this.#syncClock();
      return;
    }
    this.#enter("wifi", wifiStatus());
    // Link events are not tied to a generation: a loss matters whatever runs on the link by then.
    link.join(wanted, {
      joined: () => {
        this.#backoff.succeeded("wifi");
        this.#log("info", "wifi: connected");
        this.#syncClock();
      },
      failed: (reason) => this.#retry("wifi", reason, () => this.#joinWifi()),
      lost: (reason) => this.#wifiLost(reason),
    });
  }

  /** Wi-Fi went away under a running state: stop what needs the network, then join again. */
  #wifiLost(reason: string): void {
    this.#log("warn", `wifi: lost (${reason})`);
    // The wizard keeps the panel; when it ends, the machine starts over and joins again.
    if (this.#wizard.running) return;
    this.#teardown(false);
    this.#enter("wifi", undefined);
    this.#retry("wifi", reason, () => this.#joinWifi(), true);
  }

  #syncClock(): void {
    const sync = this.#host.timeSync;
    if (this.#clockSynced || !sync || this.#host.clock.wallTimeMs() !== undefined) {
      this.#clockSynced = true;
      this.#afterClock();
      return;
    }
    this.#enter("clock", clockStatus());
    const generation = this.#generation;
    this.#syncing = true;
    const failed = (reason: string) => {
      sync.stop();
      this.#syncing = false;
      this.#retry("clock", reason, () => this.#syncClock());
    };
    this.#timer.set(() => failed("no answer"), this.#options.clockTimeoutMs ?? BOOT_DEFAULTS.clockTimeoutMs);
    sync.start({
      onSynchronized: () => {
        if (generation !== this.#generation) return;
        this.#timer.clear();
        this.#syncing = false;
        this.#clockSynced = true;
        this.#backoff.succeeded("clock");
        this.#afterClock();
      },
      onError: (reason) => {
        if (generation !== this.#generation) return;
        this.#timer.clear();
        failed(reason);
      },
    });
  }

  #afterClock(): void {
    if (this.#credentials) this.#startSession();
    else this.#register();
  }

  #register(): void {
    this.#enter("registration", registeringStatus());
    const generation = this.#generation;
    const registration = this.#options.registration;
    this.#registering = true;
    const display = this.#panel.display;
    if (display) this.#codeScreen.begin(display);
    registration.start({
      code: (code, expiresAtMs) => {
        if (generation !== this.#generation) return;
        this.#codeScreen.show(code, expiresAtMs);
        // A new code is news for whoever follows the machine (a provisioning link, a test hook).
        this.#notify();
      },
      registered: (credentials) => {
        if (generation !== this.#generation) return;
        this.#stopRegistration();
        this.#backoff.succeeded("registration");
        try {
          this.#options.settings.saveCredentials(credentials);
          // Registration may also have set where to connect (the broker it names): read it back.
          this.#settings = this.#options.settings.load();
        } catch (error) {
          // Play with them all the same; the next boot registers again if they were not kept.
          this.#log("error", `credentials not stored: ${errorMessage(error)}`);
        }
        this.#credentials = credentials;
        this.#log("info", "registered");
        this.#startSession();
      },
      failed: (reason) => {
        if (generation !== this.#generation) return;
        this.#stopRegistration();
        this.#retry("registration", reason, () => this.#register());
      },
    });
  }

  #stopRegistration(): void {
    this.#codeScreen.end();
    if (!this.#registering) return;
    this.#registering = false;
    this.#options.registration.stop();
  }

  /** Builds the session from the stored settings once the previous device has let go of the display. */
  #startSession(): void {
    this.#enter("session", undefined);
    const generation = this.#generation;
    void this.#session.stopped.then(() => {
      if (generation === this.#generation) this.#createSession();
    });
  }

  #createSession(): void {
    const settings = this.#settings;
    const credentials = this.#credentials;
    if (!settings || !credentials) return;
    if (!this.#panel.display) this.#panel.ensure(settings);
    const display = this.#panel.display;
    if (!display) {
      this.#retry("session", "no panel", () => this.#startSession());
      return;
    }
    const refusal = this.#session.start(display, settings, credentials, {
      connected: () => {
        this.#backoff.succeeded("session");
        if (this.#state !== "playing") this.#enter("playing", undefined);
      },
      reconnecting: () => {
        if (this.#state === "playing") this.#enter("session", undefined);
      },
      renewed: (next) => {
        this.#log("info", "certificate renewed: restarting the session");
        this.#credentials = next;
        this.#teardown(false);
        this.#startSession();
      },
      expiring: (daysLeft) => {
        // Over whatever is on the panel until the next artwork: the owner sees it once a day.
        const warning = certificateStatus(daysLeft);
        this.#panel.display?.showStatus(warning.text, warning.level);
      },
    });
    if (!refusal) return;
    if (refusal.cause === "credentials") {
      this.#log("warn", `stored credentials unusable (${refusal.message}): registering again`);
      this.#credentials = undefined;
      this.#register();
    } else if (refusal.cause === "settings") {
      // Retrying cannot fix a bad setting: wait for the owner (settingsChanged or a reset). A panel
      // larger than the board's memory class drives is said as such: the panel runs as the fallback
      // size (boot-panel.ts), and only another panel or board fixes it.
      this.#backoff.lastError = refusal.message;
      this.#log("error", `settings unusable: ${refusal.message}`);
      const tooBig = refusal.field === "panel.size" && refusal.problem === "unsupported";
      this.#enter("provisioning", tooBig ? panelTooBigStatus() : badSettingsStatus());
    } else {
      this.#retry("session", refusal.message, () => this.#startSession());
    }
  }

  // --- failures, screens, teardown

  /** Shows the failure and tries `again` after the step's back-off delay (one timer, never a loop). */
  #retry(step: RetriedStep, reason: string, again: () => void, lost = false): void {
    // A late failure (a Wi-Fi join) while the wizard holds the panel: the machine starts over after it.
    if (this.#wizard.running) return;
    const delay = this.#backoff.failed(step, reason);
    this.#log("warn", `${step}: ${reason}; retry in ${delay} ms`);
    this.#show(lost ? wifiLostStatus(delay) : retryStatus(step, delay));
    this.#timer.set(() => {
      this.#backoff.cleared();
      again();
    }, delay);
    this.#notify();
  }

  /**
   * Ends whatever runs on top of the network: the step timer, registration, renewal, time sync and the
   * session's device (its stop finishes in the background; the next session waits for it). With
   * `wifi`, leaves the network too.
   */
  #teardown(wifi: boolean): void {
    this.#generation++;
    this.#timer.clear();
    this.#backoff.cleared();
    this.#stopRegistration();
    if (this.#syncing) {
      this.#syncing = false;
      this.#host.timeSync?.stop();
    }
    const generation = this.#generation;
    this.#session.stop(() => {
      // The stopped device may have drawn a last frame: the machine's screen goes back up, unless a newer
      // generation or the next device owns the panel by now.
      if (generation === this.#generation && this.#screen && !this.#session.device) this.#show(this.#screen);
    });
    if (wifi) this.#wifi?.leave();
  }

  #enter(state: BootStateName, screen: StatusMessage | undefined): void {
    if (state !== this.#state) this.#log("info", `boot: ${this.#state} → ${state}`);
    this.#state = state;
    if (screen) this.#show(screen);
    this.#notify();
  }

  #show(screen: StatusMessage): void {
    this.#screen = screen;
    this.#panel.display?.showStatus(screen.text, screen.level);
  }

  #notify(): void {
    this.#options.stateChanged?.(this.info());
  }

  #log(level: LogLevel, message: string): void {
    this.#host.log.write(level, message);
  }
}

export function createBootMachine(host: Host, options: BootOptions): BootMachine {
  return new BootMachine(host, options);
}
