// A Host on a virtual clock with an in-memory network, for unit tests that run unchanged in Node and
// in XS. Time only moves when a test calls `advance`; sockets connect to a scripted peer.

import type { Clock, Host, Log, LogLevel, Network, Random, Socket, SocketErrorCause, SocketHandlers, TcpOptions, TimerId, Timers, TlsOptions } from "../../src/ports.js";
import { readChunks } from "../../src/util/chunk-queue.js";

interface VirtualTimer {
  id: TimerId;
  due: number;
  period: number; // 0 = once
  callback: () => void;
}

export class VirtualTimers implements Timers, Clock {
  #now = 0;
  #nextId = 1;
  #timers: VirtualTimer[] = [];
  wallClockSynced = true;
  /** Wall time at virtual time 0. */
  wallEpochMs = Date.UTC(2026, 10, 25, 12, 0, 0);

  set(callback: () => void, ms: number): TimerId {
    return this.#add(callback, ms, 0);
  }

  repeat(callback: () => void, ms: number): TimerId {
    return this.#add(callback, ms, ms > 0 ? ms : 1);
  }

  clear(id: TimerId): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== id);
  }

  monotonicMs(): number {
    return this.#now;
  }

  wallTimeMs(): number | undefined {
    return this.wallClockSynced ? this.wallEpochMs + this.#now : undefined;
  }

  get pending(): number {
    return this.#timers.length;
  }

  /** Delay until the next timer fires, or undefined when none is pending. */
  nextDueIn(): number | undefined {
    let due: number | undefined;
    for (const timer of this.#timers) if (due === undefined || timer.due < due) due = timer.due;
    return due === undefined ? undefined : due - this.#now;
  }

  /** Moves time forward by `ms`, firing due timers in order (and settling promises between them). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await settle();
      let next: VirtualTimer | undefined;
      for (const timer of this.#timers) if (timer.due <= target && (!next || timer.due < next.due)) next = timer;
      if (!next) break;
      this.#now = next.due;
      if (next.period > 0) next.due += next.period;
      else this.clear(next.id);
      next.callback();
    }
    this.#now = target;
    await settle();
  }

  #add(callback: () => void, ms: number, period: number): TimerId {
    const id = this.#nextId++;
    this.#timers.push({ id, due: this.#now + (ms > 0 ? ms : 0), period, callback });
    return id;
  }
}

/** Lets pending promise reactions run (XS and Node both drain the job queue between awaits). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/** A deterministic Random: a seeded xorshift, so jitter is reproducible. */
export class SeededRandom implements Random {
  #state: number;
  constructor(seed = 0x9e3779b9) {
    this.#state = seed >>> 0 || 1;
  }
  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      let x = this.#state;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#state = x >>> 0;
      bytes[i] = this.#state & 0xff;
    }
  }
}

export class MemoryLog implements Log {
  readonly lines: string[] = [];
  write(level: LogLevel, message: string): void {
    if (this.lines.length < 1000) this.lines.push(`${level}: ${message}`);
  }
  has(fragment: string): boolean {
    return this.lines.some((line) => line.includes(fragment));
  }
}

/** The far end of a virtual connection, driven by the test. */
export interface VirtualPeer {
  /** Bytes the client wrote. */
  received(bytes: Uint8Array): void;
  /** The client closed the connection. */
  closed(): void;
}

/**
 * The client's end of a virtual connection. Like the Moddable lwIP socket it has a send window: it
 * reports `onWritable(window)` when connected, throws "would block" when given more than the space
 * left, and reports the whole window again once the peer has taken the bytes (a microtask later, as a
 * real socket reports after its buffer drained), unless the test paused draining.
 */
export class VirtualConnection implements Socket {
  readonly options: TcpOptions | TlsOptions;
  readonly secure: boolean;
  /** The send window: the most bytes the socket takes before it must drain. */
  readonly window: number;
  /** The length of every `write` the client made, in order. */
  readonly writeSizes: number[] = [];
  readonly #handlers: SocketHandlers;
  readonly #peer: VirtualPeer;
  #inbound: Uint8Array[] = [];
  #open = true;
  /** Bytes written since the window was last reported. */
  #unsent = 0;
  #paused = false;
  #drainScheduled = false;

