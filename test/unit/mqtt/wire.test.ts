// MQTT data representations (§1.5): Variable Byte Integers at every size boundary, in the fixed
// header (Remaining Length), in property blocks and as property values; two- and four-byte integers;
// the byte sinks' validation.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MqttDecoder } from "../../../src/mqtt/decode.js";
import { encodePacket } from "../../../src/mqtt/encode.js";
import { MqttProtocolError } from "../../../src/mqtt/errors.js";
import { ByteCounter, ByteWriter, PacketReader, variableByteIntegerSize } from "../../../src/mqtt/wire.js";
import { CollectingSink, asPackets, decodeChunks, hex, reasonOf } from "../../support/mqtt-codec.js";

// [value, its encoding] at each boundary of the 1..4 byte forms (MQTT 5.0 §1.5.5, table 1-1).
const BOUNDARIES: [number, string][] = [
  [0, "00"],
  [127, "7f"],
  [128, "80 01"],
  [16_383, "ff 7f"],
  [16_384, "80 80 01"],
  [2_097_151, "ff ff 7f"],
  [2_097_152, "80 80 80 01"],
  [268_435_455, "ff ff ff 7f"],
];

function writeVariableByteInteger(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  const writer = new ByteWriter();
  writer.begin(bytes, []);
  writer.variableByteInteger(value);
  return bytes.slice(0, writer.at);
}

function readVariableByteInteger(bytes: Uint8Array): { value: number; consumed: number } {
  const reader = new PacketReader();
  reader.begin(bytes, 0, bytes.length, "TEST");
  const value = reader.variableByteInteger("value");
  return { value, consumed: reader.at };
}

describe("variable byte integer", () => {
  for (const [value, encoding] of BOUNDARIES) {
    test(`${value} ⇄ ${encoding}`, () => {
      assert.deepEqual(writeVariableByteInteger(value), hex(encoding));
      assert.equal(variableByteIntegerSize(value), hex(encoding).length);
      assert.deepEqual(readVariableByteInteger(hex(encoding)), { value, consumed: hex(encoding).length });
    });
  }

  test("a fifth byte is malformed, whatever follows", () => {
    for (const bytes of ["80 80 80 80 01", "ff ff ff ff 7f", "ff ff ff ff"]) {
      assert.equal(reasonOf(() => readVariableByteInteger(hex(bytes))), 0x81, bytes);
    }
  });

  test("non-minimal (overlong) encodings are malformed", () => {
    for (const bytes of ["80 00", "ff 00", "80 80 00", "81 80 80 00"]) {
      assert.equal(reasonOf(() => readVariableByteInteger(hex(bytes))), 0x81, bytes);
    }
  });

  test("truncated: a continuation bit on the last byte available", () => {
    assert.equal(reasonOf(() => readVariableByteInteger(hex("80"))), 0x81);
    assert.throws(() => readVariableByteInteger(hex("ff ff")), /TEST: value needs 1 bytes but only 0 are left/);
  });

  test("the encoder refuses values out of range", () => {
    const counter = new ByteCounter();
    counter.begin("TEST");
    counter.variableByteInteger(268_435_455, "v");
    assert.equal(counter.count, 4);
    for (const value of [-1, 268_435_456, 1.5, Number.NaN, Infinity]) {
      assert.equal(reasonOf(() => counter.variableByteInteger(value, "v")), 0x81, String(value));
    }
  });
});

