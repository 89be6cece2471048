// Provisioning test parts (portable: Node and XS): an in-memory ProvisioningTarget that records what it
// was given, a Serial port on the virtual network's connection (ECMA-419 window and "would block"),
// test credentials that look like the website's, and a client wired to a handler through the line.

import type { Serial, SerialHandlers, Socket } from "../../src/ports.js";
import { ProvisioningClient } from "../../src/device/provisioning-client.js";
import {
  ProvisioningHandler,
  ProvisioningRefused,
  type ProvisioningCredentials,
  type ProvisioningEndpoints,
  type ProvisioningInfo,
  type ProvisioningOutcome,
  type ProvisioningTarget,
} from "../../src/device/provisioning-handler.js";
import { concatBytes } from "./bytes.js";
import { createVirtualHost, VirtualConnection, type VirtualHost } from "./virtual-host.js";

export const TEST_KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDSECRETKEYMATERIAL";
export const TEST_PLAYER_KEY = "3f6c2a1e-8b7d-4c5e-9a0f-1d2e3b4c5a6f";

function pem(label: string, body: string, lines: number): string {
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < lines; i++) out += `${body.slice(0, 64).padEnd(64, String.fromCharCode(65 + (i % 26)))}\n`;
  return `${out}-----END ${label}-----\n`;
}

/** PEMs shaped like the website's download (sizes of an RSA 4096 CA, RSA 2048 certificate and key). */
export const TEST_CREDENTIALS: Readonly<ProvisioningCredentials> = Object.freeze({
  ca: pem("CERTIFICATE", "MIIFazCCA1OgAwIBAgIUCAcertificateauthority", 30),
  certificate: pem("CERTIFICATE", "MIIDpzCCAo+gAwIBAgIUplayercertificate", 20),
  key: pem("PRIVATE KEY", TEST_KEY_BODY, 26),
  playerKey: TEST_PLAYER_KEY,
  apiToken: "tok_0123456789abcdefghijklmnopqrstuvwxyz",
});

/** A device as provisioning sees it, in memory. `refuse` makes a named operation refuse; `hold` delays it. */
export class MemoryTarget implements ProvisioningTarget {
  state = "provisioning";
  wifi: { ssid: string; password: string } | undefined;
  endpoints: ProvisioningEndpoints = {};
  credentials: ProvisioningCredentials | undefined;
  certNotAfterMs: number | undefined;
  registrations = 0;
  resets = 0;
  reboots = 0;
  log: string[] = [];
  refuse: Partial<Record<"setWifi" | "setEndpoints" | "putCredentials" | "startRegistration" | "factoryReset", string>> = {};
  /** While set, setWifi returns this promise (a slow flash write). */
  hold: Promise<void> | undefined;
  /** What a current firmware reports of its boot machine; undefined: an older firmware's info. */
  wifiUp: boolean | undefined;
  lastError: string | undefined;
  retryInMs: number | undefined;

  info(): ProvisioningInfo {
    return {
      state: this.state,
      playerKey: this.credentials?.playerKey,
      certNotAfterMs: this.certNotAfterMs,
      wifiSsid: this.wifi?.ssid,
      apiBase: this.endpoints.apiBase,
      brokerHost: this.endpoints.brokerHost,
      brokerPort: this.endpoints.brokerPort,
      hasCredentials: this.credentials !== undefined,
      wifiUp: this.wifiUp,
      lastError: this.lastError,
      retryInMs: this.retryInMs,
    };
  }

  setWifi(ssid: string, password: string): ProvisioningOutcome {
    this.#check("setWifi");
    const apply = () => {
      this.wifi = { ssid, password };
    };
    if (this.hold) return this.hold.then(apply);
    apply();
  }

  setEndpoints(endpoints: ProvisioningEndpoints): void {
    this.#check("setEndpoints");
    this.endpoints = { ...this.endpoints, ...Object.fromEntries(Object.entries(endpoints).filter(([, v]) => v !== undefined)) };
  }

  putCredentials(credentials: ProvisioningCredentials): void {
    this.#check("putCredentials");
    this.credentials = credentials;
    this.certNotAfterMs = Date.UTC(2029, 0, 1);
    this.state = "connecting";
  }

  startRegistration(): void {
    this.#check("startRegistration");
    this.registrations++;
    this.state = "registration";
  }

  factoryReset(): void {
    this.#check("factoryReset");
    this.resets++;
    this.wifi = undefined;
    this.endpoints = {};
    this.credentials = undefined;
    this.certNotAfterMs = undefined;
    this.state = "provisioning";
  }

  reboot(): void {
    this.reboots++;
  }

  recentLog(): readonly string[] {
    return this.log;
  }

  #check(operation: keyof MemoryTarget["refuse"]): void {
    const reason = this.refuse[operation];
    if (reason !== undefined) throw new ProvisioningRefused(reason);
  }
}

/** A Serial port whose line is a VirtualConnection; `line` is the last one opened. */
export class VirtualSerial implements Serial {
  line: VirtualConnection | undefined;
  /** Everything the device wrote, in order. */
  readonly sent: Uint8Array[] = [];
  readonly #window: number;
  #onSent: (bytes: Uint8Array) => void = () => {};

  constructor(window = 1024) {
    this.#window = window;
  }

  set onSent(listener: (bytes: Uint8Array) => void) {
    this.#onSent = listener;
  }

  open(handlers: SerialHandlers): Socket {
    const line = new VirtualConnection({ host: "serial", port: 0 }, false, handlers, {
      received: (bytes) => {
        this.sent.push(bytes);
        this.#onSent(bytes);
      },
      closed() {},
    }, this.#window);
    this.line = line;
    return line;
  }

  allSent(): Uint8Array {
    return concatBytes(this.sent);
  }
}

export interface ProvisioningRig {
  host: VirtualHost;
  target: MemoryTarget;
  serial: VirtualSerial;
  handler: ProvisioningHandler;
  client: ProvisioningClient;
  line: VirtualConnection;
}

/**
 * A handler on a virtual serial line and a client speaking to it. `toDevice` may rewrite what the client
 * sends (noise, slicing) before it is delivered in slices of `sliceBytes`.
 */
export function provisioningRig(options: { window?: number; sliceBytes?: number; toDevice?: (bytes: Uint8Array) => Uint8Array; toPc?: (bytes: Uint8Array) => Uint8Array } = {}): ProvisioningRig {
  const host = createVirtualHost();
  const target = new MemoryTarget();
  const serial = new VirtualSerial(options.window);
  const handler = new ProvisioningHandler(target, { timers: host.timers, log: host.log });
  handler.open(serial);
  const line = serial.line!;
  line.accept();
  const client = new ProvisioningClient((bytes) => {
    const out = options.toDevice ? options.toDevice(bytes) : bytes;
    line.deliver(out, options.sliceBytes ?? out.length);
  }, host.timers, { timeoutMs: 500 });
  serial.onSent = (bytes) => client.receive(options.toPc ? options.toPc(bytes) : bytes);
  return { host, target, serial, handler, client, line };
}

/** Whether `haystack` contains the ASCII text `needle`. */
export function containsText(haystack: Uint8Array, needle: string): boolean {
  const first = needle.charCodeAt(0);
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    if (haystack[i] !== first) continue;
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle.charCodeAt(j)) continue outer;
    return true;
  }
  return false;
}
