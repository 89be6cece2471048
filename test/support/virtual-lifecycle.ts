// Test doubles of the board's lifecycle inputs for the boot machine: a Wi-Fi station, an SNTP client
// and a button the test drives, plus in-memory stand-ins of the settings store and the registration
// client (their real modules live on their own and are tested there). Portable: no Node APIs.

import type { LoadedSettings, Registration, RegistrationEvents, SettingsSource, WifiSettings } from "../../src/device/boot-services.js";
import type { Credentials, DeviceConfig } from "../../src/device/config.js";
import type { Button, ButtonHandlers, TimeSync, TimeSyncHandlers, Wifi, WifiHandlers } from "../../src/ports.js";

export class VirtualWifi implements Wifi {
  /** Every `connect` call, in order. */
  readonly joins: WifiSettings[] = [];
  disconnects = 0;
  #handlers: WifiHandlers | undefined;
  /** Answer each join at once with this (undefined: the test answers with `up`/`fail`). */
  autoAnswer: "up" | string | undefined = "up";

  connect(ssid: string, password: string, handlers: WifiHandlers): void {
    this.joins.push({ ssid, password });
    this.#handlers = handlers;
    if (this.autoAnswer === "up") handlers.onConnected();
    else if (this.autoAnswer !== undefined) {
      this.#handlers = undefined;
      handlers.onDisconnected(this.autoAnswer);
    }
  }

  disconnect(): void {
    this.disconnects++;
    this.#handlers = undefined;
  }

  get joining(): boolean {
    return this.#handlers !== undefined;
  }

  up(): void {
    this.#handlers?.onConnected();
  }

  /** The attempt fails or the connection is lost. */
  fail(reason: string): void {
    const handlers = this.#handlers;
    this.#handlers = undefined;
    handlers?.onDisconnected(reason);
  }
}

export class VirtualTimeSync implements TimeSync {
  starts = 0;
  stops = 0;
  #handlers: TimeSyncHandlers | undefined;
  /** Called when the clock is set (the test flips the virtual wall clock there). */
  onSynchronizing: () => void = () => {};

  start(handlers: TimeSyncHandlers): void {
    this.starts++;
    this.#handlers = handlers;
  }

  stop(): void {
    this.stops++;
    this.#handlers = undefined;
  }

  get running(): boolean {
    return this.#handlers !== undefined;
  }

  synchronized(): void {
    const handlers = this.#handlers;
    this.#handlers = undefined;
    this.onSynchronizing();
    handlers?.onSynchronized();
  }

  fail(reason: string): void {
    const handlers = this.#handlers;
    this.#handlers = undefined;
    handlers?.onError(reason);
  }
}

export class VirtualButton implements Button {
  #handlers: ButtonHandlers | undefined;
  watch(handlers: ButtonHandlers): void {
    this.#handlers = handlers;
  }
  press(): void {
    this.#handlers?.onPressed();
  }
  release(): void {
    this.#handlers?.onReleased();
  }
}

/** Settings in memory, as the store would hand them over; `failLoads` makes the next loads throw. */
export class MemorySettings implements SettingsSource {
  wifi: WifiSettings | undefined;
  device: Omit<DeviceConfig, "credentials">;
  credentials: Credentials | undefined;
  failLoads = 0;
  loads = 0;
  saves = 0;
  resets = 0;

  constructor(device: Omit<DeviceConfig, "credentials">, wifi?: WifiSettings, credentials?: Credentials) {
    this.device = device;
    this.wifi = wifi;
    this.credentials = credentials;
  }

  load(): LoadedSettings {
    this.loads++;
    if (this.failLoads > 0) {
      this.failLoads--;
      throw new Error("storage unreadable");
    }
    return { wifi: this.wifi, device: this.device, credentials: this.credentials };
  }

  /** Where the next registration says to connect (what a real store keeps from RegisteredCredentials). */
  brokerFromRegistration: { host: string; port: number } | undefined;

  saveCredentials(credentials: Credentials): void {
    this.saves++;
    this.credentials = credentials;
    if (this.brokerFromRegistration) this.device = { ...this.device, broker: this.brokerFromRegistration };
  }

  factoryReset(): void {
    this.resets++;
    this.wifi = undefined;
    this.credentials = undefined;
  }
}

/** A registration client the test drives: it records starts and stops and reports what the test says. */
export class ScriptedRegistration implements Registration {
  starts = 0;
  stops = 0;
  #events: RegistrationEvents | undefined;
  /** The events of the last start, kept after stop: a client that reports late uses them. */
  last: RegistrationEvents | undefined;

  start(events: RegistrationEvents): void {
    this.starts++;
    this.#events = events;
    this.last = events;
  }

  stop(): void {
    this.stops++;
    this.#events = undefined;
  }

  get running(): boolean {
    return this.#events !== undefined;
  }

  code(code: string, expiresAtMs: number): void {
    this.#events?.code(code, expiresAtMs);
  }

  registered(credentials: Credentials): void {
    this.#events?.registered(credentials);
  }

  failed(reason: string): void {
    this.#events?.failed(reason);
  }
}
