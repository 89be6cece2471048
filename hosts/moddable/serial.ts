// The Serial port on ECMA-419 `embedded:io/serial` (buffer format). The open options are the SDK's and
// differ per platform, so the app passes them: on the ESP32 `{port, receive, transmit, baud}` (UART
// number and pins), in the Linux simulator `{device, baud}` (a tty path, e.g. a pty; the simulator's
// serial is a non-standard variant that opens a device file).
//
// What the SDK does that shapes this file: the Linux `read(buffer)` ignores a buffer argument, so `read`
// asks for a byte count and copies; the Linux `write` takes only an ArrayBuffer (a view is copied into
// one) and throws "would overflow" past 1024 bytes pending; the ESP32's throws "output full".
// Exceptions from the handlers are caught (the SDK swallows them silently on Linux; on the ESP32 they
// would abort the VM) and close the line.

import SerialIO from "embedded:io/serial";
import type { Serial, SerialHandlers, Socket } from "../../src/ports.js";
import { errorMessage } from "../../src/util/errors.js";

interface SdkSerial {
  read(byteLength: number): ArrayBuffer | undefined;
  write(bytes: ArrayBuffer): void;
  close(): void;
}

const SerialClass = SerialIO as unknown as new (options: Record<string, unknown>) => SdkSerial;

class SerialStream implements Socket {
  readonly #handlers: SerialHandlers;
  readonly #sdk: SdkSerial;
  #closed = false;

  constructor(options: Record<string, unknown>, handlers: SerialHandlers) {
    this.#handlers = handlers;
    this.#sdk = new SerialClass({
      ...options,
      format: "buffer",
      onReadable: (count: number) => this.#call(() => this.#handlers.onReadable(count)),
      onWritable: (count: number) => this.#call(() => this.#handlers.onWritable(count)),
      onError: () => this.#fail("serial: line error"),
    });
  }

  read(into: Uint8Array): number {
    if (this.#closed || into.length === 0) return 0;
    const chunk = this.#sdk.read(into.length);
    if (!chunk) return 0;
    into.set(new Uint8Array(chunk));
    return chunk.byteLength;
  }

  write(bytes: Uint8Array): void {
    if (this.#closed) throw new Error("serial: closed");
    if (bytes.length === 0) return;
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    this.#sdk.write(whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sdk.close();
  }

  #call(handler: () => void): void {
    if (this.#closed) return;
    try {
      handler();
    } catch (error) {
      this.#fail(`serial: handler threw: ${errorMessage(error)}`);
    }
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    this.close();
    try {
      this.#handlers.onError(reason);
    } catch {
      // Nothing left to tell; throwing would reach native code.
    }
  }
}

export class ModdableSerial implements Serial {
  readonly #options: Record<string, unknown>;

  /** `options`: the SDK's Serial options without callbacks or format (see above). */
  constructor(options: Record<string, unknown>) {
    this.#options = options;
  }

  open(handlers: SerialHandlers): Socket {
    return new SerialStream(this.#options, handlers);
  }
}
