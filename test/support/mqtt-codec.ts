// Helpers for the MQTT codec tests (portable: used by the unit tier in Node and XS, by the oracle
// tier and by the benchmark). A collecting decoder sink, packet fixtures covering every field a
// QoS 0/1 client uses, and a seeded PRNG so random tests are reproducible.
// (Over 400 lines: the fixtures cover every packet type and field, which is their point.)

import { MqttDecoder, type DecoderLimits, type DecoderSink } from "../../src/mqtt/decode.js";
import type { ControlPacket, OutgoingPacket, PublishHeader, PublishPacket, Will } from "../../src/mqtt/packets.js";
import { MqttProtocolError } from "../../src/mqtt/errors.js";
import { utf8Encode } from "../../src/util/utf8.js";
import { concatBytes } from "./bytes.js";

/** A decoded PUBLISH with its payload reassembled, and the sizes of the slices it came in. */
export interface DecodedPublish {
  type: 3;
  header: PublishHeader;
  payload: Uint8Array;
  chunkSizes: number[];
}

export type Decoded = ControlPacket | DecodedPublish;


/** Records everything a decoder delivers; PUBLISH payload slices are copied (they are views). */
export class CollectingSink implements DecoderSink {
  readonly decoded: Decoded[] = [];
  /** Every publishData slice as delivered (not copied), for checks on streaming. */
  readonly slices: Uint8Array[] = [];
  #header: PublishHeader | undefined;
  #parts: Uint8Array[] = [];
  #sizes: number[] = [];

