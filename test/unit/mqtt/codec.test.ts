// The MQTT 5 codec packet by packet: every packet a QoS 0/1 client sends or receives survives
// encode → decode with every field, the wire bytes are the ones the spec prescribes, and every
// malformed packet or unencodable value is refused with an MqttProtocolError carrying the right
// reason code.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { concatBytes } from "../../support/bytes.js";
import { encodePacket, packetSize } from "../../../src/mqtt/encode.js";
import { MqttProtocolError } from "../../../src/mqtt/errors.js";
import type { OutgoingPacket, PublishPacket } from "../../../src/mqtt/packets.js";
import { reasonName } from "../../../src/mqtt/reasons.js";
import { utf8Encode } from "../../../src/util/utf8.js";
import {
  FULL_CONNACK, FULL_CONNECT, Prng, asPackets, decodeChunks, hex, randomPacket, reasonOf, samplePackets,
} from "../../support/mqtt-codec.js";

const MALFORMED = 0x81;
const PROTOCOL = 0x82;
const UNSUPPORTED_VERSION = 0x84;
const FILTER_INVALID = 0x8f;
const TOPIC_INVALID = 0x90;
const TOO_LARGE = 0x95;

function roundTrip(packet: OutgoingPacket): OutgoingPacket {
  const decoded = asPackets(decodeChunks([encodePacket(packet)]));
  assert.equal(decoded.length, 1, "one packet in, one packet out");
  return decoded[0];
}

/** Reason code the decoder gives `bytes` (hex), which must be refused. */
function decodeReason(bytesHex: string): number {
  return reasonOf(() => decodeChunks([hex(bytesHex)]));
}

function publish(fields: Partial<PublishPacket>): PublishPacket {
  return { type: 3, topic: "t", qos: 0, retain: false, dup: false, payload: new Uint8Array(0), ...fields };
}

