// MQTT 5 packet encoder. Each packet is emitted twice: once into a counter that validates every
// field and sizes the property blocks, then into one Uint8Array of exactly that size.
// Memory: the result only. A PacketEncoder owns its counter and writer and reuses them; nothing is
// module-level state (a preloaded module's objects are read-only in flash).

import { MALFORMED_PACKET, MqttProtocolError, PACKET_TOO_LARGE, PROTOCOL_ERROR } from "./errors.js";
import type {
  ConnackPacket, ConnectPacket, OutgoingPacket, PubackPacket, PublishPacket, SubackPacket,
  SubscribePacket, UnsubackPacket, UnsubscribePacket,
} from "./packets.js";
import { PacketType } from "./packets.js";
import {
  CONNACK_PROPERTIES, CONNECT_PROPERTIES, DISCONNECT_PROPERTIES, PUBACK_PROPERTIES, PUBLISH_PROPERTIES, SUBACK_PROPERTIES,
  SUBSCRIBE_PROPERTIES, UNSUBACK_PROPERTIES, UNSUBSCRIBE_PROPERTIES, WILL_PROPERTIES, emitProperties, hasProperties,
  type PropertyContext,
} from "./properties.js";
import { isValidTopicFilter, isValidTopicName, validateTopicFilter, validateTopicName } from "./topics.js";
import { ByteCounter, ByteWriter, MAXIMUM_VARIABLE_BYTE_INTEGER, PACKET_NAMES, type ByteSink, variableByteIntegerSize } from "./wire.js";

function checkPacketId(out: ByteSink, packetId: number | undefined): void {
  if (typeof packetId !== "number" || !Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    out.fail(PROTOCOL_ERROR, `packet identifier ${String(packetId)} is not in 1..65535`);
  }
}

function checkQoS(out: ByteSink, qos: number, what: string): void {
  // QoS 2 is valid MQTT, but this client supports QoS 0 and 1 only.
  if (qos !== 0 && qos !== 1) out.fail(PROTOCOL_ERROR, `${what} ${String(qos)} is not 0 or 1 (QoS 2 is not supported)`);
}

function checkBoolean(out: ByteSink, value: unknown, what: string): void {
  if (typeof value !== "boolean") out.fail(MALFORMED_PACKET, `${what} is not a boolean`);
}

function emitConnect(out: ByteSink, packet: ConnectPacket): void {
  const { will } = packet;
  if (out.validating) {
    checkBoolean(out, packet.cleanStart, "clean start");
    if (will) {
      checkQoS(out, will.qos, "will QoS");
      checkBoolean(out, will.retain, "will retain");
      if (!isValidTopicName(will.topic)) validateTopicName(will.topic);
    }
  }
  out.string("MQTT", "protocol name");
  out.byte(5, "protocol version");
  let flags = packet.cleanStart ? 0x02 : 0;
  if (will) flags |= 0x04 | (will.qos << 3) | (will.retain ? 0x20 : 0);
  if (packet.password !== undefined) flags |= 0x40;
  if (packet.username !== undefined) flags |= 0x80;
  out.byte(flags, "connect flags");
  out.twoByte(packet.keepAlive, "keep alive");
  emitProperties(out, CONNECT_PROPERTIES, packet.properties);
  out.string(packet.clientId, "client identifier");
  if (will) {
    emitProperties(out, WILL_PROPERTIES, will.properties);
    out.string(will.topic, "will topic");
    out.binary(will.payload, "will payload");
  }
  if (packet.username !== undefined) out.string(packet.username, "user name");
  if (packet.password !== undefined) out.binary(packet.password, "password");
}

function emitConnack(out: ByteSink, packet: ConnackPacket): void {
  if (out.validating) checkBoolean(out, packet.sessionPresent, "session present");
  out.byte(packet.sessionPresent ? 1 : 0, "connect acknowledge flags");
  out.byte(packet.reasonCode, "reason code");
  emitProperties(out, CONNACK_PROPERTIES, packet.properties);
}

