// The TCP socket under the SDK's TLS socket (its `TCP.io` option), and what the TLS binding needs to
// tell TLS failures apart. See network.ts for the whole picture.

import TCP from "embedded:io/socket/tcp";
import Timer from "timer";
import type { SocketErrorCause } from "../../src/ports.js";
import { errorMessage } from "../../src/util/errors.js";

/** The SDK socket as the bindings use it (TCP and TLS alike). */
export interface SdkSocket {
  read(into: Uint8Array): unknown;
  write(bytes: Uint8Array): unknown;
  close(): unknown;
}

export interface SdkCallbacks {
  onReadable(count: number): void;
  onWritable(count: number): void;
  onError(): void;
}

export type SdkSocketClass = new (options: Record<string, unknown>) => SdkSocket;

/** The connection a transport belongs to (network.ts's socket). */
export interface TransportOwner {
  /** Connected (TLS: handshake done) and not closed. */
  readonly isOpen: boolean;
  /** Ends the connection and reports `reason` and `cause` once. */
  fail(reason: string, cause: SocketErrorCause): void;
  /** The same from a 0 ms timer. */
  failSoon(reason: string, cause: SocketErrorCause): void;
}

export const TcpSocket = TCP as unknown as SdkSocketClass;

export const WRITE_FAILED = "connection lost (write failed)";

/** TLS alert descriptions (RFC 5246 §7.2) a broker sends when it refuses us. */
const ALERTS: Readonly<Record<string, string>> = Object.freeze({
  "40": "handshake failure",
  "42": "bad certificate",
  "43": "unsupported certificate",
  "44": "certificate revoked",
  "45": "certificate expired",
  "46": "certificate unknown",
  "48": "unknown ca",
  "49": "access denied",
  "70": "protocol version",
  "80": "internal error",
  "116": "certificate required",
});

/** "alert: 2, 48" → "alert: 2, 48 (unknown ca)"; "certificate: auth err" gets what it means. */
export function describeTlsError(error: unknown): string {
  const message = errorMessage(error);
  if (message.startsWith("alert: ")) {
    const description = message.slice(message.lastIndexOf(" ") + 1);
    const name = ALERTS[description];
    return name ? `${message} (${name})` : message;
  }
  if (message === "certificate: auth err") return "certificate: auth err (the server certificate is not signed by our CA or does not name the host)";
  return message;
}

/** Bytes the TLS transport may hold beyond what TCP takes: a handshake flight or one full TLS record. */
const MAX_QUEUED_BYTES = 20 * 1024;

