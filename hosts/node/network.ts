// The Network port on Node: node:net and node:tls behind the ECMA-419-shaped Socket interface.

import { connect as connectPlainTcp, type Socket as NodeSocket } from "node:net";
import { connect as connectNodeTls } from "node:tls";
import type { Network, Socket, SocketErrorCause, SocketHandlers, TcpOptions, TlsOptions } from "../../src/ports.js";
import { readChunks } from "../../src/util/chunk-queue.js";

/** Bytes Node may buffer for us before we stop reading from the kernel (backpressure). */
const RECEIVE_HIGH_WATER = 64 * 1024;
/** The send window reported by default. Node buffers whatever it is given, so the default never throws. */
const WRITABLE_REPORT = 64 * 1024;

export interface NodeNetworkOptions {
  /**
   * Behave like the Moddable lwIP socket with a send buffer of this many bytes (for tests): report it
   * in onWritable, throw "would block" when written past the room left, and report room again only
   * once Node has handed the written bytes to the kernel (the write's callback).
   */
  writableBytes?: number;
}

class NodeStreamSocket implements Socket {
  readonly #stream: NodeSocket;
  readonly #handlers: SocketHandlers;
  readonly #received: Buffer[] = [];
  /** The send window; in strict mode writes past it throw, as on lwIP. */
  readonly #window: number;
  readonly #strict: boolean;
  #receivedBytes = 0;
  /** Bytes given to Node whose write callback has not come yet. */
  #unflushed = 0;
  #reportScheduled = false;
  #closed = false;
  /** TLS only, until the handshake is done: a failure now is the TLS layer's. */
  #handshaking: boolean;

  constructor(stream: NodeSocket, handlers: SocketHandlers, connectEvent: "connect" | "secureConnect", options: NodeNetworkOptions) {
    this.#stream = stream;
    this.#handlers = handlers;
    this.#window = options.writableBytes ?? WRITABLE_REPORT;
    this.#strict = options.writableBytes !== undefined;
    this.#handshaking = connectEvent === "secureConnect";
    stream.once(connectEvent, () => {
      this.#handshaking = false;
      if (!this.#closed) this.#handlers.onWritable(this.#window - this.#unflushed);
    });
    stream.on("data", (data: Buffer) => {
      if (this.#closed) return;
      this.#received.push(data);
      this.#receivedBytes += data.length;
      if (this.#receivedBytes > RECEIVE_HIGH_WATER) stream.pause();
      this.#handlers.onReadable(this.#receivedBytes);
    });
    stream.on("error", (error: NodeJS.ErrnoException) => this.#report(describeError(error), this.#causeOf(error)));
    stream.on("close", () => this.#closedByPeer());
    stream.on("end", () => this.#closedByPeer());
  }

  read(into: Uint8Array): number {
    const copied = readChunks(this.#received, into);
    this.#receivedBytes -= copied;
    if (this.#receivedBytes <= RECEIVE_HIGH_WATER && this.#stream.isPaused()) this.#stream.resume();
    return copied;
  }

  write(bytes: Uint8Array): void {
    if (this.#closed) throw new Error("socket is closed");
    const length = bytes.length;
    if (this.#strict && length > this.#window - this.#unflushed) throw new Error("would block");
    this.#unflushed += length;
    // Node keeps a reference to what it is given; the caller may reuse `bytes`, so copy.
    this.#stream.write(Buffer.from(bytes), () => {
      this.#unflushed -= length;
      this.#scheduleReport();
    });
  }

  /** Room is reported once per turn of the event loop, never from inside write (as on lwIP). */
  #scheduleReport(): void {
    if (this.#reportScheduled) return;
    this.#reportScheduled = true;
    setImmediate(() => {
      this.#reportScheduled = false;
      const room = this.#window - this.#unflushed;
      if (!this.#closed && room > 0) this.#handlers.onWritable(room);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream.destroy();
  }

  #closedByPeer(): void {
    if (this.#handshaking) this.#report("connection closed by peer during the TLS handshake", "tls");
    else this.#report("connection closed by peer", "network");
  }

  /**
   * From Node's typed fields, not its text: a system call that failed on the name lookup is DNS; an
   * OpenSSL error (ERR_SSL_*, ERR_TLS_*) is TLS, and so is any error of a TLS socket during its
   * handshake that is not a system call's (certificate checks: UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...).
   */
  #causeOf(error: NodeJS.ErrnoException): SocketErrorCause {
    if (error.syscall === "getaddrinfo") return "dns";
    const code = error.code ?? "";
    if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return "tls";
    if (this.#handshaking && error.syscall === undefined) return "tls";
    return "network";
  }

  #report(reason: string, cause: SocketErrorCause): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream.destroy();
    this.#handlers.onError(reason, cause);
  }
}

/** "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: ... alert certificate required" — code first, it is what tells TLS apart. */
function describeError(error: NodeJS.ErrnoException): string {
  const code = error.code ? `${error.code}: ` : "";
  return `${code}${error.message}`;
}

export class NodeNetwork implements Network {
  readonly #options: NodeNetworkOptions;

  constructor(options: NodeNetworkOptions = {}) {
    this.#options = options;
  }

  connectTcp(options: TcpOptions, handlers: SocketHandlers): Socket {
    const stream = connectPlainTcp({ host: options.host, port: options.port });
    stream.setNoDelay(true);
    return new NodeStreamSocket(stream, handlers, "connect", this.#options);
  }

  connectTls(options: TlsOptions, handlers: SocketHandlers): Socket {
    const stream = connectNodeTls({
      host: options.host,
      port: options.port,
      servername: isIpAddress(options.serverName ?? options.host) ? undefined : (options.serverName ?? options.host),
      ca: options.ca,
      cert: options.certificate,
      key: options.key,
      minVersion: "TLSv1.2",
      rejectUnauthorized: true,
    });
    stream.setNoDelay(true);
    return new NodeStreamSocket(stream, handlers, "secureConnect", this.#options);
  }
}

function isIpAddress(name: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.includes(":");
}
