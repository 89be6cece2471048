// Differential test of the MQTT 5 codec against mqtt-packet (protocolVersion 5), both directions:
// what we encode, mqtt-packet parses to the same fields; what mqtt-packet generates, we decode to
// the same fields. Fixed packets cover every type and property; seeded random packets cover random
// topics, payload sizes and property subsets. Node only (mqtt-packet needs Buffer and streams).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { generate, parser } from "mqtt-packet";
import { encodePacket } from "../../src/mqtt/encode.js";
import type { OutgoingPacket, UserProperty } from "../../src/mqtt/packets.js";
import { concatBytes } from "../support/bytes.js";
import { Prng, asPackets, decodeChunks, randomPacket, samplePackets } from "../support/mqtt-codec.js";

type Theirs = Record<string, unknown>;

// mqtt-packet represents these Byte properties as booleans.
const BOOLEAN_BYTES = new Set(["payloadFormatIndicator", "requestProblemInformation", "requestResponseInformation"]);

/** mqtt-packet's form of user properties: { name: value } or { name: [values...] } for repeats. */
function groupUserProperties(pairs: readonly UserProperty[]): Record<string, string | string[]> {
  const grouped: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const existing = grouped[name];
    if (existing === undefined) grouped[name] = value;
    else grouped[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return grouped;
}

function propertiesToTheirs(properties: object | undefined): Theirs | undefined {
  if (properties === undefined) return undefined;
  const out: Theirs = {};
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    if (key === "userProperties") out.userProperties = groupUserProperties(value as UserProperty[]);
    else if (key === "subscriptionIdentifiers") {
      const ids = value as number[];
      out.subscriptionIdentifier = ids.length === 1 ? ids[0] : ids;
    } else if (BOOLEAN_BYTES.has(key)) out[key] = value === 1;
    else if (value instanceof Uint8Array) out[key] = Buffer.from(value);
    else out[key] = value;
  }
  return out;
}

/** Our packet as the mqtt-packet object with the same meaning (absent fields left out). */
function toTheirs(packet: OutgoingPacket): Theirs {
  const out = (fields: Theirs, properties?: object): Theirs => {
    const converted = propertiesToTheirs(properties);
    if (converted) fields.properties = converted;
    return fields;
  };
  switch (packet.type) {
    case 1: {
      const fields: Theirs = { cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: packet.cleanStart, keepalive: packet.keepAlive, clientId: packet.clientId };
      if (packet.username !== undefined) fields.username = packet.username;
      if (packet.password !== undefined) fields.password = Buffer.from(packet.password);
      if (packet.will) {
        const { will } = packet;
        fields.will = out({ topic: will.topic, payload: Buffer.from(will.payload), qos: will.qos, retain: will.retain }, will.properties);
      }
      return out(fields, packet.properties);
    }
    case 2:
      return out({ cmd: "connack", sessionPresent: packet.sessionPresent, reasonCode: packet.reasonCode }, packet.properties);
    case 3: {
      const fields: Theirs = { cmd: "publish", topic: packet.topic, payload: Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain, dup: packet.dup };
      if (packet.packetId !== undefined) fields.messageId = packet.packetId;
      return out(fields, packet.properties);
    }
    case 4:
      return out({ cmd: "puback", messageId: packet.packetId, reasonCode: packet.reasonCode }, packet.properties);
    case 8: {
      const subscriptions = packet.subscriptions.map((s) => ({ topic: s.topicFilter, qos: s.qos, nl: s.noLocal ?? false, rap: s.retainAsPublished ?? false, rh: s.retainHandling ?? 0 }));
      return out({ cmd: "subscribe", messageId: packet.packetId, subscriptions }, packet.properties);
    }
    case 9:
      return out({ cmd: "suback", messageId: packet.packetId, granted: packet.reasonCodes }, packet.properties);
    case 10:
      return out({ cmd: "unsubscribe", messageId: packet.packetId, unsubscriptions: packet.topicFilters }, packet.properties);
    case 11:
      return out({ cmd: "unsuback", messageId: packet.packetId, granted: packet.reasonCodes }, packet.properties);
    case 12:
      return { cmd: "pingreq" };
    case 13:
      return { cmd: "pingresp" };
    case 14:
      return out({ cmd: "disconnect", reasonCode: packet.reasonCode }, packet.properties);
  }
}

/**
 * A comparable form: bytes as hex strings, object keys sorted (mqtt-packet's user property objects
 * have no prototype and put integer-like names first), undefined values dropped.
 */