function bytesOf(data: ArrayBufferLike | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/**
 * The TCP socket under the TLS socket (its `TCP.io` option). Two things the SDK's TLS socket needs and
 * does not do itself:
 * - It writes a whole handshake flight at once (with a client certificate: Certificate, key exchange,
 *   CertificateVerify, Finished: ~2 KB for RSA 2048), and each TLS record costs more bytes than it
 *   carries. The simulator's TCP socket takes 1536 bytes per turn and throws "would block" past them.
 *   So what TCP cannot take yet waits here (bounded) and goes out on TCP's next onWritable; the TLS
 *   socket hears onWritable only when nothing waits.
 * - What the TLS stack throws inside the TCP callbacks (a certificate it does not trust, an alert) is
 *   caught and becomes this connection's failure, instead of escaping into native code.
 */
export class TlsTransport {
  /** Set and read by the TLS socket (expando properties on a plain SDK socket). */
  writable = 0;
  /** True while the TLS socket's `read` runs (see ModdableSocket.read). */
  hideReadable = false;
  #readable = 0;
  #readTimer: Timer | undefined;
  readonly #tcp: SdkSocket;
  readonly #socket: TransportOwner;
  readonly #upper: Partial<SdkCallbacks>;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  /** What TCP takes now: its last onWritable count minus what was written since. */
  #tcpWritable = 0;

  constructor(options: Record<string, unknown>, socket: TransportOwner) {
    this.#socket = socket;
    this.#upper = options as unknown as Partial<SdkCallbacks>;
    this.#tcp = new TcpSocket({
      ...options,
      onReadable: (count: number) => this.#guard(() => this.#upper.onReadable?.(count)),
      onWritable: (count: number) => this.#guard(() => this.#onTcpWritable(count)),
      onError: () => this.#guard(() => this.#upper.onError?.()),
    });
  }

  /** Raw TCP bytes waiting: set by the TLS socket on onReadable, lowered by its session as it reads. */
  get readable(): number {
    return this.hideReadable ? 0 : this.#readable;
  }

  set readable(count: number) {
    this.#readable = count;
  }

  read(into: Uint8Array): unknown {
    return this.#tcp.read(into);
  }

  /** What the TLS socket's own read timer did: hand waiting TCP bytes to it again, here under the guard. */
  readSoon(): void {
    if (this.#readTimer || this.#readable <= 0) return;
    this.#readTimer = Timer.set(() => {
      this.#readTimer = undefined;
      if (this.#readable > 0) this.#guard(() => this.#upper.onReadable?.(this.#readable));
    }, 0);
  }

  /** Returns what can still be written (as the SDK's sockets do; the TLS session keeps it in `writable`). */
  write(data: ArrayBufferLike | ArrayBufferView): number {
    let bytes = bytesOf(data);
    if (this.#queued === 0) {
      // What TCP takes goes now: the simulator's TCP reports onWritable again only after a write.
      const take = Math.min(bytes.length, this.#tcpWritable);
      if (take > 0) this.#send(take === bytes.length ? bytes : bytes.subarray(0, take));
      if (take === bytes.length) return this.#tcpWritable;
      bytes = bytes.subarray(take);
    }
    if (this.#queued + bytes.length > MAX_QUEUED_BYTES) throw new Error("would block");
    // The TLS session builds a new buffer per record and never touches it again: no copy needed.
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    return 0;
  }

  close(): void {
    if (this.#readTimer) Timer.clear(this.#readTimer);
    this.#readTimer = undefined;
    this.#queue.length = 0;
    this.#queued = 0;
    this.#tcp.close();
  }

  #onTcpWritable(count: number): void {
    this.#tcpWritable = count;
    while (this.#queue.length > 0 && this.#tcpWritable > 0) {
      const head = this.#queue[0]!;
      const take = Math.min(head.length, this.#tcpWritable);
      this.#send(take === head.length ? head : head.subarray(0, take));
      this.#queued -= take;
      if (take === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(take);
    }
    if (this.#queue.length === 0 && this.#tcpWritable > 0) this.#upper.onWritable?.(this.#tcpWritable);
  }

  /**
   * Writes to TCP. A failed system call (the peer closed: EPIPE) makes the SDK's write return nothing,
   * and the simulator's socket then stops calling back at all, so the failure is reported from here
   * (from a timer: the TLS session is in the middle of its work).
   */
  #send(bytes: Uint8Array): void {
    if (this.#tcp.write(bytes) === undefined) {
      if (this.#socket.isOpen) this.#socket.failSoon(WRITE_FAILED, "network");
      else this.#socket.failSoon(`handshake failed: ${WRITE_FAILED}`, "tls");
    }
    this.#tcpWritable -= bytes.length;
  }

  #guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#socket.fail(describeTlsError(error), "tls");
    }
  }
}

/** The TLS socket's `TCP.io`: a constructor whose `new` yields a TlsTransport for `socket`. */
export function tlsTransportClass(socket: TransportOwner & { transport: TlsTransport | undefined }): SdkSocketClass {
  return function TlsTransportFactory(options: Record<string, unknown>): SdkSocket {
    const transport = new TlsTransport(options, socket);
    socket.transport = transport;
    return transport;
  } as unknown as SdkSocketClass;
}
