// When to try again after a connection attempt failed or a connection ended: one timer at a time,
// delays from the backoff (exponential with jitter), and the backoff reset only by a connection that
// stayed up for `healthyAfterMs`. A connection that a broker ends right after CONNACK (a poison
// message, a refused subscription, a flapping link) so backs off like a refused one instead of
// reconnecting every second.

import type { Host, TimerId } from "../ports.js";
import { Backoff, type BackoffOptions } from "./backoff.js";

/** How long a connection must last before the backoff starts again from its first delay. */
export const DEFAULT_HEALTHY_AFTER_MS = 60_000;

export class ReconnectPolicy {
  readonly #host: Host;
  readonly #backoff: Backoff;
  readonly #healthyAfterMs: number;
  readonly #randomBytes = new Uint8Array(4);
  #timer: TimerId | undefined;
  #connectedAt: number | undefined;

  constructor(host: Host, backoff: BackoffOptions, healthyAfterMs: number) {
    this.#host = host;
    this.#backoff = new Backoff(backoff);
    this.#healthyAfterMs = healthyAfterMs;
  }

  /** Failed attempts and short-lived connections since the last healthy connection. */
  get attempts(): number {
    this.#resetIfHealthy();
    return this.#backoff.attempts;
  }

  /** A reconnect is waiting. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** The broker accepted the connection (CONNACK): its lifetime counts from now. */
  connected(): void {
    this.#connectedAt = this.#host.clock.monotonicMs();
  }

  /**
   * The connection or attempt is over: `open` runs after the next delay. Replaces a reconnect already
   * waiting, so there is never more than one. Returns the delay in milliseconds.
   */
  schedule(open: () => void): number {
    this.cancel();
    this.#resetIfHealthy();
    this.#connectedAt = undefined;
    this.#host.random.fill(this.#randomBytes);
    const bytes = this.#randomBytes;
    const unit = ((bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16)) >>> 0) / 0x1000000;
    const delayMs = this.#backoff.nextDelayMs(unit);
    this.#timer = this.#host.timers.set(() => {
      this.#timer = undefined;
      open();
    }, delayMs);
    return delayMs;
  }

  cancel(): void {
    if (this.#timer === undefined) return;
    this.#host.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #resetIfHealthy(): void {
    if (this.#connectedAt !== undefined && this.#host.clock.monotonicMs() - this.#connectedAt >= this.#healthyAfterMs) {
      this.#backoff.reset();
    }
  }
}