describe("Remaining Length in the fixed header", () => {
  // The decoder knows a packet's size as soon as its Remaining Length is complete: a limit one byte
  // short of that size fails right there (before any body byte), the exact size is accepted.
  for (const [value, encoding] of BOUNDARIES) {
    test(`fixed header announcing ${value} body bytes`, () => {
      // A PUBLISH body is at least 3 bytes, so 0 is announced by a PINGRESP.
      const header = hex(`${value === 0 ? "d0" : "30"} ${encoding}`);
      const size = header.length + value;
      const accepting = new MqttDecoder(new CollectingSink(), { maximumPacketSize: size });
      accepting.push(header);
      const refusing = new MqttDecoder(new CollectingSink(), { maximumPacketSize: size - 1 });
      assert.throws(() => refusing.push(header), (error: unknown) => error instanceof MqttProtocolError && error.reasonCode === 0x95 && error.message.includes(`packet of ${size} bytes`));
    });
  }

  test("encoded lengths at the 1/2 and 2/3 byte boundaries decode back", () => {
    // Body sizes 127/128 and 16383/16384 from payload size: topic "t" (3) + property length (1).
    for (const body of [127, 128, 16_383, 16_384]) {
      const packet = { type: 3 as const, topic: "t", qos: 0 as const, retain: false, dup: false, payload: new Uint8Array(body - 4) };
      const bytes = encodePacket(packet);
      assert.equal(bytes.length, 1 + variableByteIntegerSize(body) + body);
      assert.deepEqual(asPackets(decodeChunks([bytes])), [packet]);
    }
  });

  test("5-byte and overlong Remaining Lengths are malformed", () => {
    assert.equal(reasonOf(() => decodeChunks([hex("30 80 80 80 80 01")])), 0x81);
    assert.equal(reasonOf(() => decodeChunks([hex("c0 80 00")])), 0x81);
    assert.equal(reasonOf(() => decodeChunks([hex("30 ff ff 00")])), 0x81);
  });
});

describe("variable byte integers inside packets", () => {
  test("property length of 2 bytes (≥128 bytes of properties)", () => {
    const packet = { type: 4 as const, packetId: 1, reasonCode: 0x80, properties: { reasonString: "r".repeat(200) } };
    const bytes = encodePacket(packet);
    // 40, remaining length (2 bytes), packet id, reason, property length 0xcb 0x01 = 203.
    assert.deepEqual(bytes.subarray(0, 8), hex("40 d0 01 00 01 80 cb 01"));
    assert.deepEqual(asPackets(decodeChunks([bytes])), [packet]);
  });

  test("subscription identifiers at each boundary", () => {
    for (const [value] of BOUNDARIES.slice(1)) {
      const packet = { type: 3 as const, topic: "t", qos: 0 as const, retain: false, dup: false, properties: { subscriptionIdentifiers: [value] }, payload: new Uint8Array(0) };
      assert.deepEqual(asPackets(decodeChunks([encodePacket(packet)])), [packet]);
    }
  });

  test("a subscription identifier of 5 bytes is malformed", () => {
    assert.equal(reasonOf(() => decodeChunks([hex("30 0a 00 01 61 06 0b 80 80 80 80 01")])), 0x81);
  });
});

describe("fixed-size integers", () => {
  test("four-byte values above 2^31 survive", () => {
    const packet = { type: 14 as const, reasonCode: 0, properties: { sessionExpiryInterval: 0xfffffffe } };
    const bytes = encodePacket(packet);
    assert.deepEqual(bytes, hex("e0 07 00 05 11 ff ff ff fe"));
    assert.deepEqual(asPackets(decodeChunks([bytes])), [packet]);
  });

  test("PacketReader reads big-endian and refuses to read past its end", () => {
    const reader = new PacketReader();
    reader.begin(hex("01 02 03 04 05 06 07"), 0, 7, "TEST");
    assert.equal(reader.byte("a"), 0x01);
    assert.equal(reader.twoByte("b"), 0x0203);
    assert.equal(reader.fourByte("c"), 0x04050607);
    assert.equal(reader.left, 0);
    assert.equal(reasonOf(() => reader.byte("d")), 0x81);
    reader.begin(hex("00 03 61 62"), 0, 4, "TEST");
    assert.equal(reasonOf(() => reader.string("s")), 0x81);
    reader.begin(hex("00 02 61 62 63"), 0, 5, "TEST");
    assert.equal(reader.string("s"), "ab");
    assert.equal(reasonOf(() => reader.expectEnd()), 0x81);
  });

  test("binary data is copied out of the packet buffer", () => {
    const bytes = hex("00 02 aa bb");
    const reader = new PacketReader();
    reader.begin(bytes, 0, 4, "TEST");
    const value = reader.binary("b");
    bytes[2] = 0;
    assert.deepEqual(value, hex("aa bb"));
  });
});
