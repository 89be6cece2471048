// The Network port on the Moddable SDK: ECMA-419 TCP (`embedded:io/socket/tcp`: BSD sockets in the
// simulator, lwIP on the ESP32), Moddable's TLS 1.2 client (`embedded:io/socket/tcp/tls`, from
// $(MODDABLE)/examples/io/tcp/tlssocket) and its UDP DNS resolver (examples/io/udp/dns).
//
// What the SDK does that shapes this file (read in SDK 8.2.3 and checked in the simulator):
// - A socket takes a dotted IPv4 `address`, never a name: names go through the DNS resolver first.
// - SDK callbacks get no error text; `onError()` has no argument. The reason we report says which phase
//   failed, and its cause which layer: "tls" for the handshake, certificates, alerts and records, "dns"
//   for names, "network" for the rest (the port's SocketErrorCause; the MQTT client files "tls" as such).
// - The TLS stack throws its errors (a certificate it does not trust, an alert from the server) out of
//   the TCP callbacks it installed. An exception that escapes a native callback aborts the whole VM, so
//   the TLS socket is given a TCP class (TlsTransport) whose callbacks catch, and the catch becomes
//   `onError`. The TLS socket also decrypts from a Timer of its own (the next record, once the reader
//   drained one and TCP holds more); the binding keeps that timer from being set and does the same
//   work from a guarded one (ModdableSocket.read, TlsTransport.readSoon).
// - The TLS socket writes a whole handshake flight at once, more than the simulator's TCP takes in one
//   turn: TlsTransport holds the rest until TCP is writable again (see there).
// - `read(buffer)` on the TCP socket fills the whole buffer and throws "invalid" when fewer bytes wait,
//   so `read` asks for at most the count reported by `onReadable` minus what was taken since.
// - `write` throws "would block" past the count of the last `onWritable`. The count is passed through
//   unchanged; the TLS socket reports its TCP count minus 96 bytes (its record overhead estimate). Each
//   TLS write costs up to ~70 bytes more than it carries; TlsTransport absorbs that (bounded), so
//   writes that add up to the reported count never throw.
// - `tlsFragmentBytes` (the memory class's figure) asks every TLS server for records of at most that
//   many bytes (max_fragment_length, RFC 6066; the SDK's option `tls_max_fragment_length`): the TLS
//   socket holds a whole record and its decrypted copy, 2 × 16 KiB by default. A server that honours it
//   (OpenSSL-based ones do: Mosquitto, Node, nginx) also refuses records above it from us, so writes
//   are cut to that size. A server that ignores it sends 16 KiB records as before.
// - Exceptions thrown by the port's handlers are caught too (they would abort the VM): the connection is
//   closed and reported as failed.

import TLSSocket from "embedded:io/socket/tcp/tls";
import UDP from "embedded:io/socket/udp";
import Resolver from "embedded:network/dns/resolver/udp";
import Timer from "timer";
import type { Network, Socket, SocketErrorCause, SocketHandlers, TcpOptions, TlsOptions } from "../../src/ports.js";
import { errorMessage } from "../../src/util/errors.js";
import { isIpv4 } from "./address.js";
import { PemCache } from "./pem.js";
import { describeTlsError, TcpSocket, tlsTransportClass, WRITE_FAILED, type SdkCallbacks, type SdkSocket, type SdkSocketClass, type TlsTransport } from "./tls-transport.js";

type SdkResolver = {
  resolve(options: { host: string; onResolved: (host: string, address: string) => void; onError: (host: string) => void }): void;
  close(): void;
};

const TlsSocket = TLSSocket as unknown as SdkSocketClass;

type Phase = "resolving" | "connecting" | "open" | "closed";