function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString("hex")}`;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = canonical(item);
    }
    return out;
  }
  return value;
}

// Fixed-header fields mqtt-packet's parser adds to every packet; only PUBLISH gives them meaning.
const PARSER_BOOKKEEPING = ["length", "retain", "qos", "dup", "topic", "payload"];

function parseWithTheirs(bytes: Uint8Array): Theirs[] {
  const packets: Theirs[] = [];
  const errors: Error[] = [];
  const theirParser = parser({ protocolVersion: 5 });
  theirParser.on("packet", (packet) => packets.push(packet as unknown as Theirs));
  theirParser.on("error", (error: Error) => errors.push(error));
  theirParser.parse(Buffer.from(bytes));
  if (errors.length > 0) throw new Error(`mqtt-packet refused our bytes: ${errors.map((e) => e.message).join("; ")}`);
  return packets.map((packet) => {
    const copy: Theirs = { ...packet };
    for (const key of PARSER_BOOKKEEPING) if (packet.cmd !== "publish" || key === "length") delete copy[key];
    return copy;
  });
}

/**
 * The same packet, within what mqtt-packet's generator accepts: it refuses a password without a
 * user name and an empty client identifier without clean start, both valid MQTT 5.
 */
function generatable(packet: OutgoingPacket): OutgoingPacket {
  if (packet.type !== 1) return packet;
  const adapted = { ...packet };
  if (adapted.password !== undefined && adapted.username === undefined) adapted.username = "user";
  if (adapted.clientId === "") adapted.cleanStart = true;
  return adapted;
}

function generateWithTheirs(packet: OutgoingPacket): Uint8Array {
  return new Uint8Array(generate(toTheirs(packet) as never, { protocolVersion: 5 }));
}

/** User properties sorted by name (stable): mqtt-packet writes repeats of a name together. */
function groupedLikeTheirs(packet: OutgoingPacket): OutgoingPacket {
  return JSON.parse(JSON.stringify(packet, (key, value: unknown) => {
    if (value instanceof Uint8Array) return { bytes: Array.from(value) };
    if (key === "userProperties") return [...(value as UserProperty[])].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return value;
  })) as OutgoingPacket;
}

function describePacket(packet: OutgoingPacket): string {
  return JSON.stringify(packet, (_key, value: unknown) => (value instanceof Uint8Array ? `bytes(${value.length})` : value)).slice(0, 200);
}

function checkOursToTheirs(packet: OutgoingPacket, context: string): void {
  const parsed = parseWithTheirs(encodePacket(packet));
  assert.equal(parsed.length, 1, `${context}: mqtt-packet parsed ${parsed.length} packets`);
  assert.deepEqual(canonical(parsed[0]), canonical(toTheirs(packet)), `${context}: ${describePacket(packet)}`);
}

function checkTheirsToOurs(original: OutgoingPacket, context: string): void {
  const packet = generatable(original);
  const decoded = asPackets(decodeChunks([generateWithTheirs(packet)]));
  assert.equal(decoded.length, 1, `${context}: we decoded ${decoded.length} packets`);
  assert.deepEqual(groupedLikeTheirs(decoded[0]), groupedLikeTheirs(packet), `${context}: ${describePacket(packet)}`);
}

const counts = { oursToTheirs: 0, theirsToOurs: 0 };

describe("fixed packets: every type and property", () => {
  for (const [index, packet] of samplePackets().entries()) {
    test(`sample ${index} (type ${packet.type}): ours → mqtt-packet`, () => {
      checkOursToTheirs(packet, `sample ${index}`);
      counts.oursToTheirs++;
    });
    test(`sample ${index} (type ${packet.type}): mqtt-packet → ours`, () => {
      checkTheirsToOurs(packet, `sample ${index}`);
      counts.theirsToOurs++;
    });
  }

  test("the same bytes both ways for packets whose encoding is unique", () => {
    // Where MQTT allows one encoding only (no optional short forms, no user-property order), both
    // encoders must produce identical bytes.
    const packets: OutgoingPacket[] = [
      { type: 12 },
      { type: 13 },
      { type: 1, clientId: "player", cleanStart: true, keepAlive: 60, username: "u", password: new Uint8Array([1, 2]) },
      { type: 3, topic: "a/b", qos: 1, retain: false, dup: false, packetId: 5, properties: { messageExpiryInterval: 10, contentType: "text/plain" }, payload: new Uint8Array([1]) },
      { type: 8, packetId: 3, subscriptions: [{ topicFilter: "a/+", qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] },
      { type: 9, packetId: 3, reasonCodes: [1, 0x80] },
      { type: 10, packetId: 4, topicFilters: ["a/+", "b"] },
      { type: 4, packetId: 9, reasonCode: 0 },
    ];
    for (const packet of packets) assert.deepEqual(encodePacket(packet), generateWithTheirs(packet), describePacket(packet));
  });
});

describe("seeded random packets", () => {
  test("400 random packets: ours → mqtt-packet", () => {
    const random = new Prng(0x0acc1e);
    for (let index = 0; index < 400; index++) {
      checkOursToTheirs(randomPacket(random), `random ${index}`);
      counts.oursToTheirs++;
    }
  });

  test("400 random packets: mqtt-packet → ours", () => {
    const random = new Prng(0x7e1e);
    for (let index = 0; index < 400; index++) {
      checkTheirsToOurs(randomPacket(random), `random ${index}`);
      counts.theirsToOurs++;
    }
  });

  test("a stream of 200 packets generated by mqtt-packet, decoded from random slices", () => {
    const random = new Prng(31337);
    const packets: OutgoingPacket[] = [];
    for (let index = 0; index < 200; index++) packets.push(generatable(randomPacket(random)));
    const stream = concatBytes(packets.map((packet) => generateWithTheirs(packet)));
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < stream.length; ) {
      const size = random.chance(0.5) ? random.between(1, 16) : random.between(1, 4096);
      chunks.push(stream.subarray(at, at + size));
      at += size;
    }
    const decoded = asPackets(decodeChunks(chunks, { maximumPacketSize: 1 << 20 }));
    assert.deepEqual(decoded.map(groupedLikeTheirs), packets.map(groupedLikeTheirs));
    counts.theirsToOurs += packets.length;
  });

  test("count", () => {
    console.log(`oracle mqtt-codec: ${counts.oursToTheirs} packets ours→mqtt-packet and ${counts.theirsToOurs} mqtt-packet→ours agree`);
    assert.ok(counts.oursToTheirs >= 400 && counts.theirsToOurs >= 400);
  });
});