  constructor(options: TcpOptions | TlsOptions, secure: boolean, handlers: SocketHandlers, peer: VirtualPeer, window = 65536) {
    this.options = options;
    this.secure = secure;
    this.window = window;
    this.#handlers = handlers;
    this.#peer = peer;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  // --- the client's side (Socket port)
  read(into: Uint8Array): number {
    const copied = readChunks(this.#inbound, into);
    return copied;
  }

  write(bytes: Uint8Array): void {
    if (!this.#open) throw new Error("write on a closed virtual socket");
    // What lwIP's xs_tcp_write does when given more than tcp_sndbuf().
    if (bytes.length > this.window - this.#unsent) throw new Error("would block");
    this.#unsent += bytes.length;
    this.writeSizes.push(bytes.length);
    this.#peer.received(bytes.slice());
    this.#scheduleDrain();
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#peer.closed();
  }

  // --- the test's side
  accept(): void {
    if (this.#open) this.#handlers.onWritable(this.window - this.#unsent);
  }

  /** Stops reporting space: written bytes stay "in the buffer" until `resumeDraining`. */
  pauseDraining(): void {
    this.#paused = true;
  }

  /** The buffer drains: the whole window is free again and reported. */
  resumeDraining(): void {
    this.#paused = false;
    this.#scheduleDrain();
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled || this.#paused) return;
    this.#drainScheduled = true;
    void Promise.resolve().then(() => {
      this.#drainScheduled = false;
      if (this.#paused || !this.#open || this.#unsent === 0) return;
      this.#unsent = 0;
      this.#handlers.onWritable(this.window);
    });
  }

  /** Delivers bytes to the client, optionally in slices of `sliceBytes`. */
  deliver(bytes: Uint8Array, sliceBytes = bytes.length): void {
    for (let offset = 0; offset < bytes.length && this.#open; offset += sliceBytes) {
      this.#inbound.push(bytes.slice(offset, offset + sliceBytes));
      this.#handlers.onReadable(bytes.length - offset);
    }
  }

  /** Breaks the connection from the far side (or the host's TLS/DNS layer, by `cause`). */
  fail(reason: string, cause: SocketErrorCause = "network"): void {
    if (!this.#open) return;
    this.#open = false;
    this.#handlers.onError(reason, cause);
  }
}

export class VirtualNetwork implements Network {
  readonly connections: VirtualConnection[] = [];
  /** Send window of the connections made from now on (see VirtualConnection). */
  writableBytes = 65536;
  /** Called for every new connection; the test decides when to accept or fail it. */
  onConnection: (connection: VirtualConnection) => VirtualPeer = () => ({ received() {}, closed() {} });

  connectTcp(options: TcpOptions, handlers: SocketHandlers): Socket {
    return this.#connect(options, false, handlers);
  }

  connectTls(options: TlsOptions, handlers: SocketHandlers): Socket {
    return this.#connect(options, true, handlers);
  }

  #connect(options: TcpOptions | TlsOptions, secure: boolean, handlers: SocketHandlers): Socket {
    let peer: VirtualPeer = { received() {}, closed() {} };
    const connection = new VirtualConnection(options, secure, handlers, {
      received: (bytes) => peer.received(bytes),
      closed: () => peer.closed(),
    }, this.writableBytes);
    this.connections.push(connection);
    peer = this.onConnection(connection);
    return connection;
  }
}

export interface VirtualHost extends Host {
  timers: VirtualTimers;
  clock: VirtualTimers;
  network: VirtualNetwork;
  log: MemoryLog;
}

export function createVirtualHost(seed?: number): VirtualHost {
  const timers = new VirtualTimers();
  return { timers, clock: timers, network: new VirtualNetwork(), random: new SeededRandom(seed), log: new MemoryLog() };
}
