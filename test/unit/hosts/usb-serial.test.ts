// The USB serial binding of the ESP32-S3 (hosts/esp32/usb-serial/usb-serial.ts) over a model of its
// native class: ESP-IDF's usb_serial_jtag driver keeps a receive and a transmit ring, and never waits
// (reads take what arrived, writes take what fits). The PC on the far side is the real provisioning
// client; the device side is the real ProvisioningHandler. The native file itself is compiled against
// the SDK's XS headers by the native tier and the ESP32 build check; it needs a board to run.

import { test } from "node:test";
import assert from "node:assert/strict";
import { UsbSerial, type NativeUsbSerial } from "../../../hosts/esp32/usb-serial/usb-serial.js";
import { ProvisioningClient } from "../../../src/device/provisioning-client.js";
import { ProvisioningHandler } from "../../../src/device/provisioning-handler.js";
import type { SerialHandlers } from "../../../src/ports.js";
import { MemoryTarget, TEST_CREDENTIALS } from "../../support/provisioning.js";
import { createVirtualHost, type VirtualHost } from "../../support/virtual-host.js";

/** The controller and the PC's USB host: bytes the PC sends wait until the receive ring has room. */
class UsbLine {
  receiveRing: number[] = [];
  transmitRing: number[] = [];
  /** Bytes the PC has queued that the receive ring could not take yet (USB flow control holds them). */
  fromPc: number[] = [];
  installed = 0;
  closed = 0;
  /** The driver fails on the next read (an unplug as the driver reports it). */
  failNextRead = false;
  receiveCapacity = 0;
  transmitCapacity = 0;

  /** The PC sends `bytes`. */
  send(bytes: Uint8Array): void {
    for (const byte of bytes) this.fromPc.push(byte);
    this.#move();
  }

  /** The PC takes what the device sent. */
  take(): Uint8Array {
    this.#move();
    const out = Uint8Array.from(this.transmitRing);
    this.transmitRing = [];
    return out;
  }

