// Writing to an ECMA-419 socket without overrunning it. A socket reports with `onWritable(count)` how
// many bytes it can take now; the Moddable lwIP socket throws "would block" when given more. The writer
// keeps that count (less what it has written since), never writes past it, and keeps the rest in a
// fixed-size byte ring that drains on the next `onWritable`. Used by the MQTT and HTTP clients alike.
//
// Memory: one ring of `capacity` bytes, allocated once (or the owner's own buffer, see the constructor);
// nothing per write.

import type { Socket } from "../ports.js";
import { errorMessage } from "./errors.js";

/**
 * queue_full: the bytes fit neither in the socket's space nor in what is left of the queue (nothing of
 * them was sent or queued); closed: no connection to write to; socket: the socket itself threw.
 */
export type SocketWriteErrorKind = "queue_full" | "closed" | "socket";

export class SocketWriteError extends Error {
  // A field, not `this.name = ...`: Error.prototype is frozen in a Moddable app.
  override readonly name = "SocketWriteError";
  readonly kind: SocketWriteErrorKind;

  constructor(kind: SocketWriteErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export class SocketWriter {
  readonly #ring: Uint8Array;
  #socket: Socket | undefined;
  /** Bytes the socket can take now: its last `onWritable` count less what was written since. */
  #writable = 0;
  #head = 0;
  #queued = 0;
  #draining = false;

  /**
   * `capacity`: the most bytes that may wait for the socket (the owner's largest packet, plus room).
   * Or `storage`: a buffer of the owner's to use as the queue, so nothing is allocated twice — for an
   * owner that writes one message from that same buffer (the HTTP client's request head). Queued bytes
   * overwrite it, so the owner must not write into it again while `queued` is not 0 (or until the next
   * `attach`).
   */
  constructor(capacityOrStorage: number | Uint8Array) {
    this.#ring = typeof capacityOrStorage === "number" ? new Uint8Array(capacityOrStorage) : capacityOrStorage;
  }

  get capacity(): number {
    return this.#ring.length;
  }

  /** Bytes waiting in the queue. */
  get queued(): number {
    return this.#queued;
  }

  /** Bytes the socket can take now, as far as the writer knows. */
  get writable(): number {
    return this.#writable;
  }

  /** A new connection: nothing may be written until its first `onWritable`; the old queue is dropped. */
  attach(socket: Socket): void {
    this.#socket = socket;
    this.#writable = 0;
    this.#head = 0;
    this.#queued = 0;
  }

  /** The connection is over: queued bytes are dropped and later writes fail as "closed". */
  detach(): void {
    this.#socket = undefined;
    this.#writable = 0;
    this.#head = 0;
    this.#queued = 0;
  }

  /**
   * The socket's `onWritable(count)`: it can take `count` bytes now (a level, not an increment).
   * Sends what is queued, as far as that goes. Throws SocketWriteError ("socket") when the socket throws.
   */
  onWritable(count: number): void {
    this.#writable = count > 0 ? count : 0;
    this.#drain();
  }

  /** Whether `length` bytes would be taken now (sent or queued) rather than refused as queue_full. */
  fits(length: number): boolean {
    const direct = this.#queued === 0 ? Math.min(this.#writable, length) : 0;
    return length - direct <= this.#ring.length - this.#queued;
  }

  /**
   * Sends `bytes` as far as the socket has room and copies the rest into the queue, behind anything
   * already queued. `bytes` may be reused once this returns. All or nothing: a SocketWriteError
   * ("queue_full") means none of `bytes` was sent or queued; "closed" without a connection; "socket"
   * when the socket threw (the connection should be treated as broken).
   */
  write(bytes: Uint8Array): void {
    const socket = this.#socket;
    if (!socket) throw new SocketWriteError("closed", "not connected");
    const length = bytes.length;
    if (length === 0) return;
    if (!this.fits(length)) {
      throw new SocketWriteError(
        "queue_full",
        `write queue full: ${this.#queued} of ${this.#ring.length} bytes waiting, ${length} more do not fit (the socket can take ${this.#writable})`,
      );
    }
    // What the socket cannot take now is queued before the rest is written, so that a write made from
    // inside the socket's write (a peer answering at once) goes behind it.
    const direct = this.#queued === 0 ? Math.min(this.#writable, length) : 0;
    if (direct < length) this.#enqueue(bytes, direct);
    if (direct > 0) {
      const outer = this.#draining;
      this.#draining = true;
      try {
        this.#send(socket, direct === length ? bytes : bytes.subarray(0, direct));
      } finally {
        this.#draining = outer;
      }
      if (this.#socket !== socket) return; // the owner detached from inside the socket's write
    }
    // Room reported from inside the socket's write is used at once.
    if (this.#queued > 0 && this.#writable > 0) this.#drain();
  }

  #enqueue(bytes: Uint8Array, from: number): void {
    const ring = this.#ring;
    const offset = bytes.byteOffset - ring.byteOffset;
    if (this.#queued === 0 && bytes.buffer === ring.buffer && offset >= 0 && offset + bytes.length <= ring.length) {
      // The bytes are already in the queue's storage (the owner's buffer): they wait where they are.
      // Moving them would overwrite the part about to be sent directly.
      this.#head = offset + from;
      this.#queued = bytes.length - from;
      return;
    }
    let tail = this.#head + this.#queued;
    if (tail >= ring.length) tail -= ring.length;
    const length = bytes.length - from;
    const first = Math.min(length, ring.length - tail);
    ring.set(bytes.subarray(from, from + first), tail);
    if (first < length) ring.set(bytes.subarray(from + first), 0);
    this.#queued += length;
  }

  /**
   * Sends queued bytes while the socket has room. A peer may answer from inside a write (a virtual
   * socket does), so writes and room reports can arrive nested: only the outermost call loops, and it
   * reads the queue's state afresh on every turn.
   */
  #drain(): void {
    if (this.#draining) return;
    const ring = this.#ring;
    this.#draining = true;
    try {
      while (this.#queued > 0 && this.#writable > 0 && this.#socket) {
        // One contiguous piece of the ring at a time: at most two writes per wrap.
        const take = Math.min(this.#queued, this.#writable, ring.length - this.#head);
        const socket = this.#socket;
        const head = this.#head;
        this.#head = head + take === ring.length ? 0 : head + take;
        this.#queued -= take;
        this.#send(socket, ring.subarray(head, head + take));
      }
    } finally {
      this.#draining = false;
    }
  }

  /** The count goes down before the socket sees the bytes, so a report from inside write is kept. */
  #send(socket: Socket, bytes: Uint8Array): void {
    this.#writable -= bytes.length;
    try {
      socket.write(bytes);
    } catch (error) {
      throw new SocketWriteError("socket", `write failed: ${errorMessage(error)}`);
    }
  }
}
