// Retry delays of the boot steps: one bounded exponential back-off per step (a flapping Wi-Fi does not
// reset the registration's), and which step is waiting, until when, and why (for `info()`).

import { Backoff, type BackoffOptions } from "../mqtt/backoff.js";
import type { Clock, Random } from "../ports.js";
import type { RetriedStep } from "./boot-screens.js";

export class StepBackoff {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #backoffs: { readonly [step in RetriedStep]: Backoff };
  readonly #unit = new Uint8Array(1);
  #step: RetriedStep | undefined;
  #retryAt: number | undefined;
  lastError: string | undefined;

  constructor(clock: Clock, random: Random, options: BackoffOptions) {
    this.#clock = clock;
    this.#random = random;
    this.#backoffs = { settings: new Backoff(options), wifi: new Backoff(options), clock: new Backoff(options), registration: new Backoff(options), session: new Backoff(options) };
  }

  /** Counts a failure of `step` and returns how long to wait before trying it again. */
  failed(step: RetriedStep, reason: string): number {
    this.#random.fill(this.#unit);
    const delay = this.#backoffs[step].nextDelayMs(this.#unit[0]! / 256);
    this.lastError = reason;
    this.#step = step;
    this.#retryAt = this.#clock.monotonicMs() + delay;
    return delay;
  }

  /** The step worked: its next failure waits the shortest delay again. */
  succeeded(step: RetriedStep): void {
    this.#backoffs[step].reset();
  }

  /** The wait is over (or was cancelled). */
  cleared(): void {
    this.#retryAt = undefined;
  }

  /** Failures of the step that failed last, since it last worked. */
  get attempts(): number {
    return this.#step ? this.#backoffs[this.#step].attempts : 0;
  }

  get retryInMs(): number | undefined {
    return this.#retryAt === undefined ? undefined : Math.max(0, this.#retryAt - this.#clock.monotonicMs());
  }
}