  packet(packet: ControlPacket): void {
    if (this.#header) throw new Error("control packet delivered inside a PUBLISH");
    this.decoded.push(packet);
  }

  publishStart(header: PublishHeader): void {
    if (this.#header) throw new Error("publishStart before the previous publishEnd");
    this.#header = header;
    this.#parts = [];
    this.#sizes = [];
  }

  publishData(chunk: Uint8Array): void {
    if (!this.#header) throw new Error("publishData outside a PUBLISH");
    if (chunk.length === 0) throw new Error("empty publishData slice");
    this.slices.push(chunk);
    this.#parts.push(chunk.slice());
    this.#sizes.push(chunk.length);
  }

  publishEnd(): void {
    const header = this.#header;
    if (!header) throw new Error("publishEnd outside a PUBLISH");
    const payload = concatBytes(this.#parts);
    if (payload.length !== header.payloadLength) throw new Error(`payload ${payload.length} bytes, header said ${header.payloadLength}`);
    this.decoded.push({ type: 3, header, payload, chunkSizes: this.#sizes });
    this.#header = undefined;
  }

  /** True between publishStart and publishEnd. */
  get inPublish(): boolean {
    return this.#header !== undefined;
  }
}

export const DEFAULT_LIMITS: DecoderLimits = { maximumPacketSize: 1 << 20 };

/** Decodes `chunks` pushed one after another; throws whatever the decoder throws. */
export function decodeChunks(chunks: readonly Uint8Array[], limits: DecoderLimits = DEFAULT_LIMITS): Decoded[] {
  const sink = new CollectingSink();
  const decoder = new MqttDecoder(sink, limits);
  for (const chunk of chunks) decoder.push(chunk);
  if (sink.inPublish) throw new Error("input ended inside a PUBLISH payload");
  return sink.decoded;
}

/** Outcome of decoding bytes that may be malformed: the packets, or the error. Never throws. */
export type DecodeOutcome = { ok: true; decoded: Decoded[]; complete: boolean } | { ok: false; error: unknown };

export function tryDecode(chunks: readonly Uint8Array[], limits: DecoderLimits = DEFAULT_LIMITS): DecodeOutcome {
  const sink = new CollectingSink();
  const decoder = new MqttDecoder(sink, limits);
  try {
    for (const chunk of chunks) decoder.push(chunk);
  } catch (error) {
    return { ok: false, error };
  }
  return { ok: true, decoded: sink.decoded, complete: !sink.inPublish };
}

/** The reason code of an MqttProtocolError thrown by `action`; fails if it throws anything else or nothing. */
export function reasonOf(action: () => unknown): number {
  try {
    action();
  } catch (error) {
    if (error instanceof MqttProtocolError) return error.reasonCode;
    throw new Error(`expected an MqttProtocolError, got ${String(error)}`);
  }
  throw new Error("expected an MqttProtocolError, nothing was thrown");
}

/** A decoded PUBLISH in the encoder's shape, for comparing with the packet that was encoded. */
export function asPublishPacket(decoded: DecodedPublish): PublishPacket {
  const { header, payload } = decoded;
  const packet: PublishPacket = { type: 3, topic: header.topic, qos: header.qos, retain: header.retain, dup: header.dup, payload };
  if (header.packetId !== undefined) packet.packetId = header.packetId;
  if (header.properties !== undefined) packet.properties = header.properties;
  return packet;
}

/** Decoded values in the encoder's shape (PUBLISH reassembled), for deepEqual against what was encoded. */
export function asPackets(decoded: readonly Decoded[]): OutgoingPacket[] {
  return decoded.map((item) => (item.type === 3 ? asPublishPacket(item as DecodedPublish) : (item as OutgoingPacket)));
}

/** Bytes written as hex pairs ("30 0a ..."), for tests that spell out wire bytes. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** mulberry32: small, fast, deterministic; good enough to pick test inputs. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** Integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.below(high - low + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.below(256);
    return out;
  }

  /** A string of 0..maxLength characters mixing ASCII, 2-, 3- and 4-byte UTF-8, without U+0000. */
  text(maxLength: number, alphabet: readonly string[] = TEXT_ALPHABET): string {
    let s = "";
    const length = this.below(maxLength + 1);
    for (let i = 0; i < length; i++) s += this.pick(alphabet);
    return s;
  }
}

const TEXT_ALPHABET = ["a", "b", "z", "0", "9", "-", "_", " ", "é", "ß", "€", "字", "\u{1f600}", "\u{feff}", "\u0001", "/"];
/** Topic-level characters: no '/', '+', '#', U+0000. */
export const LEVEL_ALPHABET = ["a", "b", "c", "x", "1", "2", "-", "_", "é", "€", "\u{1f600}", "$"];

/** A valid topic name of 1..maxLevels levels (levels may be empty). */
export function randomTopic(random: Prng, maxLevels = 5): string {
  const levels: string[] = [];
  const count = random.between(1, maxLevels);
  for (let i = 0; i < count; i++) levels.push(random.text(8, LEVEL_ALPHABET));
  const topic = levels.join("/");
  return topic === "" ? "t" : topic;
}

const text = (s: string): Uint8Array => utf8Encode(s);

export const PLAYER_KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";

/** CONNECT with will, user name, password and every CONNECT property a client may send. */
export const FULL_CONNECT: OutgoingPacket = {
  type: 1,
  clientId: PLAYER_KEY,
  cleanStart: true,
  keepAlive: 60,
  username: PLAYER_KEY,
  password: text("secret\u0000with nul"),
  will: {
    topic: `makapix/player/${PLAYER_KEY}/status`,
    payload: text(`{"player_key":"${PLAYER_KEY}","status":"offline"}`),
    qos: 1,
    retain: true,
    properties: {
      willDelayInterval: 5,
      payloadFormatIndicator: 1,
      messageExpiryInterval: 3600,
      contentType: "application/json",
      responseTopic: "makapix/reply",
      correlationData: new Uint8Array([1, 2, 3]),
      userProperties: [["origin", "will"], ["origin", "again"]],
    },
  },
  properties: {
    sessionExpiryInterval: 0xffffffff,
    receiveMaximum: 20,
    maximumPacketSize: 131072,
    topicAliasMaximum: 16,
    requestResponseInformation: 1,
    requestProblemInformation: 0,
    authenticationMethod: "none",
    authenticationData: new Uint8Array([0xde, 0xad]),
    userProperties: [["firmware", "1.0.0"], ["board", "esp32-s3"]],
  },
};

/** CONNACK with every CONNACK property. */
export const FULL_CONNACK: OutgoingPacket = {
  type: 2,
  sessionPresent: true,
  reasonCode: 0,
  properties: {
    sessionExpiryInterval: 7200,
    receiveMaximum: 10,
    maximumQoS: 1,
    retainAvailable: false,
    maximumPacketSize: 65536,
    assignedClientIdentifier: "assigned-1",
    topicAliasMaximum: 8,
    reasonString: "welcome",
    userProperties: [["server", "makapix"]],
    wildcardSubscriptionAvailable: true,
    subscriptionIdentifiersAvailable: false,
    sharedSubscriptionAvailable: false,
    serverKeepAlive: 30,
    responseInformation: "makapix/response",
    serverReference: "other.example:8883",
    authenticationMethod: "none",
    authenticationData: new Uint8Array([7]),
  },
};

/** One of every packet a QoS 0/1 client sends or receives, with many optional fields set. */
export function samplePackets(): OutgoingPacket[] {
  return [
    FULL_CONNECT,
    { type: 1, clientId: "", cleanStart: false, keepAlive: 0 },
    FULL_CONNACK,
    { type: 2, sessionPresent: false, reasonCode: 0x86 },
    {
      type: 3, topic: "makapix/player/p1/command", qos: 1, retain: false, dup: false, packetId: 1,
      properties: {
        topicAlias: 3, messageExpiryInterval: 60, contentType: "application/json", payloadFormatIndicator: 1,
        userProperties: [["request_id", "42"], ["request_id", "43"], ["é", "€"]],
      },
      payload: text('{"command":"show","post_id":123}'),
    },
    { type: 3, topic: "", qos: 1, retain: true, dup: true, packetId: 65535, properties: { topicAlias: 3 }, payload: new Uint8Array(0) },
    { type: 3, topic: "a/b", qos: 0, retain: false, dup: false, payload: new Uint8Array([0, 255, 0]) },
    {
      type: 3, topic: "r", qos: 0, retain: false, dup: false,
      properties: { responseTopic: "x/y", correlationData: new Uint8Array([9]), subscriptionIdentifiers: [1, 268435455] },
      payload: text("x"),
    },
    { type: 4, packetId: 1, reasonCode: 0 },
    { type: 4, packetId: 2, reasonCode: 0x10 },
    { type: 4, packetId: 3, reasonCode: 0x87, properties: { reasonString: "no", userProperties: [["k", "v"]] } },
    {
      type: 8, packetId: 10,
      subscriptions: [
        { topicFilter: "makapix/player/p1/command", qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        { topicFilter: "makapix/+/#", qos: 0, noLocal: true, retainAsPublished: true, retainHandling: 2 },
        { topicFilter: "$share/group/x", qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 1 },
      ],
      properties: { subscriptionIdentifier: 7, userProperties: [["a", "b"]] },
    },
    { type: 9, packetId: 10, reasonCodes: [0x01, 0x00, 0x80], properties: { reasonString: "partly" } },
    { type: 9, packetId: 11, reasonCodes: [0x01] },
    { type: 10, packetId: 12, topicFilters: ["a/#", "b/+/c"], properties: { userProperties: [["x", ""]] } },
    { type: 11, packetId: 12, reasonCodes: [0x00, 0x11], properties: { reasonString: "gone", userProperties: [["", ""]] } },
    { type: 12 },
    { type: 13 },
    { type: 14, reasonCode: 0 },
    { type: 14, reasonCode: 0x04 },
    { type: 14, reasonCode: 0x8b, properties: { sessionExpiryInterval: 0, reasonString: "bye", serverReference: "b2", userProperties: [["why", "maintenance"]] } },
  ];
}

// ---------------------------------------------------------------------------------------------
// Random valid packets (seeded), for round trips and the oracle tier.

// Reason codes each packet may carry (MQTT 5.0 §3.2.2.2, §3.4.2.1, §3.9.3, §3.11.3, §3.14.2.1).
export const CONNACK_REASON_CODES = [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f];
export const PUBACK_REASON_CODES = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
export const SUBACK_REASON_CODES = [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2];
export const UNSUBACK_REASON_CODES = [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91];
export const DISCONNECT_REASON_CODES = [
  0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
  0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
];

type Generators = Record<string, (random: Prng) => unknown>;

const u32 = (random: Prng): number => Math.floor(random.next() * 4294967296);
const u16 = (random: Prng): number => random.below(65536);
const bit = (random: Prng): number => random.below(2);
const str = (random: Prng): string => random.text(12);
const bin = (random: Prng): Uint8Array => random.bytes(random.below(17));
const USER_PROPERTY_NAMES = ["request_id", "k", "é", "trace", "x-1"];
// Values are never empty: mqtt-packet's parser (the oracle) loses a repeated name whose first value is "".
const userProperties = (random: Prng): [string, string][] => {
  const pairs: [string, string][] = [];
  const count = random.between(1, 4);
  for (let i = 0; i < count; i++) pairs.push([random.chance(0.8) ? random.pick(USER_PROPERTY_NAMES) : random.text(6), random.text(8) || "v"]);
  return pairs;
};

const MESSAGE_PROPERTIES: Generators = {
  payloadFormatIndicator: bit,
  messageExpiryInterval: u32,
  contentType: str,
  responseTopic: (random) => randomTopic(random),
  correlationData: bin,
  userProperties,
};
const PUBLISH_PROPERTIES: Generators = {
  ...MESSAGE_PROPERTIES,
  topicAlias: (random) => random.between(1, 65535),
  subscriptionIdentifiers: (random) => {
    const ids: number[] = [];
    for (let i = random.between(1, 3); i > 0; i--) ids.push(random.chance(0.5) ? random.between(1, 127) : random.between(1, 268435455));
    return ids;
  },
};
const WILL_PROPERTIES: Generators = { ...MESSAGE_PROPERTIES, willDelayInterval: u32 };
const CONNECT_PROPERTIES: Generators = {
  sessionExpiryInterval: u32,
  receiveMaximum: (random) => random.between(1, 65535),
  maximumPacketSize: (random) => random.between(1, 4294967295),
  topicAliasMaximum: u16,
  requestResponseInformation: bit,
  requestProblemInformation: bit,
  authenticationMethod: str,
  authenticationData: bin,
  userProperties,
};
const CONNACK_PROPERTIES: Generators = {
  sessionExpiryInterval: u32,
  receiveMaximum: (random) => random.between(1, 65535),
  maximumQoS: bit,
  retainAvailable: (random) => random.chance(0.5),
  maximumPacketSize: (random) => random.between(1, 4294967295),
  assignedClientIdentifier: str,
  topicAliasMaximum: u16,
  reasonString: str,
  userProperties,
  wildcardSubscriptionAvailable: (random) => random.chance(0.5),
  subscriptionIdentifiersAvailable: (random) => random.chance(0.5),
  sharedSubscriptionAvailable: (random) => random.chance(0.5),
  serverKeepAlive: u16,
  responseInformation: str,
  serverReference: str,
  authenticationMethod: str,
  authenticationData: bin,
};
const ACK_PROPERTIES: Generators = { reasonString: str, userProperties };
const SUBSCRIBE_PROPERTIES: Generators = { subscriptionIdentifier: (random) => random.between(1, 268435455), userProperties };
const DISCONNECT_PROPERTIES: Generators = { sessionExpiryInterval: u32, reasonString: str, serverReference: str, userProperties };

/** A random subset of the properties in `generators`, or undefined when the subset is empty. */
function randomProperties<T>(random: Prng, generators: Generators): T | undefined {
  const properties: Record<string, unknown> = {};
  let any = false;
  const probability = random.chance(0.2) ? 0.9 : 0.3;
  for (const key of Object.keys(generators)) {
    if (!random.chance(probability)) continue;
    properties[key] = generators[key](random);
    any = true;
  }
  return any ? (properties as T) : undefined;
}

/** Sets `key` only when `value` is defined: decoded packets have no keys for absent fields. */
function put<T extends object>(target: T, key: string, value: unknown): T {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  return target;
}

export function randomTopicFilter(random: Prng): string {
  for (;;) {
    const levels = randomTopic(random, 4).split("/");
    for (let i = 0; i < levels.length; i++) if (random.chance(0.25)) levels[i] = "+";
    if (random.chance(0.3)) levels.push("#");
    const filter = levels.join("/");
    if (filter.length > 0 && !filter.includes("\u0000")) return filter;
  }
}

function randomPayloadSize(random: Prng): number {
  const roll = random.next();
  if (roll < 0.6) return random.below(64);
  if (roll < 0.9) return random.below(2000);
  if (roll < 0.98) return random.below(30_000);
  return random.between(60_000, 70_000);
}

export function randomPublish(random: Prng): PublishPacket {
  const qos = random.chance(0.5) ? 1 : 0;
  const properties = randomProperties<PublishPacket["properties"]>(random, PUBLISH_PROPERTIES);
  const topic = properties?.topicAlias !== undefined && random.chance(0.3) ? "" : randomTopic(random);
  const packet: PublishPacket = { type: 3, topic, qos, retain: random.chance(0.3), dup: qos === 1 && random.chance(0.2), payload: random.bytes(randomPayloadSize(random)) };
  if (qos === 1) packet.packetId = random.between(1, 65535);
  return put(packet, "properties", properties);
}

/** A random valid packet of any type a QoS 0/1 client or its broker sends. */
export function randomPacket(random: Prng): OutgoingPacket {
  const packetId = random.between(1, 65535);
  switch (random.pick([1, 2, 3, 3, 3, 4, 8, 9, 10, 11, 12, 13, 14])) {
    case 1: {
      const clientId = random.chance(0.2) ? "" : random.text(23) || "c";
      const packet: OutgoingPacket = { type: 1, clientId, cleanStart: clientId === "" || random.chance(0.5), keepAlive: u16(random) };
      if (random.chance(0.5)) packet.username = random.text(20);
      if (random.chance(0.5)) packet.password = bin(random);
      if (random.chance(0.5)) {
        const will: Will = { topic: randomTopic(random), payload: random.bytes(random.below(100)), qos: random.chance(0.5) ? 1 : 0, retain: random.chance(0.5) };
        packet.will = put(will, "properties", randomProperties(random, WILL_PROPERTIES));
      }
      return put(packet, "properties", randomProperties(random, CONNECT_PROPERTIES));
    }
    case 2: {
      const reasonCode = random.chance(0.5) ? 0 : random.pick(CONNACK_REASON_CODES);
      return put({ type: 2, sessionPresent: reasonCode < 0x80 && random.chance(0.5), reasonCode }, "properties", randomProperties(random, CONNACK_PROPERTIES));
    }
    case 3:
      return randomPublish(random);
    case 4:
      return put({ type: 4, packetId, reasonCode: random.chance(0.5) ? 0 : random.pick(PUBACK_REASON_CODES) }, "properties", randomProperties(random, ACK_PROPERTIES));
    case 8: {
      const subscriptions = [];
      for (let i = random.between(1, 4); i > 0; i--) {
        subscriptions.push({ topicFilter: randomTopicFilter(random), qos: bit(random) as 0 | 1, noLocal: random.chance(0.5), retainAsPublished: random.chance(0.5), retainHandling: random.below(3) as 0 | 1 | 2 });
      }
      return put({ type: 8, packetId, subscriptions }, "properties", randomProperties(random, SUBSCRIBE_PROPERTIES));
    }
    case 9:
    case 11: {
      const type = random.chance(0.5) ? 9 : 11;
      const reasonCodes: number[] = [];
      for (let i = random.between(1, 5); i > 0; i--) reasonCodes.push(random.pick(type === 9 ? SUBACK_REASON_CODES : UNSUBACK_REASON_CODES));
      return put({ type, packetId, reasonCodes }, "properties", randomProperties(random, ACK_PROPERTIES));
    }
    case 10: {
      const topicFilters: string[] = [];
      for (let i = random.between(1, 4); i > 0; i--) topicFilters.push(randomTopicFilter(random));
      return put({ type: 10, packetId, topicFilters }, "properties", randomProperties(random, { userProperties }));
    }
    case 12:
      return { type: 12 };
    case 13:
      return { type: 13 };
    default:
      return put({ type: 14, reasonCode: random.chance(0.3) ? 0 : random.pick(DISCONNECT_REASON_CODES) }, "properties", randomProperties(random, DISCONNECT_PROPERTIES));
  }
}
