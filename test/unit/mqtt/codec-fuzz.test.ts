// Seeded mutation fuzzing of the codec. Whatever bytes arrive, the decoder either delivers packets
// or throws an MqttProtocolError with a reason code a DISCONNECT can carry, never another exception
// (also not an internal one that it merely wrapped), and never a result that depends on how the
// bytes were sliced. Whatever object is handed to the encoder, it encodes it or throws an
// MqttProtocolError. The PRNG is seeded: a failure names its case and reproduces.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { encodePacket } from "../../../src/mqtt/encode.js";
import { MqttProtocolError } from "../../../src/mqtt/errors.js";
import type { OutgoingPacket, PublishPacket } from "../../../src/mqtt/packets.js";
import { concatBytes } from "../../support/bytes.js";
import { Prng, asPackets, tryDecode, type DecodeOutcome, samplePackets } from "../../support/mqtt-codec.js";

// Reason codes the decoder may give: malformed, protocol error, unsupported protocol version (CONNECT),
// topic name invalid, packet too large.
const DECODER_REASONS = [0x81, 0x82, 0x84, 0x90, 0x95];
// The encoder may also refuse a topic filter.
const ENCODER_REASONS = [0x81, 0x82, 0x8f, 0x90, 0x95];
// Messages the decoder uses when it had to wrap an unexpected exception: that is a codec bug.
const WRAPPED = /^malformed packet \(|^malformed UTF-8:/;
const LIMITS = { maximumPacketSize: 4096, maximumHeaderSize: 1024, maximumUserProperties: 8 };

function hexOf(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += (byte < 16 ? "0" : "") + byte.toString(16) + " ";
  return out.trim();
}

function seedStreams(): Uint8Array[] {
  const packets = samplePackets();
  const seeds = packets.map((packet) => encodePacket(packet));
  const payload = new Uint8Array(200);
  for (let i = 0; i < payload.length; i++) payload[i] = i;
  seeds.push(encodePacket({ type: 3, topic: "makapix/player/p/command", qos: 1, retain: false, dup: false, packetId: 300, payload }));
  seeds.push(concatBytes([seeds[2], seeds[4], seeds[8]]));
  return seeds;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 0x23, 0x2b, 0xc0, 0xed, 0x26, 0x0b];

function mutate(base: Uint8Array, random: Prng): Uint8Array {
  let bytes: Uint8Array = base.slice();
  const rounds = random.chance(0.7) ? 1 : random.between(2, 3);
  for (let round = 0; round < rounds; round++) {
    const at = random.below(Math.max(bytes.length, 1));
    switch (random.below(7)) {
      case 0: // flip a bit
        if (bytes.length > 0) bytes[at] ^= 1 << random.below(8);
        break;
      case 1: // an interesting byte value
        if (bytes.length > 0) bytes[at] = random.pick(INTERESTING_BYTES);
        break;
      case 2: // a random byte
        if (bytes.length > 0) bytes[at] = random.below(256);
        break;
      case 3: // truncate
        bytes = bytes.slice(0, at);
        break;
      case 4: // extend
        bytes = concatBytes([bytes, random.bytes(random.between(1, 20))]);
        break;
      case 5: // insert a byte
        bytes = concatBytes([bytes.subarray(0, at), random.bytes(1), bytes.subarray(at)]);
        break;
      default: // delete a byte
        bytes = concatBytes([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    }
  }
  return bytes;
}

function randomSlices(bytes: Uint8Array, random: Prng): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = random.between(1, 9);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** Fails unless `outcome` is success or an MqttProtocolError the decoder raised itself. */
function checkDecodeOutcome(outcome: DecodeOutcome, context: string): number | undefined {
  if (outcome.ok) return undefined;
  const { error } = outcome;
  if (!(error instanceof MqttProtocolError)) assert.fail(`${context}: threw ${String(error)}`);
  if (!DECODER_REASONS.includes(error.reasonCode)) assert.fail(`${context}: reason code 0x${error.reasonCode.toString(16)} (${error.message})`);
  if (WRAPPED.test(error.message)) assert.fail(`${context}: an internal exception escaped the codec: ${error.message}`);
  return error.reasonCode;
}

describe("decoder mutation fuzz", () => {
  test("4000 mutated streams: packets or MqttProtocolError, the same for any slicing, re-encodable", () => {
    const random = new Prng(0xc0dec);
    const seeds = seedStreams();
    const reasons = new Map<number, number>();
    let decodedCount = 0;
    let reencoded = 0;
    for (let index = 0; index < 4000; index++) {
      const bytes = mutate(random.pick(seeds), random);
      const context = `case ${index} [${hexOf(bytes.subarray(0, 48))}${bytes.length > 48 ? " …" : ""}]`;
      const whole = tryDecode([bytes], LIMITS);
      const sliced = tryDecode(randomSlices(bytes, random), LIMITS);
      const reason = checkDecodeOutcome(whole, context);
      const slicedReason = checkDecodeOutcome(sliced, `${context} sliced`);
      assert.equal(slicedReason, reason, `${context}: slicing changed the outcome`);
      if (reason !== undefined) {
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        continue;
      }
      if (!whole.ok || !sliced.ok) continue;
      const packets = asPackets(whole.decoded);
      assert.deepEqual(asPackets(sliced.decoded), packets, `${context}: slicing changed the packets`);
      decodedCount += packets.length;
      // What the decoder accepted, the encoder writes back to bytes that decode to the same packet
      // (or refuses with a reason: it is stricter about topic filters than a receiver must be).
      for (const packet of packets) {
        let again: Uint8Array;
        try {
          again = encodePacket(packet);
        } catch (error) {
          if (!(error instanceof MqttProtocolError) || !ENCODER_REASONS.includes(error.reasonCode)) assert.fail(`${context}: re-encoding threw ${String(error)}`);
          continue;
        }
        const redecoded = tryDecode([again], LIMITS);
        assert.ok(redecoded.ok, `${context}: re-encoded packet refused: ${redecoded.ok ? "" : String(redecoded.error)}`);
        assert.deepEqual(asPackets(redecoded.decoded), [packet], `${context}: re-encoding changed the packet`);
        reencoded++;
      }
    }
    // The fuzz must reach both outcomes and a spread of reasons, or it tests little.
    assert.ok(decodedCount > 400, `only ${decodedCount} packets decoded`);
    assert.ok(reencoded > 400, `only ${reencoded} packets re-encoded`);
    for (const code of [0x81, 0x82, 0x84, 0x90, 0x95]) assert.ok((reasons.get(code) ?? 0) > 2, `reason 0x${code.toString(16)} seen ${reasons.get(code) ?? 0} times`);
  });

  test("random bytes after a valid fixed header", () => {
    const random = new Prng(99);
    for (let index = 0; index < 1000; index++) {
      const type = random.between(0, 15);
      const flags = random.chance(0.5) ? 0 : random.below(16);
      const body = random.bytes(random.below(40));
      const bytes = concatBytes([new Uint8Array([(type << 4) | flags, body.length]), body]);
      checkDecodeOutcome(tryDecode([bytes], LIMITS), `random case ${index} [${hexOf(bytes)}]`);
    }
  });
});

// ---------------------------------------------------------------------------------------------

function clone<T>(value: T): T {
  if (value instanceof Uint8Array) return value.slice() as T;
  if (Array.isArray(value)) return value.map((item: unknown) => clone(item)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = clone((value as Record<string, unknown>)[key]);
    return out as T;
  }
  return value;
}

/** Every [container, key] in a packet object, nested ones included (not inside byte arrays). */
function slots(value: object, out: [Record<string, unknown>, string][] = []): [Record<string, unknown>, string][] {
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === "type") continue;
    out.push([record, key]);
    const child = record[key];
    if (child !== null && typeof child === "object" && !(child instanceof Uint8Array)) slots(child, out);
  }
  return out;
}

const JUNK: unknown[] = [
  undefined, null, -1, 0, 1, 2, 3, 1.5, Number.NaN, 2 ** 32, 65536, "", "x", "a/#", "\ud800", "a\u0000", {}, [], [1], [["k"]],
  [null], true, false, new Uint8Array(2), { qos: 1 },
];

describe("encoder junk fuzz", () => {
  test("3000 packets with one field replaced by junk: encoded or MqttProtocolError", () => {
    const random = new Prng(0xbad);
    const packets = samplePackets();
    let refused = 0;
    let encoded = 0;
    for (let index = 0; index < 3000; index++) {
      const packet = clone(random.pick(packets));
      const fields = slots(packet);
      if (fields.length === 0) continue;
      const [container, key] = random.pick(fields);
      const junk = random.pick(JUNK);
      container[key] = clone(junk);
      const context = `case ${index}: ${key} = ${typeof junk === "string" ? JSON.stringify(junk) : String(junk)} in packet type ${packet.type}`;
      let bytes: Uint8Array;
      try {
        bytes = encodePacket(packet as OutgoingPacket);
      } catch (error) {
        if (!(error instanceof MqttProtocolError)) assert.fail(`${context}: threw ${String(error)}`);
        if (!ENCODER_REASONS.includes(error.reasonCode)) assert.fail(`${context}: reason 0x${error.reasonCode.toString(16)}`);
        refused++;
        continue;
      }
      encoded++;
      // Whatever was encoded must be decodable or refused cleanly by our own decoder.
      checkDecodeOutcome(tryDecode([bytes], { maximumPacketSize: 1 << 20 }), context);
    }
    assert.ok(refused > 1000 && encoded > 300, `refused ${refused}, encoded ${encoded}`);
  });

  test("a PUBLISH payload view into a larger buffer encodes only the view", () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const packet: PublishPacket = { type: 3, topic: "t", qos: 0, retain: false, dup: false, payload: backing.subarray(2, 5) };
    const decoded = tryDecode([encodePacket(packet)]);
    assert.ok(decoded.ok);
    assert.deepEqual(asPackets(decoded.decoded), [{ ...packet, payload: new Uint8Array([1, 2, 3]) }]);
  });
});
