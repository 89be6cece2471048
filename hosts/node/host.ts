// The Node host: binds every port of src/ports.ts to Node, so the firmware core runs on a PC
// (the virtual device) exactly as it runs on XS.

import { randomFillSync } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Clock, Host, Log, LogLevel, Random, TimerId, Timers } from "../../src/ports.js";
import { NodeNetwork, type NodeNetworkOptions } from "./network.js";
import { FileStorage } from "./storage.js";

class NodeTimers implements Timers {
  readonly #active = new Map<TimerId, NodeJS.Timeout>();
  #nextId = 1;

  set(callback: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    this.#active.set(
      id,
      setTimeout(() => {
        this.#active.delete(id);
        callback();
      }, ms),
    );
    return id;
  }

  repeat(callback: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    this.#active.set(id, setInterval(callback, ms));
    return id;
  }

  clear(id: TimerId): void {
    const handle = this.#active.get(id);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.#active.delete(id);
  }

  /** Power off: every pending timer goes, as on a reset. Returns how many there were. */
  clearAll(): number {
    const count = this.#active.size;
    for (const handle of this.#active.values()) clearTimeout(handle);
    this.#active.clear();
    return count;
  }

  /** Timers still pending: a stopped device should have none. */
  get pending(): number {
    return this.#active.size;
  }
}

const nodeClock: Clock = {
  monotonicMs: () => performance.now(),
  // A PC's clock is synchronised by its OS.
  wallTimeMs: () => Date.now(),
};

const nodeRandom: Random = {
  fill: (bytes) => {
    randomFillSync(bytes);
  },
};

const LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];

export class NodeLog implements Log {
  readonly #minimum: number;
  readonly #write: (line: string) => void;

  constructor(minimum: LogLevel = "info", write: (line: string) => void = (line) => process.stderr.write(line + "\n")) {
    this.#minimum = LEVELS.indexOf(minimum);
    this.#write = write;
  }

  write(level: LogLevel, message: string): void {
    if (LEVELS.indexOf(level) < this.#minimum) return;
    this.#write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}`);
  }
}

export interface NodeHost extends Host {
  timers: NodeTimers;
}

export interface NodeHostOptions {
  network?: NodeNetworkOptions;
  /** A data folder (the virtual device's `--data DIR`): `storage` keeps its files in `DIR/makapix/`. */
  dataDirectory?: string;
}

/** `network.writableBytes` gives sockets lwIP's small send window and "would block" (for tests). */
export function createNodeHost(log: Log = new NodeLog(), options: NodeHostOptions = {}): NodeHost {
  const host: NodeHost = { network: new NodeNetwork(options.network), timers: new NodeTimers(), clock: nodeClock, random: nodeRandom, log };
  if (options.dataDirectory !== undefined) host.storage = new FileStorage(options.dataDirectory, "makapix");
  return host;
}
