// The ECMA-419 socket writer against the virtual socket, which, like the Moddable lwIP socket, throws
// "would block" when given more than the room it reported. Exact counts, partial writes, queue order
// and wrap-around, the full queue as a typed error, and a connection closed with bytes queued.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { SocketHandlers } from "../../../src/ports.js";
import { SocketWriteError, SocketWriter } from "../../../src/util/socket-writer.js";
import { concatBytes, xorshiftRandom } from "../../support/bytes.js";
import { VirtualNetwork } from "../../support/virtual-host.js";

/** A connection with a send window of `window` bytes that drains only when the test says so. */
function connect(window: number, queueBytes: number, writer = new SocketWriter(queueBytes)) {
  const network = new VirtualNetwork();
  network.writableBytes = window;
  const received: Uint8Array[] = [];
  const reports: number[] = [];
  network.onConnection = () => ({ received: (bytes) => received.push(bytes), closed() {} });
  const handlers: SocketHandlers = {
    onWritable: (count) => {
      reports.push(count);
      writer.onWritable(count);
    },
    onReadable() {},
    onError() {},
  };
  network.connectTcp({ host: "peer.test", port: 1 }, handlers);
  const connection = network.connections[0]!;
  writer.attach(connection);
  connection.pauseDraining();
  const drain = async () => {
    connection.resumeDraining();
    await Promise.resolve();
    await Promise.resolve();
    connection.pauseDraining();
  };
  return { connection, writer, received, reports, drain, all: () => concatBytes(received) };
}

function bytes(length: number, first = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (first + i) & 0xff;
  return out;
}

test("nothing is written before the socket reports room; then no write exceeds the reported count", async () => {
  const { connection, writer, all, drain, reports } = connect(10, 64);
  writer.write(bytes(4));
  assert.deepEqual(connection.writeSizes, [], "not connected yet: everything waits");
  assert.equal(writer.queued, 4);
  connection.accept(); // onWritable(10)
  assert.deepEqual(connection.writeSizes, [4]);
  assert.equal(writer.writable, 6);
  writer.write(bytes(9, 4)); // 6 fit now, 3 wait
  assert.deepEqual(connection.writeSizes, [4, 6]);
  assert.equal(writer.writable, 0);
  assert.equal(writer.queued, 3);
  writer.write(bytes(2, 13)); // behind the queued 3, even though it is small
  assert.deepEqual(connection.writeSizes, [4, 6]);
  await drain(); // the socket reports its 10 bytes again
  assert.deepEqual(connection.writeSizes, [4, 6, 5]);
  assert.equal(writer.queued, 0);
  assert.ok(reports.every((count) => count === 10), `the socket reported ${reports.join(", ")}`);
  assert.deepEqual(all(), bytes(15));
});

test("a count smaller than what waits sends exactly that much, in order, report after report", () => {
  const { connection, writer, all } = connect(1000, 100);
  connection.accept();
  writer.onWritable(0);
  writer.write(bytes(50));
  writer.write(bytes(30, 50));
  for (const count of [7, 1, 0, 20]) writer.onWritable(count);
  assert.deepEqual(connection.writeSizes, [7, 1, 20]);
  assert.equal(writer.queued, 52);
  writer.onWritable(500);
  assert.deepEqual(connection.writeSizes, [7, 1, 20, 52]);
  assert.deepEqual(all(), bytes(80));
});

test("queued bytes are copies: the caller reuses its buffer at once", async () => {
  const { connection, writer, all, drain } = connect(3, 16);
  connection.accept();
  const scratch = new Uint8Array([1, 2, 3, 4, 5, 6]);
  writer.write(scratch);
  scratch.fill(0xee);
  writer.write(scratch.subarray(0, 2));
  await drain();
  await drain();
  assert.deepEqual(all(), new Uint8Array([1, 2, 3, 4, 5, 6, 0xee, 0xee]));
});

test("the queue wraps around its ring: random writes and counts keep the byte stream intact", async () => {
  const random = xorshiftRandom(0x5eed);
  const window = 37;
  const { connection, writer, all, drain } = connect(window, 100);
  connection.accept();
  const expected: Uint8Array[] = [];
  let next = 0;
  for (let round = 0; round < 400; round++) {
    const length = 1 + Math.floor(random() * 60);
    const chunk = bytes(length, next);
    if (writer.fits(length)) {
      writer.write(chunk);
      expected.push(chunk);
      next += length;
    } else {
      assert.throws(() => writer.write(chunk), SocketWriteError);
    }
    if (random() < 0.5) await drain();
    assert.ok(writer.queued <= writer.capacity);
  }
  while (writer.queued > 0) await drain();
  assert.ok(connection.writeSizes.every((size) => size <= window), "no write larger than the window");
  assert.ok(expected.length > 100, `${expected.length} writes accepted`);
  assert.deepEqual(all(), concatBytes(expected));
});

