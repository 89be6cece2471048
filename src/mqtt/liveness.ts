// Is the connection alive? MQTT's keep-alive obliges the client to send something at least every
// Keep Alive seconds, but a broker may set Server Keep Alive to 0 (or to hours), and a link that died
// silently (Wi-Fi gone, NAT entry dropped) then looks "connected" for ever. So the client also sends a
// PINGREQ when it has heard nothing for a quiet period of its own choosing (PINGREQ is allowed at any
// time, keep-alive 0 included), and a PINGREQ left unanswered means the connection is dead.

import type { Host, TimerId } from "../ports.js";

/** Silence (nothing received) after which the client checks the link with a PINGREQ. */
export const DEFAULT_QUIET_MS = 60_000;

export interface LivenessEvents {
  ping(): void;
  dead(message: string): void;
}

export class Liveness {
  readonly #host: Host;
  readonly #events: LivenessEvents;
  #timer: TimerId | undefined;
  #keepAliveMs = 0;
  #quietMs = DEFAULT_QUIET_MS;
  #pingTimeoutMs = 0;
  #lastSentAt = 0;
  #lastReceivedAt = 0;
  #pingSentAt: number | undefined;

  constructor(host: Host, events: LivenessEvents) {
    this.#host = host;
    this.#events = events;
  }

  /**
   * A connection is up. `keepAliveMs`: the negotiated keep-alive (0: none); `quietMs`: the device's
   * own quiet period; `pingTimeoutMs`: how long a PINGRESP may take (default: half the shorter period,
   * at most 30 s).
   */
  start(keepAliveMs: number, quietMs: number, pingTimeoutMs: number | undefined): void {
    this.stop();
    const now = this.#host.clock.monotonicMs();
    this.#keepAliveMs = keepAliveMs;
    this.#quietMs = quietMs;
    const period = keepAliveMs > 0 && keepAliveMs < quietMs ? keepAliveMs : quietMs;
    this.#pingTimeoutMs = pingTimeoutMs ?? Math.min(30_000, period / 2);
    this.#lastReceivedAt = now;
    const interval = keepAliveMs > 0 ? Math.min((keepAliveMs * 3) / 4, quietMs) : quietMs;
    this.#timer = this.#host.timers.repeat(() => this.#tick(), Math.max(250, interval / 4));
  }

  stop(): void {
    if (this.#timer !== undefined) this.#host.timers.clear(this.#timer);
    this.#timer = undefined;
    this.#pingSentAt = undefined;
  }

  sent(): void {
    this.#lastSentAt = this.#host.clock.monotonicMs();
  }

  /** Bytes arrived from the broker (a PINGRESP among them, or anything else: the link works). */
  received(): void {
    this.#lastReceivedAt = this.#host.clock.monotonicMs();
    this.#pingSentAt = undefined;
  }

  #tick(): void {
    const now = this.#host.clock.monotonicMs();
    if (this.#pingSentAt !== undefined) {
      if (now - this.#pingSentAt >= this.#pingTimeoutMs) {
        this.#events.dead(`no PINGRESP within ${this.#pingTimeoutMs} ms: connection is dead`);
      }
      return;
    }
    const keepAliveDue = this.#keepAliveMs > 0 && now - this.#lastSentAt >= (this.#keepAliveMs * 3) / 4;
    if (keepAliveDue || now - this.#lastReceivedAt >= this.#quietMs) {
      this.#pingSentAt = now;
      this.#events.ping();
    }
  }
}