function emitPublish(out: ByteSink, packet: PublishPacket): void {
  if (out.validating) {
    checkQoS(out, packet.qos, "QoS");
    checkBoolean(out, packet.retain, "retain");
    checkBoolean(out, packet.dup, "dup");
    if (packet.qos === 1) checkPacketId(out, packet.packetId);
    else if (packet.packetId !== undefined) out.fail(PROTOCOL_ERROR, "a QoS 0 message has no packet identifier");
    if (packet.qos === 0 && packet.dup) out.fail(MALFORMED_PACKET, "DUP must be 0 for a QoS 0 message");
    if (packet.topic === "") {
      if (packet.properties?.topicAlias === undefined) out.fail(PROTOCOL_ERROR, "empty topic name without a topic alias");
    } else if (!isValidTopicName(packet.topic)) {
      validateTopicName(packet.topic);
    }
  }
  out.string(packet.topic, "topic name");
  if (packet.qos === 1) out.twoByte(packet.packetId as number, "packet identifier");
  emitProperties(out, PUBLISH_PROPERTIES, packet.properties);
  out.raw(packet.payload);
}

/** PUBACK and DISCONNECT: the reason code and properties may be left out when they say nothing. */
function emitReasonAndProperties(out: ByteSink, reasonCode: number, properties: object | undefined, context: PropertyContext): void {
  const withProperties = hasProperties(properties);
  if (reasonCode === 0 && !withProperties) return;
  out.byte(reasonCode, "reason code");
  if (withProperties) emitProperties(out, context, properties);
}

function emitPuback(out: ByteSink, packet: PubackPacket): void {
  if (out.validating) checkPacketId(out, packet.packetId);
  out.twoByte(packet.packetId, "packet identifier");
  emitReasonAndProperties(out, packet.reasonCode, packet.properties, PUBACK_PROPERTIES);
}

function emitSubscribe(out: ByteSink, packet: SubscribePacket): void {
  const { subscriptions } = packet;
  if (out.validating) {
    checkPacketId(out, packet.packetId);
    if (!Array.isArray(subscriptions) || subscriptions.length === 0) out.fail(PROTOCOL_ERROR, "no subscriptions");
  }
  out.twoByte(packet.packetId, "packet identifier");
  emitProperties(out, SUBSCRIBE_PROPERTIES, packet.properties);
  for (const subscription of subscriptions) {
    if (out.validating && (subscription === null || typeof subscription !== "object")) out.fail(PROTOCOL_ERROR, `subscription ${String(subscription)} is not an object`);
    const retainHandling = subscription.retainHandling ?? 0;
    if (out.validating) {
      if (!isValidTopicFilter(subscription.topicFilter)) validateTopicFilter(subscription.topicFilter);
      checkQoS(out, subscription.qos, "subscription QoS");
      if (retainHandling !== 0 && retainHandling !== 1 && retainHandling !== 2) {
        out.fail(PROTOCOL_ERROR, `retain handling ${String(retainHandling)} is not 0, 1 or 2`);
      }
    }
    out.string(subscription.topicFilter, "topic filter");
    const options = subscription.qos | (subscription.noLocal ? 0x04 : 0) | (subscription.retainAsPublished ? 0x08 : 0) | (retainHandling << 4);
    out.byte(options, "subscription options");
  }
}

function emitAcknowledgementList(out: ByteSink, packet: SubackPacket | UnsubackPacket, context: PropertyContext): void {
  const { reasonCodes } = packet;
  if (out.validating) {
    checkPacketId(out, packet.packetId);
    if (!Array.isArray(reasonCodes) || reasonCodes.length === 0) out.fail(PROTOCOL_ERROR, "no reason codes");
  }
  out.twoByte(packet.packetId, "packet identifier");
  emitProperties(out, context, packet.properties);
  for (const code of reasonCodes) out.byte(code, "reason code");
}

function emitUnsubscribe(out: ByteSink, packet: UnsubscribePacket): void {
  const { topicFilters } = packet;
  if (out.validating) {
    checkPacketId(out, packet.packetId);
    if (!Array.isArray(topicFilters) || topicFilters.length === 0) out.fail(PROTOCOL_ERROR, "no topic filters");
  }
  out.twoByte(packet.packetId, "packet identifier");
  emitProperties(out, UNSUBSCRIBE_PROPERTIES, packet.properties);
  for (const filter of topicFilters) {
    if (out.validating && !isValidTopicFilter(filter)) validateTopicFilter(filter);
    out.string(filter, "topic filter");
  }
}