test("a full queue is a SocketWriteError 'queue_full'; nothing of that write is sent, the writer carries on", async () => {
  const { connection, writer, all, drain } = connect(8, 16);
  connection.accept();
  writer.write(bytes(20)); // 8 sent, 12 queued
  assert.equal(writer.fits(4), true);
  assert.equal(writer.fits(5), false);
  assert.throws(
    () => writer.write(bytes(5, 20)),
    (error: unknown) => {
      assert.ok(error instanceof SocketWriteError);
      assert.equal(error.kind, "queue_full");
      assert.match(error.message, /12 of 16 bytes waiting, 5 more do not fit/);
      return true;
    },
  );
  assert.equal(writer.queued, 12, "the refused write left the queue as it was");
  writer.write(bytes(4, 20));
  while (writer.queued > 0) await drain();
  assert.deepEqual(all(), bytes(24));
});

test("a write larger than the room and the whole queue is refused even when the queue is empty", () => {
  const { connection, writer } = connect(10, 16);
  connection.accept();
  assert.equal(writer.fits(26), true);
  assert.equal(writer.fits(27), false);
  assert.throws(() => writer.write(bytes(27)), (error: unknown) => error instanceof SocketWriteError && error.kind === "queue_full");
  assert.deepEqual(connection.writeSizes, []);
});

test("closed while bytes are queued: they are dropped, later writes fail 'closed', a new connection starts clean", async () => {
  const first = connect(4, 32);
  first.connection.accept();
  first.writer.write(bytes(10));
  assert.equal(first.writer.queued, 6);
  first.connection.close();
  first.writer.detach();
  assert.equal(first.writer.queued, 0);
  assert.throws(() => first.writer.write(bytes(1)), (error: unknown) => error instanceof SocketWriteError && error.kind === "closed");
  first.writer.onWritable(100); // a late report from the old socket sends nothing
  assert.deepEqual(first.connection.writeSizes, [4]);

  const writer = first.writer;
  const second = connect(4, 32, writer);
  writer.write(bytes(3, 50));
  assert.equal(writer.queued, 3, "the new socket has reported no room yet");
  second.connection.accept();
  assert.deepEqual(second.connection.writeSizes, [3]);
  assert.deepEqual(concatBytes(second.received), bytes(3, 50));
});

test("a write made from inside the socket's write (a peer answering at once) goes behind the queued rest", async () => {
  const network = new VirtualNetwork();
  network.writableBytes = 5;
  const writer = new SocketWriter(64);
  const received: Uint8Array[] = [];
  let answered = false;
  network.onConnection = () => ({
    received: (chunk) => {
      received.push(chunk);
      if (!answered) {
        answered = true;
        writer.write(bytes(3, 100)); // the owner reacting to what the peer said, mid-write
      }
    },
    closed() {},
  });
  network.connectTcp({ host: "peer.test", port: 1 }, { onWritable: (count) => writer.onWritable(count), onReadable() {}, onError() {} });
  const connection = network.connections[0]!;
  writer.attach(connection);
  connection.accept();
  writer.write(bytes(10)); // 5 now, 5 queued; the peer's answer (3 bytes) comes while the first 5 are written
  for (let i = 0; i < 10 && writer.queued > 0; i++) await Promise.resolve();
  assert.equal(writer.queued, 0);
  assert.deepEqual(concatBytes(received), concatBytes([bytes(10), bytes(3, 100)]));
  assert.ok(connection.writeSizes.every((size) => size <= 5));
});

test("a socket that throws anyway is reported as SocketWriteError 'socket' with its reason", () => {
  const { connection, writer } = connect(10, 32);
  connection.accept();
  connection.close(); // the virtual socket now throws on write
  assert.throws(
    () => writer.write(bytes(2)),
    (error: unknown) => {
      assert.ok(error instanceof SocketWriteError);
      assert.equal(error.kind, "socket");
      assert.match(error.message, /write failed: write on a closed virtual socket/);
      return true;
    },
  );
});

test("the virtual socket itself refuses writes past its window, as lwIP does", () => {
  const { connection } = connect(10, 32);
  connection.accept();
  connection.write(bytes(6));
  assert.throws(() => connection.write(bytes(5)), /would block/);
  connection.write(bytes(4));
});

test("an owner's buffer as the queue: a message written from it waits in place and arrives whole and in order", async () => {
  const storage = new Uint8Array(40);
  const { connection, writer, all, drain } = connect(7, 0, new SocketWriter(storage));
  assert.equal(writer.capacity, 40, "no second buffer: the owner's is the queue");
  connection.accept(); // onWritable(7)
  storage.set(bytes(30, 100), 5);
  writer.write(storage.subarray(5, 35)); // 7 go now, 23 wait where they are
  assert.deepEqual(connection.writeSizes, [7]);
  assert.equal(writer.queued, 23);
  for (let turn = 0; turn < 5 && writer.queued > 0; turn++) await drain();
  assert.equal(writer.queued, 0);
  assert.deepEqual(all(), bytes(30, 100));
  assert.ok(connection.writeSizes.every((size) => size <= 7), `no write past the window: ${connection.writeSizes.join(",")}`);
  // Bytes from elsewhere are still copied into it, behind nothing.
  writer.write(bytes(12, 200));
  for (let turn = 0; turn < 5 && writer.queued > 0; turn++) await drain();
  assert.deepEqual(all(), concatBytes([bytes(30, 100), bytes(12, 200)]));
});
