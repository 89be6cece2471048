// The TimeSync port (src/ports.ts) on the SDK's `sntp` module: asks each configured server in turn
// (the SDK client moves to the host its error callback returns), then sets the system clock and marks
// the Clock port synchronised (ModdableClock.synchronized, which calls Time.set).

import SNTP from "sntp";
import type { TimeSync, TimeSyncHandlers } from "../../src/ports.js";
import type { ModdableClock } from "../moddable/clock.js";

/** The SDK client has `close` (sntp.js) though its typing does not declare it. */
interface SntpClient {
  close?(): void;
}

type SntpCallback = (message: -1 | 1 | 2, value?: number | string) => string | undefined;

export class SntpTimeSync implements TimeSync {
  readonly #clock: ModdableClock;
  readonly #servers: readonly string[];
  #client: SntpClient | undefined;

  /** `servers`: host names, tried in order (at least one). */
  constructor(clock: ModdableClock, servers: readonly string[]) {
    if (servers.length === 0) throw new RangeError("at least one SNTP server");
    this.#clock = clock;
    this.#servers = servers;
  }

  start(handlers: TimeSyncHandlers): void {
    this.stop();
    let next = 1;
    const callback: SntpCallback = (message, value) => {
      if (this.#client !== client) return undefined;
      if (message === SNTP.time && typeof value === "number") {
        this.#client = undefined;
        this.#clock.synchronized(value);
        handlers.onSynchronized();
      } else if (message === SNTP.error) {
        if (next < this.#servers.length) return this.#servers[next++];
        this.#client = undefined;
        handlers.onError(typeof value === "string" ? value : "no time server answered");
      }
      return undefined;
    };
    // The SDK typing says the callback returns nothing; the client does use a returned host name.
    const client: SntpClient = new SNTP({ host: this.#servers[0]! }, callback as unknown as (message: -1 | 1 | 2, value?: number) => void);
    this.#client = client;
  }

  stop(): void {
    const client = this.#client;
    this.#client = undefined;
    client?.close?.();
  }
}
