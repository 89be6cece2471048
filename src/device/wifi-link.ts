// The station's link for the boot machine: joins the configured network with a time limit, and tells
// a failed join (retry later) from the loss of a link that was up (tear down what runs on it). Knows
// which network it is on, so new settings that keep the same Wi-Fi do not cost a rejoin.

import type { Timers, Wifi } from "../ports.js";
import type { WifiSettings } from "./boot-services.js";
import { SingleTimer } from "../util/single-timer.js";

export interface WifiLinkEvents {
  joined(): void;
  /** The join failed or timed out; the link is down and idle. */
  failed(reason: string): void;
  /** A link that was up went down; the link is idle. */
  lost(reason: string): void;
}

export class WifiLink {
  readonly #wifi: Wifi;
  readonly #timeoutMs: number;
  /** The network joined or being joined; undefined when idle. */
  #network: WifiSettings | undefined;
  #up = false;
  readonly #timer: SingleTimer;

  constructor(wifi: Wifi, timers: Timers, timeoutMs: number) {
    this.#wifi = wifi;
    this.#timer = new SingleTimer(timers);
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
    this.#timer.clear();
    this.#network = network;
    this.#up = false;
    this.#timer.set(() => {
      this.leave();
      events.failed("no connection");
    }, this.#timeoutMs);
    this.#wifi.connect(network.ssid, network.password, {
      onConnected: () => {
        if (this.#network !== network || this.#up) return;
        this.#timer.clear();
        this.#up = true;
        events.joined();
      },
      onDisconnected: (reason) => {
        if (this.#network !== network) return;
        this.#timer.clear();
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
    this.#timer.clear();
    if (this.#network === undefined) return;
    this.#network = undefined;
    this.#up = false;
    this.#wifi.disconnect();
  }
}