  #move(): void {
    while (this.fromPc.length > 0 && this.receiveRing.length < this.receiveCapacity) this.receiveRing.push(this.fromPc.shift()!);
  }

  get nativeClass() {
    const line = this;
    return class implements NativeUsbSerial {
      #open = true;
      constructor(receiveRingBytes: number, transmitRingBytes: number) {
        if (line.installed > line.closed) throw new Error("busy");
        line.installed++;
        line.receiveCapacity = receiveRingBytes;
        line.transmitCapacity = transmitRingBytes;
      }
      read(into: Uint8Array): number {
        if (!this.#open) throw new Error("closed");
        if (line.failNextRead) throw new Error("driver read failed");
        line.#move();
        const count = Math.min(into.length, line.receiveRing.length);
        for (let i = 0; i < count; i++) into[i] = line.receiveRing.shift()!;
        line.#move();
        return count;
      }
      write(from: Uint8Array): number {
        if (!this.#open) throw new Error("closed");
        const count = Math.min(from.length, line.transmitCapacity - line.transmitRing.length);
        for (let i = 0; i < count; i++) line.transmitRing.push(from[i]!);
        return count;
      }
      close(): void {
        if (!this.#open) return;
        this.#open = false;
        line.closed++;
      }
    };
  }
}

function recorder(): SerialHandlers & { writable: number[]; readable: number[]; errors: string[] } {
  const handlers = {
    writable: [] as number[],
    readable: [] as number[],
    errors: [] as string[],
    onWritable: (count: number) => handlers.writable.push(count),
    onReadable: (count: number) => handlers.readable.push(count),
    onError: (reason: string) => handlers.errors.push(reason),
  };
  return handlers;
}

/** Runs virtual time in poll-sized steps until `done` says so (or fails after `limitMs`). */
async function runUntil(host: VirtualHost, done: () => boolean, limitMs = 60_000): Promise<void> {
  for (let elapsed = 0; !done(); elapsed += 20) {
    if (elapsed > limitMs) throw new Error("timed out");
    await host.timers.advance(20);
  }
}

test("provisioning over the USB serial: the whole credential set crosses 64-byte rings, and every reply comes back", async () => {
  const host = createVirtualHost();
  const line = new UsbLine();
  const target = new MemoryTarget();
  const handler = new ProvisioningHandler(target, { timers: host.timers, log: host.log });
  handler.open(new UsbSerial(line.nativeClass, host.timers, { receiveBytes: 64, transmitBytes: 64 }));
  const client = new ProvisioningClient((bytes) => line.send(bytes), host.timers, { timeoutMs: 2000 });
  // The PC reads whatever the device sent, as often as the device polls.
  const pcReader = host.timers.repeat(() => {
    const bytes = line.take();
    if (bytes.length > 0) client.receive(bytes);
  }, 10);

  let hello: Awaited<ReturnType<ProvisioningClient["hello"]>> | undefined;
  void client.hello("usb test").then((info) => (hello = info));
  await runUntil(host, () => hello !== undefined);
  assert.equal(hello!.state, "provisioning");

  let stored = false;
  void client.putCredentials(TEST_CREDENTIALS).then(() => (stored = true));
  await runUntil(host, () => stored);
  assert.deepEqual(target.credentials, TEST_CREDENTIALS);
  host.timers.clear(pcReader);
});

test("write room is a level: the first report opens the line, a full buffer throws 'would overflow', room is reported again once the host took bytes", async () => {
  const host = createVirtualHost();
  const line = new UsbLine();
  const handlers = recorder();
  const stream = new UsbSerial(line.nativeClass, host.timers, { receiveBytes: 64, transmitBytes: 128 }).open(handlers);
  assert.deepEqual(handlers.writable, [], "nothing is reported before the first poll");
  await host.timers.advance(20);
  assert.deepEqual(handlers.writable, [128]);

  // Bytes go straight to the transmit ring while it has room; the room reported is the binding's own
  // buffer, which is empty again, so the next poll reports all of it.
  stream.write(new Uint8Array(100).fill(7));
  assert.equal(line.transmitRing.length, 100);
  await host.timers.advance(20);
  assert.deepEqual(handlers.writable, [128, 128]);

  // The ring (128) fills; the binding keeps the rest, up to its 128 bytes.
  stream.write(new Uint8Array(128).fill(8));
  assert.throws(() => stream.write(new Uint8Array(29)), /would overflow/, "100 bytes wait, 28 are free");
  stream.write(new Uint8Array(28).fill(9));
  await host.timers.advance(60);
  assert.deepEqual(handlers.writable, [128, 128], "no room was freed: no new report");

  const first = line.take();
  await host.timers.advance(20);
  assert.deepEqual(handlers.writable, [128, 128, 128], "the host took the ring: all the room again");
  const second = line.take();
  assert.deepEqual([...first], [...new Array(100).fill(7), ...new Array(28).fill(8)]);
  assert.deepEqual([...second], [...new Array(100).fill(8), ...new Array(28).fill(9)]);
  stream.close();
});

test("received bytes are offered until read, in order, however the reads are sliced", async () => {
  const host = createVirtualHost();
  const line = new UsbLine();
  const handlers = recorder();
  const stream = new UsbSerial(line.nativeClass, host.timers, { receiveBytes: 64, transmitBytes: 64 }).open(handlers);
  const sent = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
  line.send(sent);
  const got: number[] = [];
  const into = new Uint8Array(5);
  for (let tick = 0; tick < 200 && got.length < sent.length; tick++) {
    await host.timers.advance(20);
    if (handlers.readable.length > 0 && tick % 3 === 0) {
      const count = stream.read(into);
      got.push(...into.subarray(0, count));
    }
  }
  assert.deepEqual(got, [...sent]);
  stream.close();
});

test("a driver failure closes the line and is reported once; close stops the polling and frees the controller for the next open", async () => {
  const host = createVirtualHost();
  const line = new UsbLine();
  const serial = new UsbSerial(line.nativeClass, host.timers);
  const handlers = recorder();
  const timersBefore = host.timers.pending;
  const stream = serial.open(handlers);
  assert.throws(() => serial.open(recorder()), /busy/, "one controller: a second open is refused");
  line.failNextRead = true;
  await host.timers.advance(100);
  assert.deepEqual(handlers.errors, ["serial: driver read failed"]);
  assert.equal(line.closed, 1, "the driver was released");
  assert.equal(host.timers.pending, timersBefore, "no timer is left polling");
  assert.throws(() => stream.write(new Uint8Array(1)), /closed/);
  assert.equal(stream.read(new Uint8Array(4)), 0);

  line.failNextRead = false;
  const again = serial.open(recorder());
  again.close();
  again.close();
  assert.equal(line.closed, 2);
  assert.equal(host.timers.pending, timersBefore);
});