describe("round trip", () => {
  for (const packet of samplePackets()) {
    const label = `${packet.type}: ${JSON.stringify(packet, (_key, value: unknown) => (value instanceof Uint8Array ? `bytes(${value.length})` : value)).slice(0, 90)}`;
    test(`type ${label}`, () => {
      const bytes = encodePacket(packet);
      assert.equal(packetSize(packet), bytes.length, "packetSize agrees with the encoding");
      assert.deepEqual(roundTrip(packet), packet);
      // Decoding and encoding again gives the same bytes: the encoding is canonical.
      assert.deepEqual(encodePacket(roundTrip(packet)), bytes);
    });
  }

  test("CONNECT carries will, user name, password and all client properties", () => {
    const decoded = roundTrip(FULL_CONNECT);
    assert.equal(decoded.type, 1);
    if (decoded.type !== 1) return;
    assert.equal(decoded.will?.retain, true);
    assert.equal(decoded.will?.qos, 1);
    assert.deepEqual(decoded.will?.properties?.userProperties, [["origin", "will"], ["origin", "again"]]);
    assert.equal(decoded.properties?.sessionExpiryInterval, 0xffffffff);
    assert.deepEqual(decoded.password, utf8Encode("secret\u0000with nul"), "binary data may hold 0x00");
  });

  test("CONNACK carries all seventeen properties", () => {
    const decoded = roundTrip(FULL_CONNACK);
    assert.equal(decoded.type, 2);
    if (decoded.type !== 2) return;
    assert.equal(Object.keys(decoded.properties ?? {}).length, 17);
  });

  test("a 28 KB PUBLISH QoS 1 with topic alias and message expiry", () => {
    const payload = new Uint8Array(28_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const packet = publish({ topic: "makapix/post/1", qos: 1, packetId: 9, properties: { topicAlias: 1, messageExpiryInterval: 10 }, payload });
    assert.deepEqual(roundTrip(packet), packet);
  });
});

describe("wire bytes", () => {
  test("fixed-size packets", () => {
    assert.deepEqual(encodePacket({ type: 12 }), hex("c0 00"));
    assert.deepEqual(encodePacket({ type: 13 }), hex("d0 00"));
    assert.deepEqual(encodePacket({ type: 14, reasonCode: 0 }), hex("e0 00"), "normal DISCONNECT leaves out reason and properties");
    assert.deepEqual(encodePacket({ type: 14, reasonCode: 0x04 }), hex("e0 01 04"));
    assert.deepEqual(encodePacket({ type: 4, packetId: 0x1234, reasonCode: 0 }), hex("40 02 12 34"), "PUBACK success is 2 bytes");
    assert.deepEqual(encodePacket({ type: 4, packetId: 1, reasonCode: 0x10 }), hex("40 03 00 01 10"));
  });

  test("a minimal CONNECT", () => {
    assert.deepEqual(
      encodePacket({ type: 1, clientId: "a", cleanStart: true, keepAlive: 60 }),
      hex("10 0e 00 04 4d 51 54 54 05 02 00 3c 00 00 01 61"),
    );
  });

  test("PUBLISH flags and SUBSCRIBE/UNSUBSCRIBE reserved flags", () => {
    assert.deepEqual(encodePacket(publish({ topic: "a", qos: 1, packetId: 1, dup: true, retain: true, payload: hex("ff") })), hex("3b 07 00 01 61 00 01 00 ff"));
    assert.equal(encodePacket({ type: 8, packetId: 1, subscriptions: [{ topicFilter: "a", qos: 1 }] })[0], 0x82);
    assert.equal(encodePacket({ type: 10, packetId: 1, topicFilters: ["a"] })[0], 0xa2);
  });

  test("user properties keep their order and repeats on the wire", () => {
    const bytes = encodePacket({ type: 4, packetId: 1, reasonCode: 0, properties: { userProperties: [["k", "2"], ["j", "1"], ["k", "3"]] } });
    assert.deepEqual(bytes, hex("40 19 00 01 00 15 26 00 01 6b 00 01 32 26 00 01 6a 00 01 31 26 00 01 6b 00 01 33"));
  });

  test("short forms of PUBACK and DISCONNECT decode with reason code 0 and no properties", () => {
    assert.deepEqual(asPackets(decodeChunks([hex("40 02 00 05")])), [{ type: 4, packetId: 5, reasonCode: 0 }]);
    assert.deepEqual(asPackets(decodeChunks([hex("40 03 00 05 10")])), [{ type: 4, packetId: 5, reasonCode: 0x10 }]);
    assert.deepEqual(asPackets(decodeChunks([hex("40 04 00 05 10 00")])), [{ type: 4, packetId: 5, reasonCode: 0x10 }]);
    assert.deepEqual(asPackets(decodeChunks([hex("e0 00")])), [{ type: 14, reasonCode: 0 }]);
    assert.deepEqual(asPackets(decodeChunks([hex("e0 01 8e")])), [{ type: 14, reasonCode: 0x8e }]);
  });

  test("UTF-8 strings: BOM kept, non-ASCII encoded as UTF-8", () => {
    const bom = publish({ topic: "\ufeffa/€", payload: new Uint8Array(0) });
    const bytes = encodePacket(bom);
    assert.deepEqual(bytes.subarray(2, 12), hex("00 08 ef bb bf 61 2f e2 82 ac"));
    assert.deepEqual(roundTrip(bom), bom, "a leading U+FEFF is not stripped");
  });
});

describe("decoder refuses malformed packets with the right reason code", () => {
  const cases: [string, string, number][] = [
    ["reserved packet type 0", "00 00", MALFORMED],
    ["PUBREC (QoS 2 flow)", "50 02 00 01", PROTOCOL],
    ["PUBREL", "62 02 00 01", PROTOCOL],
    ["AUTH", "f0 00", PROTOCOL],
    ["PINGRESP with flags", "d1 00", MALFORMED],
    ["SUBACK with flags", "91 03 00 01 00", MALFORMED],
    ["SUBSCRIBE without its 0010 flags", "80 06 00 01 00 00 01 61", MALFORMED],
    ["PUBLISH with both QoS bits", "36 05 00 01 61 00 01", MALFORMED],
    ["PUBLISH QoS 2", "34 06 00 01 61 00 01 00", PROTOCOL],
    ["PUBLISH QoS 0 with DUP", "38 04 00 01 61 00", MALFORMED],
    ["remaining length of 5 bytes", "30 ff ff ff ff 7f", MALFORMED],
    ["remaining length overlong", "d0 80 00", MALFORMED],
    ["PINGRESP with a body", "d0 01 00", MALFORMED],
    ["CONNACK truncated", "20 01 00", MALFORMED],
    ["CONNACK with reserved flags", "20 03 02 00 00", MALFORMED],
    ["CONNACK with an undefined reason code", "20 03 00 05 00", PROTOCOL],
    ["CONNACK session present with a failure", "20 03 01 87 00", PROTOCOL],
    ["CONNACK with trailing bytes", "20 04 00 00 00 00", MALFORMED],
    ["CONNACK property twice", "20 09 00 00 06 21 00 05 21 00 05", PROTOCOL],
    ["CONNACK with a PUBLISH-only property", "20 06 00 00 03 23 00 01", MALFORMED],
    ["unknown property identifier", "20 05 00 00 02 7f 00", MALFORMED],
    ["property identifier 0", "20 05 00 00 02 00 00", MALFORMED],
    ["receive maximum 0", "20 06 00 00 03 21 00 00", PROTOCOL],
    ["maximum QoS 2", "20 05 00 00 02 24 02", PROTOCOL],
    ["retain available 2", "20 05 00 00 02 25 02", PROTOCOL],
    ["maximum packet size 0", "20 08 00 00 05 27 00 00 00 00", PROTOCOL],
    ["property length past the end", "20 04 00 00 05 25", MALFORMED],
    ["property value past the property length", "20 06 00 00 02 21 00 05", MALFORMED],
    ["property length 5-byte integer", "20 07 00 00 80 80 80 80 01", MALFORMED],
    ["reason string that is not UTF-8", "20 08 00 00 05 1f 00 02 c0 80", MALFORMED],
    ["reason string holding U+0000", "20 07 00 00 04 1f 00 01 00", MALFORMED],
    ["reason string with a surrogate", "20 09 00 00 06 1f 00 03 ed a0 80", MALFORMED],
    ["string length past the end", "20 07 00 00 04 1f 00 09 61", MALFORMED],
    ["PUBLISH shorter than its topic length", "30 01 00", MALFORMED],
    ["PUBLISH topic past the remaining length", "30 04 00 05 61 62", MALFORMED],
    ["PUBLISH without a property length", "30 03 00 01 61", MALFORMED],
    ["PUBLISH topic with a wildcard", "30 04 00 01 23 00", TOPIC_INVALID],
    ["PUBLISH topic with U+0000", "30 04 00 01 00 00", MALFORMED],
    ["PUBLISH empty topic without alias", "30 03 00 00 00", PROTOCOL],
    ["PUBLISH topic alias 0", "30 06 00 00 03 23 00 00", PROTOCOL],
    ["PUBLISH packet identifier 0", "32 06 00 01 61 00 00 00", PROTOCOL],
    ["PUBLISH payload format indicator 2", "30 06 00 01 61 02 01 02", PROTOCOL],
    ["PUBLISH subscription identifier 0", "30 06 00 01 61 02 0b 00", PROTOCOL],
    ["PUBLISH property length overlong", "30 06 00 01 61 80 80 00", MALFORMED],
    ["PUBLISH property length of 5 bytes", "30 0a 00 01 61 80 80 80 80 01 00 00", MALFORMED],
    ["PUBACK packet identifier 0", "40 02 00 00", PROTOCOL],
    ["PUBACK undefined reason code", "40 03 00 01 01", PROTOCOL],
    ["PUBACK property not allowed", "40 07 00 01 00 03 23 00 01", MALFORMED],
    ["SUBACK without reason codes", "90 03 00 01 00", PROTOCOL],
    ["SUBACK with reason code 0x05", "90 04 00 01 00 05", PROTOCOL],
    ["UNSUBACK with reason code 0x01", "b0 04 00 01 00 01", PROTOCOL],
    ["DISCONNECT undefined reason code", "e0 01 01", PROTOCOL],
    ["DISCONNECT with a CONNACK property", "e0 04 00 02 25 01", MALFORMED],
    ["CONNECT protocol version 4", "10 0d 00 04 4d 51 54 54 04 02 00 3c 00 00 00", UNSUPPORTED_VERSION],
    ["CONNECT protocol name MQIsdp", "10 0d 00 04 4d 51 49 73 05 02 00 3c 00 00 00", MALFORMED],
    ["CONNECT reserved flag", "10 0d 00 04 4d 51 54 54 05 03 00 3c 00 00 00", MALFORMED],
    ["CONNECT will QoS without will flag", "10 0d 00 04 4d 51 54 54 05 0a 00 3c 00 00 00", MALFORMED],
    ["CONNECT will QoS 3", "10 13 00 04 4d 51 54 54 05 1e 00 3c 00 00 00 00 00 01 61 00 00", MALFORMED],
    ["CONNECT will topic with a wildcard", "10 13 00 04 4d 51 54 54 05 06 00 3c 00 00 00 00 00 01 2b 00 00", TOPIC_INVALID],
    ["SUBSCRIBE reserved option bits", "82 07 00 01 00 00 01 61 c1", MALFORMED],
    ["SUBSCRIBE retain handling 3", "82 07 00 01 00 00 01 61 31", PROTOCOL],
    ["SUBSCRIBE QoS 2", "82 07 00 01 00 00 01 61 02", PROTOCOL],
    ["SUBSCRIBE without filters", "82 03 00 01 00", PROTOCOL],
    ["UNSUBSCRIBE without filters", "a2 03 00 01 00", PROTOCOL],
  ];
  for (const [name, bytes, reason] of cases) {
    test(`${name} → 0x${reason.toString(16)}`, () => {
      assert.equal(decodeReason(bytes), reason);
    });
  }

  test("errors name the packet and what was wrong", () => {
    assert.throws(() => decodeChunks([hex("20 09 00 00 06 21 00 05 21 00 05")]), {
      name: "MqttProtocolError",
      message: /^CONNACK: property 0x21 \(receiveMaximum\) appears twice/,
    });
    assert.throws(() => decodeChunks([hex("30 04 00 01 23 00")]), { message: /^PUBLISH: topic name "#" contains a wildcard/ });
  });

  test("more user properties than the limit → 0x95, the limit itself is fine", () => {
    const properties = { userProperties: [] as [string, string][] };
    for (let i = 0; i < 4; i++) properties.userProperties.push([`k${i}`, "v"]);
    const bytes = encodePacket({ type: 4, packetId: 1, reasonCode: 0, properties });
    assert.equal(decodeChunks([bytes], { maximumPacketSize: 1000, maximumUserProperties: 4 }).length, 1);
    assert.equal(reasonOf(() => decodeChunks([bytes], { maximumPacketSize: 1000, maximumUserProperties: 3 })), TOO_LARGE);
    // The cap counts across the property blocks of one packet (CONNECT and its Will).
    const connect = encodePacket(FULL_CONNECT);
    assert.equal(reasonOf(() => decodeChunks([connect], { maximumPacketSize: 1000, maximumUserProperties: 3 })), TOO_LARGE);
    assert.equal(decodeChunks([connect], { maximumPacketSize: 1000, maximumUserProperties: 4 }).length, 1);
  });
});

describe("encoder refuses what cannot be sent", () => {
  const cases: [string, () => unknown, number][] = [
    ["PUBLISH QoS 2", () => encodePacket(publish({ qos: 2 as 1, packetId: 1 })), PROTOCOL],
    ["PUBLISH QoS 1 without packet identifier", () => encodePacket(publish({ qos: 1 })), PROTOCOL],
    ["PUBLISH packet identifier 0", () => encodePacket(publish({ qos: 1, packetId: 0 })), PROTOCOL],
    ["PUBLISH packet identifier 65536", () => encodePacket(publish({ qos: 1, packetId: 65536 })), PROTOCOL],
    ["PUBLISH QoS 0 with a packet identifier", () => encodePacket(publish({ packetId: 1 })), PROTOCOL],
    ["PUBLISH QoS 0 with DUP", () => encodePacket(publish({ dup: true })), MALFORMED],
    ["PUBLISH topic with '+'", () => encodePacket(publish({ topic: "a/+" })), TOPIC_INVALID],
    ["PUBLISH empty topic without alias", () => encodePacket(publish({ topic: "" })), PROTOCOL],
    ["PUBLISH topic alias 0", () => encodePacket(publish({ properties: { topicAlias: 0 } })), PROTOCOL],
    ["PUBLISH topic with U+0000", () => encodePacket(publish({ topic: "a\u0000b" })), TOPIC_INVALID],
    ["PUBLISH content type with U+0000", () => encodePacket(publish({ properties: { contentType: "a\u0000" } })), MALFORMED],
    ["PUBLISH topic with a lone surrogate", () => encodePacket(publish({ topic: "a\ud800" })), MALFORMED],
    ["PUBLISH user property with a lone surrogate", () => encodePacket(publish({ properties: { userProperties: [["k", "\udc00"]] } })), MALFORMED],
    ["PUBLISH string over 65535 bytes", () => encodePacket(publish({ properties: { contentType: "€".repeat(21846) } })), MALFORMED],
    ["PUBLISH payload that is not bytes", () => encodePacket(publish({ payload: "text" as unknown as Uint8Array })), MALFORMED],
    ["PUBLISH property of another packet", () => encodePacket(publish({ properties: { receiveMaximum: 1 } as object })), MALFORMED],
    ["PUBLISH message expiry above 2^32-1", () => encodePacket(publish({ properties: { messageExpiryInterval: 2 ** 32 } })), PROTOCOL],
    ["PUBLISH message expiry not an integer", () => encodePacket(publish({ properties: { messageExpiryInterval: 1.5 } })), MALFORMED],
    ["CONNECT keep alive above 65535", () => encodePacket({ type: 1, clientId: "a", cleanStart: true, keepAlive: 65536 }), MALFORMED],
    ["CONNECT keep alive negative", () => encodePacket({ type: 1, clientId: "a", cleanStart: true, keepAlive: -1 }), MALFORMED],
    ["CONNECT receive maximum 0", () => encodePacket({ type: 1, clientId: "a", cleanStart: true, keepAlive: 1, properties: { receiveMaximum: 0 } }), PROTOCOL],
    ["CONNECT will QoS 2", () => encodePacket({ ...FULL_CONNECT, will: { topic: "w", payload: new Uint8Array(0), qos: 2 as 1, retain: false } } as OutgoingPacket), PROTOCOL],
    ["CONNECT will topic with '#'", () => encodePacket({ ...FULL_CONNECT, will: { topic: "w/#", payload: new Uint8Array(0), qos: 0, retain: false } } as OutgoingPacket), TOPIC_INVALID],
    ["CONNECT password that is not bytes", () => encodePacket({ type: 1, clientId: "a", cleanStart: true, keepAlive: 1, password: "pw" as unknown as Uint8Array }), MALFORMED],
    ["CONNECT client id not a string", () => encodePacket({ type: 1, clientId: 5 as unknown as string, cleanStart: true, keepAlive: 1 }), MALFORMED],
    ["SUBSCRIBE without subscriptions", () => encodePacket({ type: 8, packetId: 1, subscriptions: [] }), PROTOCOL],
    ["SUBSCRIBE filter 'a/#/b'", () => encodePacket({ type: 8, packetId: 1, subscriptions: [{ topicFilter: "a/#/b", qos: 0 }] }), FILTER_INVALID],
    ["SUBSCRIBE retain handling 3", () => encodePacket({ type: 8, packetId: 1, subscriptions: [{ topicFilter: "a", qos: 0, retainHandling: 3 as 0 }] }), PROTOCOL],
    ["SUBSCRIBE subscription identifier 0", () => encodePacket({ type: 8, packetId: 1, subscriptions: [{ topicFilter: "a", qos: 0 }], properties: { subscriptionIdentifier: 0 } }), PROTOCOL],
    ["SUBSCRIBE subscription identifier 2^28", () => encodePacket({ type: 8, packetId: 1, subscriptions: [{ topicFilter: "a", qos: 0 }], properties: { subscriptionIdentifier: 2 ** 28 } }), PROTOCOL],
    ["UNSUBSCRIBE without filters", () => encodePacket({ type: 10, packetId: 1, topicFilters: [] }), PROTOCOL],
    ["UNSUBSCRIBE filter 'a+'", () => encodePacket({ type: 10, packetId: 1, topicFilters: ["a+"] }), FILTER_INVALID],
    ["PUBACK packet identifier 0", () => encodePacket({ type: 4, packetId: 0, reasonCode: 0 }), PROTOCOL],
    ["PUBACK reason code 256", () => encodePacket({ type: 4, packetId: 1, reasonCode: 256 }), MALFORMED],
    ["SUBACK without reason codes", () => encodePacket({ type: 9, packetId: 1, reasonCodes: [] }), PROTOCOL],
    ["DISCONNECT user property not a pair", () => encodePacket({ type: 14, reasonCode: 0, properties: { userProperties: [["a"] as unknown as [string, string]] } }), MALFORMED],
    ["CONNACK retain available not a boolean", () => encodePacket({ type: 2, sessionPresent: false, reasonCode: 0, properties: { retainAvailable: 1 as unknown as boolean } }), MALFORMED],
    ["packet type PUBREC", () => encodePacket({ type: 5 } as unknown as OutgoingPacket), PROTOCOL],
    ["not an object", () => encodePacket(null as unknown as OutgoingPacket), PROTOCOL],
  ];
  for (const [name, action, reason] of cases) {
    test(`${name} → 0x${reason.toString(16)}`, () => {
      assert.equal(reasonOf(action), reason);
    });
  }

  test("a packet over 268435455 bytes is refused with 0x95 before anything is allocated", () => {
    // A byte array that claims 2^28 bytes: counting reads only its length, so nothing that big is allocated.
    const huge = new Uint8Array(1);
    Object.defineProperty(huge, "length", { value: 2 ** 28 });
    const packet = publish({ payload: huge });
    assert.equal(reasonOf(() => packetSize(packet)), TOO_LARGE);
  });

  test("errors name the packet and the field", () => {
    assert.throws(() => encodePacket({ type: 1, clientId: "a", cleanStart: true, keepAlive: 70000 }), {
      name: "MqttProtocolError",
      message: /^CONNECT: keep alive 70000 is not an integer in 0\.\.65535/,
    });
    assert.throws(() => encodePacket(publish({ properties: { contentType: "a\u0000" } })), /PUBLISH: property 0x03 \(contentType\) contains U\+0000/);
  });

  test("a refused packet does not disturb the next encoding", () => {
    const good = encodePacket(FULL_CONNECT);
    assert.throws(() => encodePacket({ ...FULL_CONNECT, keepAlive: -5 } as OutgoingPacket), MqttProtocolError);
    assert.deepEqual(encodePacket(FULL_CONNECT), good);
  });
});

describe("seeded random packets", () => {
  test("300 random packets of every type round-trip with every field", () => {
    const random = new Prng(20240611);
    const seen = new Set<number>();
    for (let index = 0; index < 300; index++) {
      const packet = randomPacket(random);
      seen.add(packet.type);
      const bytes = encodePacket(packet);
      assert.equal(packetSize(packet), bytes.length);
      const decoded = asPackets(decodeChunks([bytes]));
      assert.deepEqual(decoded, [packet], `case ${index}`);
    }
    assert.equal(seen.size, 11, "every packet type was generated");
  });
});

describe("several packets in one stream", () => {
  test("decode in order, and the decoder stays usable after each", () => {
    const packets = samplePackets();
    const stream = concatBytes(packets.map((packet) => encodePacket(packet)));
    assert.deepEqual(asPackets(decodeChunks([stream])), packets);
  });
});

test("reasonName names the codes a user sees", () => {
  assert.equal(reasonName(0x87), "not authorized (0x87)");
  assert.equal(reasonName(0x95), "packet too large (0x95)");
  assert.equal(reasonName(0x00), "success (0x00)");
  assert.equal(reasonName(0x8e), "session taken over (0x8e)");
  assert.match(reasonName(0xfe), /\(0xfe\)$/);
});