class ModdableSocket implements Socket {
  readonly #handlers: SocketHandlers;
  /** "tcp" or "tls": which layer a failure while connecting belongs to. */
  readonly #layer: "tcp" | "tls";
  #phase: Phase = "resolving";
  #sdk: SdkSocket | undefined;
  /** Bytes the SDK socket has for us: the last onReadable count minus what was read since. */
  #readable = 0;
  /** TLS only: the largest record payload a write may carry (0: no limit). */
  fragmentBytes = 0;
  /** TLS only: the TCP socket under the TLS socket. */
  transport: TlsTransport | undefined;
  #pendingError: Timer | undefined;

  constructor(layer: "tcp" | "tls", handlers: SocketHandlers) {
    this.#layer = layer;
    this.#handlers = handlers;
  }

  /** The SDK callbacks: dropped once closed, and never throwing into the native caller. */
  readonly callbacks: SdkCallbacks = {
    onWritable: (count) => {
      if (this.#phase === "closed") return;
      this.#phase = "open";
      this.#guard(() => this.#handlers.onWritable(count));
    },
    onReadable: (count) => {
      if (this.#phase === "closed") return;
      this.#readable = count;
      this.#guard(() => this.#handlers.onReadable(count));
    },
    onError: () => {
      if (this.#phase === "open") this.fail("connection closed", "network");
      else if (this.#layer === "tls") this.fail("handshake failed: connection closed", "tls");
      else this.fail("connection failed", "network");
    },
  };

  /** Connected (TLS: handshake done) and not closed. */
  get isOpen(): boolean {
    return this.#phase === "open";
  }

  /** Attaches the SDK socket once the address is known. */
  attach(sdk: SdkSocket): void {
    if (this.#phase === "closed") {
      sdk.close();
      return;
    }
    this.#sdk = sdk;
    this.#phase = "connecting";
  }

  read(into: Uint8Array): number {
    const sdk = this.#sdk;
    const count = Math.min(into.length, this.#readable);
    if (!sdk || this.#phase === "closed" || count <= 0) return 0;
    const transport = this.transport;
    if (!transport) {
      sdk.read(count === into.length ? into : into.subarray(0, count));
      this.#readable -= count;
      return count;
    }
    // The TLS socket, once its decrypted record is drained and TCP holds more, decrypts the next record
    // from a Timer of its own, where a TLS error would escape into native code and abort the VM. So it
    // is shown no waiting bytes during the read, and the transport does the same from a guarded timer.
    transport.hideReadable = true;
    try {
      sdk.read(count === into.length ? into : into.subarray(0, count));
    } finally {
      transport.hideReadable = false;
    }
    this.#readable -= count;
    if (this.#readable === 0) transport.readSoon();
    return count;
  }

  write(bytes: Uint8Array): void {
    const sdk = this.#sdk;
    if (!sdk || this.#phase !== "open") throw new Error(`${this.#layer} socket not connected`);
    // The SDK's TCP write returns what can still be written, or nothing when the system call failed;
    // the simulator's socket then goes silent instead of calling onError. (TLS: see TlsTransport.)
    const limit = this.fragmentBytes;
    if (limit > 0 && bytes.length > limit) {
      for (let offset = 0; offset < bytes.length; offset += limit) sdk.write(bytes.subarray(offset, Math.min(bytes.length, offset + limit)));
      return;
    }
    if (sdk.write(bytes) === undefined && this.#layer === "tcp") this.failSoon(WRITE_FAILED, "network");
  }

  close(): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.#release();
  }

  /** Ends the connection and reports `reason` and its `cause` once. */
  fail(reason: string, cause: SocketErrorCause): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.#release();
    try {
      this.#handlers.onError(reason, cause);
    } catch {
      // The handler of a failure failed too: there is no one left to tell, and throwing would abort the VM.
    }
  }

  /** Reports `reason` from a timer: errors found inside connect… or write arrive after they return. */
  failSoon(reason: string, cause: SocketErrorCause): void {
    if (this.#phase === "closed" || this.#pendingError) return;
    this.#pendingError = Timer.set(() => {
      this.#pendingError = undefined;
      this.fail(reason, cause);
    }, 0);
  }

  #guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.fail(`socket handler threw: ${errorMessage(error)}`, "network");
    }
  }

  #release(): void {
    if (this.#pendingError) {
      Timer.clear(this.#pendingError);
      this.#pendingError = undefined;
    }
    const sdk = this.#sdk;
    this.#sdk = undefined;
    this.#readable = 0;
    if (!sdk) return;
    try {
      sdk.close();
    } catch {
      // A socket that broke may refuse to close; it is gone either way.
    }
  }
}

export interface ModdableNetworkOptions {
  /** DNS servers (dotted IPv4) for names other than "localhost" and dotted addresses. */
  dnsServers: readonly string[];
  /** TLS record size asked of servers (max_fragment_length: 512, 1024, 2048 or 4096); 0 or absent: 16 KiB. */
  tlsFragmentBytes?: number;
}

export class ModdableNetwork implements Network {
  readonly #dnsServers: readonly string[];
  readonly #pem = new PemCache();
  readonly #fragmentBytes: number;
  #resolver: SdkResolver | undefined;

  constructor(options: ModdableNetworkOptions) {
    this.#dnsServers = options.dnsServers;
    this.#fragmentBytes = options.tlsFragmentBytes ?? 0;
    if (this.#fragmentBytes !== 0 && ![512, 1024, 2048, 4096].includes(this.#fragmentBytes)) throw new RangeError(`TLS fragment ${this.#fragmentBytes}: 512, 1024, 2048 or 4096`);
  }

  connectTcp(options: TcpOptions, handlers: SocketHandlers): Socket {
    const socket = new ModdableSocket("tcp", handlers);
    this.#resolve(options.host, socket, (address) => {
      socket.attach(new TcpSocket({ address, port: options.port, nodelay: true, ...socket.callbacks }));
    }, "network");
    return socket;
  }

  connectTls(options: TlsOptions, handlers: SocketHandlers): Socket {
    const socket = new ModdableSocket("tls", handlers);
    let secure: Record<string, unknown>;
    try {
      secure = { certificate: this.#pem.toDer(options.ca) };
      if (this.#fragmentBytes) {
        secure.tls_max_fragment_length = this.#fragmentBytes;
        socket.fragmentBytes = this.#fragmentBytes;
      }
      if (options.certificate) secure.clientCertificates = [this.#pem.toDer(options.certificate)];
      if (options.key) secure.clientKey = this.#pem.toDer(options.key);
    } catch (error) {
      socket.failSoon(`bad PEM credentials: ${errorMessage(error)}`, "tls");
      return socket;
    }
    this.#resolve(options.host, socket, (address) => {
      socket.attach(
        new TlsSocket({
          address,
          port: options.port,
          nodelay: true,
          // The server name: sent as SNI and checked against the certificate's subjectAltName.
          host: options.serverName ?? options.host,
          secure,
          TCP: { io: tlsTransportClass(socket) },
          ...socket.callbacks,
        }),
      );
    }, "tls");
    return socket;
  }

  /** Calls `open` with the dotted address of `host`: at once for an address, else after a DNS answer. */
  #resolve(host: string, socket: ModdableSocket, open: (address: string) => void, layer: SocketErrorCause): void {
    const start = (address: string): void => {
      try {
        open(address);
      } catch (error) {
        // The SDK constructors throw for a bad address or port, and the TLS session for a CA
        // certificate outside its validity dates.
        socket.failSoon(describeTlsError(error), layer);
      }
    };
    if (host === "localhost") return start("127.0.0.1");
    if (isIpv4(host)) return start(host);
    try {
      this.#resolver ??= new (Resolver as unknown as new (options: Record<string, unknown>) => SdkResolver)({
        socket: { io: UDP },
        servers: this.#dnsServers,
      });
      this.#resolver.resolve({
        host,
        onResolved: (_name, address) => start(address),
        onError: () => socket.fail(`cannot resolve ${host}`, "dns"),
      });
    } catch (error) {
      socket.failSoon(`cannot resolve ${host}: ${errorMessage(error)}`, "dns");
    }
  }
}
