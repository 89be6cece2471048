// Certificate renewal (renewal.ts) as the boot machine's Renewal service, over the settings store's
// staged credentials (protocol sheet §9: "keep the old set until the new one has connected"):
//   - while a session runs with the current set, a RenewalSchedule checks it daily and renews it from
//     45 days before notAfter;
//   - a renewed set is staged as "pending" (the current set stays), and the machine is told to restart
//     the session with it;
//   - when the machine starts the renewal again with the pending set, that session is on trial: once it
//     connects the pending set becomes current; if it has not connected within `trialMs`, the pending
//     set is discarded and the machine restarts with the old set (the next attempt waits a check
//     interval, so a set the broker refuses does not loop).
// A pending set found with another set in use (a reboot during a trial) is stale: it is discarded.
// Repeated TLS/CONNACK refusals of a session are shown by status-screens.ts ("Refused: …") while the MQTT
// client backs off; nothing here repeats that.

import type { Host } from "../ports.js";
import { errorMessage } from "../util/errors.js";
import type { Renewal, RenewalEvents } from "./boot-services.js";
import type { Credentials } from "./config.js";
import { DAY_MS, RenewalSchedule, type RenewalClient, type RenewalScheduleOptions, type RenewedCredentials, type RenewalResult } from "./renewal.js";
import type { SettingsStore } from "./settings.js";
import { readCertificatePem } from "./x509.js";
import { SingleTimer } from "../util/single-timer.js";

export interface StoreRenewalOptions {
  /** How long a session with a new set may take to connect before the old set is restored (default 10 min). */
  trialMs?: number;
  schedule?: RenewalScheduleOptions;
}

export const STORE_RENEWAL_DEFAULTS = Object.freeze({ trialMs: 600_000 });

export class StoreRenewal implements Renewal {
  readonly #host: Host;
  readonly #store: SettingsStore;
  readonly #schedule: RenewalSchedule;
  readonly #trialMs: number;
  readonly #holdMs: number;
  #events: RenewalEvents | undefined;
  #credentials: Credentials | undefined;
  #trial = false;
  readonly #timer: SingleTimer;
  /** Monotonic time before which no renewal starts (after a new set failed to connect). */
  #holdUntil = -1;

  constructor(host: Host, store: SettingsStore, client: RenewalClient, options: StoreRenewalOptions = {}) {
    this.#host = host;
    this.#store = store;
    this.#timer = new SingleTimer(host.timers);
    this.#trialMs = options.trialMs ?? STORE_RENEWAL_DEFAULTS.trialMs;
    this.#holdMs = options.schedule?.checkIntervalMs ?? DAY_MS;
    this.#schedule = new RenewalSchedule(host, client, {
      renewed: (next, result) => this.#renewed(next, result),
      tokenChanged: (token) => this.#saveToken(token),
      expiring: (advice) => {
        this.#host.log.write("warn", `renewal: certificate ${advice.stage === "expired" ? "expired" : `expires in ${advice.daysLeft} days`}`);
        this.#events?.expiring?.(advice.stage === "expired" ? -1 : advice.daysLeft);
      },
    }, options.schedule);
  }

  /** True while a session runs with a pending set that has not connected yet. */
  get onTrial(): boolean {
    return this.#trial;
  }

  start(credentials: Credentials, events: RenewalEvents): void {
    this.stop();
    this.#events = events;
    this.#credentials = credentials;
    const pending = this.#store.settings.pendingCredentials;
    if (pending && sameSet(pending, credentials)) {
      this.#trial = true;
      this.#timer.set(() => this.#trialFailed(), this.#trialMs);
      return;
    }
    if (pending) this.#discard("a new certificate was not used: discarded");
    const wait = this.#holdUntil - this.#host.clock.monotonicMs();
    if (wait > 0) this.#timer.set(() => this.#watch(), wait);
    else this.#watch();
  }

  connected(): void {
    if (!this.#trial) return;
    this.#trial = false;
    this.#timer.clear();
    try {
      this.#store.commitPendingCredentials();
      this.#host.log.write("info", "renewal: new certificate connected; it is now the current set");
    } catch (error) {
      // The session runs with the new set; the stored current set is the old one until a later commit.
      this.#host.log.write("error", `renewal: new certificate not committed: ${errorMessage(error)}`);
    }
    this.#watch();
  }

  stop(): void {
    this.#events = undefined;
    this.#trial = false;
    this.#timer.clear();
    this.#schedule.stop();
  }

  /** Starts the daily check of the set in use. */
  #watch(): void {
    const credentials = this.#credentials;
    if (!credentials) return;
    let notAfterMs: number;
    try {
      notAfterMs = readCertificatePem(credentials.certificate).notAfterMs;
    } catch (error) {
      // A certificate that cannot be read cannot be trusted to last: renew it now.
      this.#host.log.write("warn", `renewal: certificate unreadable (${errorMessage(error)}): renewing`);
      notAfterMs = 0;
    }
    this.#schedule.update(notAfterMs, { playerKey: credentials.playerKey, apiToken: this.#store.settings.apiToken });
  }

  #renewed(next: RenewedCredentials, result: RenewalResult): void {
    const credentials = this.#credentials;
    const events = this.#events;
    if (!credentials || !events) return;
    if (result.tokenRotated && result.apiToken !== undefined) this.#saveToken(result.apiToken);
    const set: Credentials = { playerKey: credentials.playerKey, certificate: next.certificate, key: next.key, ca: next.ca };
    try {
      this.#store.stagePendingCredentials(set);
    } catch (error) {
      // Without a stored copy a restart would lose it: keep the old set and try again after a check interval.
      this.#host.log.write("error", `renewal: new certificate not stored: ${errorMessage(error)}`);
      this.#hold();
      return;
    }
    events.renewed(set);
  }

  #trialFailed(): void {
    const events = this.#events;
    this.#trial = false;
    this.#discard("the new certificate did not connect: back to the old one");
    this.#hold();
    const old = this.#store.settings.credentials;
    if (events && old) events.renewed(old);
  }

  #hold(): void {
    this.#holdUntil = this.#host.clock.monotonicMs() + this.#holdMs;
    this.#timer.set(() => this.#watch(), this.#holdMs);
  }

  #discard(why: string): void {
    try {
      this.#store.discardPendingCredentials();
      this.#host.log.write("warn", `renewal: ${why}`);
    } catch (error) {
      this.#host.log.write("error", `renewal: pending certificate not discarded: ${errorMessage(error)}`);
    }
  }

  #saveToken(token: string): void {
    try {
      this.#store.update({ apiToken: token });
    } catch (error) {
      this.#host.log.write("error", `renewal: rotated token not stored: ${errorMessage(error)}`);
    }
  }
}

function sameSet(a: Readonly<Credentials>, b: Readonly<Credentials>): boolean {
  return a.playerKey === b.playerKey && a.certificate === b.certificate && a.key === b.key && a.ca === b.ca;
}
