// The Serial port on the ESP32-S3's USB Serial/JTAG controller (usb_serial_xs.c): provisioning over the
// USB port of boards that have no USB-UART bridge (Adafruit MatrixPortal S3). The native side never
// waits and never calls back, so this binding polls on a timer: each tick it sends what the transmit
// ring takes and, when nothing is waiting to be read, asks the receive ring for more.
//
// ECMA-419 shape (src/ports.ts): `onWritable(count)` reports the room left in this binding's own
// transmit buffer (a level); `write` past it throws "would overflow", like the SDK's serial. Received
// bytes wait in one staging buffer until `read` takes them; `onReadable` repeats each tick while some
// are left. A native failure closes the line and reports it once through `onError`.

import type { Serial, SerialHandlers, Socket, Timers, TimerId } from "../../../src/ports.js";
import { errorMessage } from "../../../src/util/errors.js";

/** The native class (usb_serial_xs.c). */
export interface NativeUsbSerial {
  /** Copies what has arrived into `into`; returns the count (0 = nothing). */
  read(into: Uint8Array): number;
  /** Hands `from` to the transmit ring; returns how many bytes it took (0 = full). */
  write(from: Uint8Array): number;
  close(): void;
}

export type NativeUsbSerialClass = new (receiveRingBytes: number, transmitRingBytes: number) => NativeUsbSerial;

export interface UsbSerialOptions {
  /** Poll period (default 20 ms: a 115200-baud-class line fills 256 bytes in ~22 ms). */
  pollMs?: number;
  /** Bytes staged for reading and buffered for writing (default 256 and 1024). */
  receiveBytes?: number;
  transmitBytes?: number;
}

class UsbSerialStream implements Socket {
  readonly #native: NativeUsbSerial;
  readonly #handlers: SerialHandlers;
  readonly #timers: Timers;
  readonly #timer: TimerId;
  readonly #received: Uint8Array;
  #receivedStart = 0;
  #receivedEnd = 0;
  readonly #pending: Uint8Array;
  #pendingLength = 0;
  /** The room last reported through onWritable; a new report goes out when the room grows past it. */
  #reportedRoom = -1;
  #closed = false;

  constructor(native: NativeUsbSerial, handlers: SerialHandlers, timers: Timers, options: Required<UsbSerialOptions>) {
    this.#native = native;
    this.#handlers = handlers;
    this.#timers = timers;
    this.#received = new Uint8Array(options.receiveBytes);
    this.#pending = new Uint8Array(options.transmitBytes);
    this.#timer = timers.repeat(() => this.#poll(), options.pollMs);
  }

  read(into: Uint8Array): number {
    if (this.#closed) return 0;
    const count = Math.min(into.length, this.#receivedEnd - this.#receivedStart);
    into.set(this.#received.subarray(this.#receivedStart, this.#receivedStart + count));
    this.#receivedStart += count;
    return count;
  }

  write(bytes: Uint8Array): void {
    if (this.#closed) throw new Error("serial: closed");
    if (bytes.length > this.#pending.length - this.#pendingLength) throw new Error("serial: would overflow");
    this.#pending.set(bytes, this.#pendingLength);
    this.#pendingLength += bytes.length;
    this.#reportedRoom -= bytes.length;
    this.#flush();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.clear(this.#timer);
    this.#native.close();
  }

  #poll(): void {
    if (this.#closed) return;
    try {
      this.#flush();
      const room = this.#pending.length - this.#pendingLength;
      // Writes that went straight into the ring can leave the caller's count below zero: no room is news
      // only when there is some.
      if (room > 0 && room > this.#reportedRoom) {
        this.#reportedRoom = room;
        this.#handlers.onWritable(room);
        if (this.#closed) return;
      }
      if (this.#receivedStart === this.#receivedEnd) {
        this.#receivedStart = 0;
        this.#receivedEnd = this.#native.read(this.#received);
      }
      const waiting = this.#receivedEnd - this.#receivedStart;
      if (waiting > 0) this.#handlers.onReadable(waiting);
    } catch (error) {
      this.#fail(`serial: ${errorMessage(error)}`);
    }
  }

  #flush(): void {
    if (this.#pendingLength === 0) return;
    const sent = this.#native.write(this.#pending.subarray(0, this.#pendingLength));
    if (sent <= 0) return;
    this.#pending.copyWithin(0, sent, this.#pendingLength);
    this.#pendingLength -= sent;
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    this.close();
    try {
      this.#handlers.onError(reason);
    } catch {
      // Nothing left to tell; throwing would reach the timer's native caller.
    }
  }
}

export class UsbSerial implements Serial {
  readonly #nativeClass: NativeUsbSerialClass;
  readonly #timers: Timers;
  readonly #options: Required<UsbSerialOptions>;

  constructor(nativeClass: NativeUsbSerialClass, timers: Timers, options: UsbSerialOptions = {}) {
    this.#nativeClass = nativeClass;
    this.#timers = timers;
    this.#options = { pollMs: options.pollMs ?? 20, receiveBytes: options.receiveBytes ?? 256, transmitBytes: options.transmitBytes ?? 1024 };
  }

  /** Installs the driver (throws "busy" while another stream holds it). */
  open(handlers: SerialHandlers): Socket {
    const native = new this.#nativeClass(this.#options.receiveBytes, this.#options.transmitBytes);
    return new UsbSerialStream(native, handlers, this.#timers, this.#options);
  }
}
