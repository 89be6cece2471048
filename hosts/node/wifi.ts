// The Wi-Fi port on a PC (the virtual device in its first-boot mode): a PC is always online, so this
// station pretends there are networks in range, so that the boot machine's Wi-Fi step and the serial
// provisioning of Wi-Fi work as on a board. Joining takes a moment (the "Joining Wi-Fi" screen shows),
// an unknown network or a wrong password fails with the reason a board would give, and `drop()`
// loses the connection (tests, the demo's controls).

import type { Wifi, WifiHandlers } from "../../src/ports.js";

const JOIN_DELAY_MS = 400;

export class SimulatedWifi implements Wifi {
  readonly #networks: ReadonlyMap<string, string>;
  readonly #joinDelayMs: number;
  #handlers: WifiHandlers | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #connectedTo: string | undefined;
  /** Every join attempt, for tests (SSIDs only: passwords are not kept). */
  readonly attempts: string[] = [];

  /** `networks`: SSID → password of the networks in range. */
  constructor(networks: Readonly<Record<string, string>>, options: { joinDelayMs?: number } = {}) {
    this.#networks = new Map(Object.entries(networks));
    this.#joinDelayMs = options.joinDelayMs ?? JOIN_DELAY_MS;
  }

  get connectedTo(): string | undefined {
    return this.#connectedTo;
  }

  connect(ssid: string, password: string, handlers: WifiHandlers): void {
    this.disconnect();
    this.attempts.push(ssid);
    this.#handlers = handlers;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const expected = this.#networks.get(ssid);
      if (expected === undefined) return this.#fail(`no network "${ssid}" in range`);
      if (expected !== password) return this.#fail("wrong password");
      this.#connectedTo = ssid;
      handlers.onConnected();
    }, this.#joinDelayMs);
  }

  disconnect(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#handlers = undefined;
    this.#connectedTo = undefined;
  }

  /** The access point went away: a live connection is lost (the machine joins again after its back-off). */
  drop(reason = "access point gone"): void {
    if (this.#connectedTo === undefined) return;
    this.#fail(reason);
  }

  #fail(reason: string): void {
    const handlers = this.#handlers;
    this.#handlers = undefined;
    this.#connectedTo = undefined;
    handlers?.onDisconnected(reason);
  }
}
