// The station's link for the boot machine: joins the configured network with a time limit, and tells
// a failed join (retry later) from the loss of a link that was up (tear down what runs on it). Knows
// which network it is on, so new settings that keep the same Wi-Fi do not cost a rejoin.

import type { Timers, Wifi } from "../ports.js";
import type { WifiSettings } from "./boot-services.js";

export interface WifiLinkEvents {
  joined(): void;
  /** The join failed or timed out; the link is down and idle. */
  failed(reason: string): void;
  /** A link that was up went down; the link is idle. */
  lost(reason: string): void;
}

export class WifiLink {
  readonly #wifi: Wifi;
  readonly #timers: Timers;
  readonly #timeoutMs: number;
  /** The network joined or being joined; undefined when idle. */
  #network: WifiSettings | undefined;
  #up = false;
  #timer: number | undefined;

  constructor(wifi: Wifi, timers: Timers, timeoutMs: number) {
    this.#wifi = wifi;
    this.#timers = timers;
    this.#timeoutMs = timeoutMs;
  }

  get up(): boolean {
    return this.#up;
  }

  /** Up on exactly this network. */
  isUpOn(network: WifiSettings): boolean {
    return this.#up && this.#network !== undefined && this.#network.ssid === network.ssid && this.#network.password === network.password;
  }

  /** Joins `network` (dropping any other attempt); exactly one event follows, unless `leave` comes first. */
  join(network: WifiSettings, events: WifiLinkEvents): void {
    this.#clearTimer();
    this.#network = network;
    this.#up = false;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.leave();
      events.failed("no connection");
    }, this.#timeoutMs);
    this.#wifi.connect(network.ssid, network.password, {
      onConnected: () => {
        if (this.#network !== network || this.#up) return;
        this.#clearTimer();
        this.#up = true;
        events.joined();
      },
      onDisconnected: (reason) => {
        if (this.#network !== network) return;
        this.#clearTimer();
        const wasUp = this.#up;
        this.#network = undefined;
        this.#up = false;
        if (wasUp) events.lost(reason);
        else events.failed(reason);
      },
    });
  }

  /** Leaves the network or abandons the attempt; no event follows. */
  leave(): void {
    this.#clearTimer();
    if (this.#network === undefined) return;
    this.#network = undefined;
    this.#up = false;
    this.#wifi.disconnect();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