function emitBody(out: ByteSink, packet: OutgoingPacket): void {
  switch (packet.type) {
    case PacketType.CONNECT:
      return emitConnect(out, packet);
    case PacketType.CONNACK:
      return emitConnack(out, packet);
    case PacketType.PUBLISH:
      return emitPublish(out, packet);
    case PacketType.PUBACK:
      return emitPuback(out, packet);
    case PacketType.SUBSCRIBE:
      return emitSubscribe(out, packet);
    case PacketType.SUBACK:
      return emitAcknowledgementList(out, packet, SUBACK_PROPERTIES);
    case PacketType.UNSUBSCRIBE:
      return emitUnsubscribe(out, packet);
    case PacketType.UNSUBACK:
      return emitAcknowledgementList(out, packet, UNSUBACK_PROPERTIES);
    case PacketType.DISCONNECT:
      return emitReasonAndProperties(out, packet.reasonCode, packet.properties, DISCONNECT_PROPERTIES);
    case PacketType.PINGREQ:
    case PacketType.PINGRESP:
      return;
    default:
      throw new MqttProtocolError(PROTOCOL_ERROR, `cannot encode packet type ${String((packet as { type: unknown }).type)}`);
  }
}

function firstByte(packet: OutgoingPacket): number {
  const type = packet.type << 4;
  if (packet.type === PacketType.PUBLISH) return type | (packet.dup ? 0x08 : 0) | (packet.qos << 1) | (packet.retain ? 0x01 : 0);
  // SUBSCRIBE and UNSUBSCRIBE have reserved flags 0010 (§2.1.3).
  if (packet.type === PacketType.SUBSCRIBE || packet.type === PacketType.UNSUBSCRIBE) return type | 0x02;
  return type;
}

/** Encodes packets with a counter and a writer of its own, reused for every packet. */
export class PacketEncoder {
  readonly #counter = new ByteCounter();
  readonly #writer = new ByteWriter();

  /** Validates `packet` and returns its Remaining Length. */
  #countBody(packet: OutgoingPacket): number {
    if (packet === null || typeof packet !== "object") throw new MqttProtocolError(PROTOCOL_ERROR, "cannot encode a non-object as a packet");
    const counter = this.#counter;
    counter.begin(PACKET_NAMES[packet.type] ?? `packet type ${String(packet.type)}`);
    emitBody(counter, packet);
    const remaining = counter.count;
    if (remaining > MAXIMUM_VARIABLE_BYTE_INTEGER) {
      counter.fail(PACKET_TOO_LARGE, `remaining length ${remaining} exceeds ${MAXIMUM_VARIABLE_BYTE_INTEGER}`);
    }
    return remaining;
  }

  /** Size in bytes of `packet` on the wire, fixed header included (validates it like encode). */
  size(packet: OutgoingPacket): number {
    const remaining = this.#countBody(packet);
    return 1 + variableByteIntegerSize(remaining) + remaining;
  }

  /** Encodes `packet`; throws MqttProtocolError saying which field is wrong when it cannot be sent. */
  encode(packet: OutgoingPacket): Uint8Array {
    const remaining = this.#countBody(packet);
    const bytes = new Uint8Array(1 + variableByteIntegerSize(remaining) + remaining);
    const writer = this.#writer;
    writer.begin(bytes, this.#counter.blockSizes);
    writer.byte(firstByte(packet));
    writer.variableByteInteger(remaining);
    emitBody(writer, packet);
    return bytes;
  }
}

/** PacketEncoder.size with a fresh encoder (tests and tools; the client keeps one). */
export function packetSize(packet: OutgoingPacket): number {
  return new PacketEncoder().size(packet);
}

/** PacketEncoder.encode with a fresh encoder (tests and tools; the client keeps one). */
export function encodePacket(packet: OutgoingPacket): Uint8Array {
  return new PacketEncoder().encode(packet);
}
