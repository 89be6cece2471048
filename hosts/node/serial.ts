// The Serial port on Node: the virtual device's "UART" is a TCP server socket, so the provisioning CLI
// (`tools/provision --tcp host:port`) and the tests drive it as they would a board's USB serial line.
// One client at a time, like a cable: a second connection is told so and closed. With no client
// connected, the line is open and what the device writes is lost, as on a UART nobody listens to.
//
// Like the Moddable serial binding it reports a bounded send window (`onWritable`), throws
// "would overflow" when written past it, and reports room again once Node has flushed the bytes.

import { createServer, type Server, type Socket as NodeSocket } from "node:net";
import type { Serial, SerialHandlers, Socket } from "../../src/ports.js";
import { readChunks } from "../../src/util/chunk-queue.js";

/** The Linux SDK serial refuses more than this many pending bytes. */
const DEFAULT_WINDOW = 1024;

export interface TcpSerialOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  window?: number;
}

export class TcpSerial implements Serial {
  readonly #server: Server;
  readonly #host: string;
  readonly #requestedPort: number;
  readonly #window: number;
  #client: NodeSocket | undefined;
  #stream: TcpSerialStream | undefined;
  #port = 0;
  /** Clients turned away because another was connected. */
  refused = 0;
  connections = 0;

  constructor(options: TcpSerialOptions = {}) {
    this.#host = options.host ?? "127.0.0.1";
    this.#requestedPort = options.port ?? 0;
    this.#window = options.window ?? DEFAULT_WINDOW;
    this.#server = createServer((socket) => this.#connected(socket));
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#requestedPort, this.#host, () => {
        this.#server.off("error", reject);
        const address = this.#server.address();
        this.#port = typeof address === "object" && address ? address.port : 0;
        resolve(this.#port);
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  get address(): string {
    return `${this.#host}:${this.#port}`;
  }

  open(handlers: SerialHandlers): Socket {
    if (this.#stream?.isOpen) throw new Error("serial: already open");
    const stream = new TcpSerialStream(handlers, this.#window, () => this.#client);
    this.#stream = stream;
    return stream;
  }

  /** Stops listening and drops the client. */
  close(): Promise<void> {
    this.#stream?.close();
    this.#client?.destroy();
    this.#client = undefined;
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #connected(socket: NodeSocket): void {
    if (this.#client) {
      this.refused++;
      socket.end("serial line busy: another client is connected\n", () => socket.destroy());
      return;
    }
    this.connections++;
    this.#client = socket;
    socket.setNoDelay(true);
    socket.on("data", (data: Buffer) => this.#stream?.received(data));
    const gone = () => {
      if (this.#client === socket) this.#client = undefined;
    };
    socket.on("close", gone);
    socket.on("error", gone);
  }
}

class TcpSerialStream implements Socket {
  readonly #handlers: SerialHandlers;
  readonly #window: number;
  readonly #client: () => NodeSocket | undefined;
  readonly #inbound: Buffer[] = [];
  #inboundBytes = 0;
  #unflushed = 0;
  #open = true;
  #reportScheduled = false;

  constructor(handlers: SerialHandlers, window: number, client: () => NodeSocket | undefined) {
    this.#handlers = handlers;
    this.#window = window;
    this.#client = client;
    this.#scheduleReport();
  }

  get isOpen(): boolean {
    return this.#open;
  }

  received(data: Buffer): void {
    if (!this.#open) return;
    this.#inbound.push(data);
    this.#inboundBytes += data.length;
    this.#call(() => this.#handlers.onReadable(this.#inboundBytes));
  }

  read(into: Uint8Array): number {
    const copied = readChunks(this.#inbound, into);
    this.#inboundBytes -= copied;
    return copied;
  }

  write(bytes: Uint8Array): void {
    if (!this.#open) throw new Error("serial: closed");
    const length = bytes.length;
    if (length > this.#window - this.#unflushed) throw new Error("would overflow");
    const client = this.#client();
    if (!client || client.destroyed) {
      this.#scheduleReport(); // nobody listening: the bytes leave the UART all the same
      return;
    }
    this.#unflushed += length;
    client.write(Buffer.from(bytes), () => {
      this.#unflushed -= length;
      this.#scheduleReport();
    });
  }

  close(): void {
    this.#open = false;
  }

  #scheduleReport(): void {
    if (this.#reportScheduled) return;
    this.#reportScheduled = true;
    setImmediate(() => {
      this.#reportScheduled = false;
      if (this.#open) this.#call(() => this.#handlers.onWritable(this.#window - this.#unflushed));
    });
  }

  /** A handler that throws must not take Node down: the line reports it and closes, as on the device. */
  #call(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.#open = false;
      this.#handlers.onError(`serial: handler threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
