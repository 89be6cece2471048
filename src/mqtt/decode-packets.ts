// Decoding of one buffered MQTT 5 packet body (everything but the PUBLISH payload), with the
// validation MQTT 5.0 asks of a receiver. The incremental framing lives in decode.ts.

import { MALFORMED_PACKET, PROTOCOL_ERROR, TOPIC_NAME_INVALID } from "./errors.js";
import type {
  AckProperties, ConnackPacket, ConnackProperties, ConnectPacket, ConnectProperties, ControlPacket, DisconnectPacket,
  DisconnectProperties, PublishHeader, PublishProperties, QoS, SubscribePacket, SubscribeProperties,
  SubscriptionRequest, UnsubscribePacket, Will, WillProperties,
} from "./packets.js";
import { PacketType } from "./packets.js";
import {
  CONNACK_PROPERTIES, CONNECT_PROPERTIES, DISCONNECT_PROPERTIES, PUBACK_PROPERTIES, PUBLISH_PROPERTIES, SUBACK_PROPERTIES,
  SUBSCRIBE_PROPERTIES, UNSUBACK_PROPERTIES, UNSUBSCRIBE_PROPERTIES, WILL_PROPERTIES, readProperties,
} from "./properties.js";
import { isValidTopicName } from "./topics.js";
import { PACKET_NAMES, type PacketReader } from "./wire.js";

// Reason codes each packet may carry (MQTT 5.0 §3.2.2.2, §3.4.2.1, §3.9.3, §3.11.3, §3.14.2.1).
const CONNACK_CODES = Object.freeze([0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f]);
const PUBACK_CODES = Object.freeze([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
const SUBACK_CODES = Object.freeze([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]);
const UNSUBACK_CODES = Object.freeze([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]);
const DISCONNECT_CODES = Object.freeze([
  0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
  0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
]);

function reasonCode(reader: PacketReader, allowed: readonly number[]): number {
  const code = reader.byte("reason code");
  if (!allowed.includes(code)) reader.fail(PROTOCOL_ERROR, `reason code 0x${code.toString(16)} is not defined for ${reader.packetName}`);
  return code;
}

function packetId(reader: PacketReader): number {
  const id = reader.twoByte("packet identifier");
  if (id === 0) reader.fail(PROTOCOL_ERROR, "packet identifier 0 (must be 1..65535)");
  return id;
}

function qosOf(reader: PacketReader, qos: number, what: string): QoS {
  if (qos === 3) reader.fail(MALFORMED_PACKET, `${what} 3 (both QoS bits set)`);
  if (qos === 2) reader.fail(PROTOCOL_ERROR, `${what} 2: this client supports QoS 0 and 1 only`);
  return qos as QoS;
}

/**
 * Checks the fixed header's first byte as soon as it arrives. Returns nothing; throws
 * MqttProtocolError for reserved types or flags, and for the QoS 2 / AUTH flow this client lacks.
 */
export function checkFixedHeader(reader: PacketReader, firstByte: number): void {
  const type = firstByte >> 4;
  const flags = firstByte & 0x0f;
  reader.packetName = PACKET_NAMES[type];
  switch (type) {
    case 0:
      return reader.fail(MALFORMED_PACKET, "control packet type 0 is reserved");
    case PacketType.PUBLISH:
      qosOf(reader, (flags >> 1) & 3, "QoS");
      if ((flags & 0x06) === 0 && (flags & 0x08) !== 0) reader.fail(MALFORMED_PACKET, "DUP flag set on a QoS 0 message");
      return;
    case PacketType.PUBREC:
    case PacketType.PUBREL:
    case PacketType.PUBCOMP:
      return reader.fail(PROTOCOL_ERROR, "QoS 2 flow packet received: this client supports QoS 0 and 1 only");
    case PacketType.AUTH:
      return reader.fail(PROTOCOL_ERROR, "AUTH received: this client does not use enhanced authentication");
  }
  const expected = type === PacketType.SUBSCRIBE || type === PacketType.UNSUBSCRIBE ? 0x02 : 0;
  if (flags !== expected) reader.fail(MALFORMED_PACKET, `reserved fixed header flags are 0x${flags.toString(16)}, must be 0x${expected}`);
}

function decodeConnect(reader: PacketReader, maximumUserProperties: number): ConnectPacket {
  const protocolName = reader.string("protocol name");
  if (protocolName !== "MQTT") reader.fail(MALFORMED_PACKET, `protocol name "${protocolName}" is not "MQTT"`);
  const version = reader.byte("protocol version");
  if (version !== 5) reader.fail(0x84, `protocol version ${version}: only MQTT 5 is supported`);
  const flags = reader.byte("connect flags");
  if (flags & 0x01) reader.fail(MALFORMED_PACKET, "reserved connect flag (bit 0) is set");
  const hasWill = (flags & 0x04) !== 0;
  const willQoS = (flags >> 3) & 3;
  const willRetain = (flags & 0x20) !== 0;
  if (!hasWill && (willQoS !== 0 || willRetain)) reader.fail(MALFORMED_PACKET, "will QoS or will retain set without the will flag");
  const packet: ConnectPacket = { type: 1, clientId: "", cleanStart: (flags & 0x02) !== 0, keepAlive: reader.twoByte("keep alive") };
  const properties = readProperties(reader, CONNECT_PROPERTIES, maximumUserProperties);
  if (properties) packet.properties = properties as ConnectProperties;
  packet.clientId = reader.string("client identifier");
  if (hasWill) {
    const willProperties = readProperties(reader, WILL_PROPERTIES, maximumUserProperties);
    const topic = reader.string("will topic");
    if (!isValidTopicName(topic)) reader.fail(TOPIC_NAME_INVALID, `will topic "${topic}" is not a valid topic name`);
    const will: Will = { topic, payload: reader.binary("will payload"), qos: qosOf(reader, willQoS, "will QoS"), retain: willRetain };
    if (willProperties) will.properties = willProperties as WillProperties;
    packet.will = will;
  }
  if (flags & 0x80) packet.username = reader.string("user name");
  if (flags & 0x40) packet.password = reader.binary("password");
  return packet;
}

function decodeConnack(reader: PacketReader, maximumUserProperties: number): ConnackPacket {
  const flags = reader.byte("connect acknowledge flags");
  if (flags & 0xfe) reader.fail(MALFORMED_PACKET, `reserved connect acknowledge flags set (0x${flags.toString(16)})`);
  const code = reasonCode(reader, CONNACK_CODES);
  const sessionPresent = flags === 1;
  if (sessionPresent && code >= 0x80) reader.fail(PROTOCOL_ERROR, `session present with failure reason code 0x${code.toString(16)}`);
  const packet: ConnackPacket = { type: 2, sessionPresent, reasonCode: code };
  const properties = readProperties(reader, CONNACK_PROPERTIES, maximumUserProperties);
  if (properties) packet.properties = properties as ConnackProperties;
  return packet;
}

function decodeSubscribe(reader: PacketReader, maximumUserProperties: number): SubscribePacket {
  const packet: SubscribePacket = { type: 8, packetId: packetId(reader), subscriptions: [] };
  const properties = readProperties(reader, SUBSCRIBE_PROPERTIES, maximumUserProperties);
  if (properties) packet.properties = properties as SubscribeProperties;
  if (reader.left === 0) reader.fail(PROTOCOL_ERROR, "no topic filters");
  while (reader.left > 0) {
    const topicFilter = reader.string("topic filter");
    const options = reader.byte("subscription options");
    if (options & 0xc0) reader.fail(MALFORMED_PACKET, `reserved subscription option bits set (0x${options.toString(16)})`);
    const retainHandling = (options >> 4) & 3;
    if (retainHandling === 3) reader.fail(PROTOCOL_ERROR, "retain handling 3 is reserved");
    const subscription: SubscriptionRequest = {
      topicFilter,
      qos: qosOf(reader, options & 3, "subscription QoS"),
      noLocal: (options & 0x04) !== 0,
      retainAsPublished: (options & 0x08) !== 0,
      retainHandling: retainHandling as 0 | 1 | 2,
    };
    packet.subscriptions.push(subscription);
  }
  return packet;
}

function decodeUnsubscribe(reader: PacketReader, maximumUserProperties: number): UnsubscribePacket {
  const packet: UnsubscribePacket = { type: 10, packetId: packetId(reader), topicFilters: [] };
  const properties = readProperties(reader, UNSUBSCRIBE_PROPERTIES, maximumUserProperties);
  if (properties) packet.properties = properties as { userProperties?: [string, string][] };
  if (reader.left === 0) reader.fail(PROTOCOL_ERROR, "no topic filters");
  while (reader.left > 0) packet.topicFilters.push(reader.string("topic filter"));
  return packet;
}

/** SUBACK and UNSUBACK: packet identifier, properties, one reason code per requested filter. */
function decodeAcknowledgementList(reader: PacketReader, type: 9 | 11, maximumUserProperties: number): ControlPacket {
  const id = packetId(reader);
  const properties = readProperties(reader, type === 9 ? SUBACK_PROPERTIES : UNSUBACK_PROPERTIES, maximumUserProperties);
  if (reader.left === 0) reader.fail(PROTOCOL_ERROR, "no reason codes");
  const reasonCodes: number[] = [];
  while (reader.left > 0) reasonCodes.push(reasonCode(reader, type === 9 ? SUBACK_CODES : UNSUBACK_CODES));
  return properties ? { type, packetId: id, reasonCodes, properties: properties as AckProperties } : { type, packetId: id, reasonCodes };
}

/** Decodes a whole non-PUBLISH packet body; `reader` spans exactly the Remaining Length. */
export function decodeControlPacket(reader: PacketReader, type: number, maximumUserProperties: number): ControlPacket {
  let packet: ControlPacket;
  switch (type) {
    case PacketType.CONNECT:
      packet = decodeConnect(reader, maximumUserProperties);
      break;
    case PacketType.CONNACK:
      packet = decodeConnack(reader, maximumUserProperties);
      break;
    case PacketType.PUBACK: {
      // The reason code and the properties may be left out (§3.4.2.1).
      packet = { type: 4, packetId: packetId(reader), reasonCode: reader.left > 0 ? reasonCode(reader, PUBACK_CODES) : 0 };
      const properties = reader.left > 0 ? readProperties(reader, PUBACK_PROPERTIES, maximumUserProperties) : undefined;
      if (properties) packet.properties = properties as AckProperties;
      break;
    }
    case PacketType.SUBSCRIBE:
      packet = decodeSubscribe(reader, maximumUserProperties);
      break;
    case PacketType.SUBACK:
    case PacketType.UNSUBACK:
      packet = decodeAcknowledgementList(reader, type, maximumUserProperties);
      break;
    case PacketType.UNSUBSCRIBE:
      packet = decodeUnsubscribe(reader, maximumUserProperties);
      break;
    case PacketType.PINGREQ:
    case PacketType.PINGRESP:
      packet = { type };
      break;
    case PacketType.DISCONNECT: {
      const disconnect: DisconnectPacket = { type: 14, reasonCode: reader.left > 0 ? reasonCode(reader, DISCONNECT_CODES) : 0 };
      const properties = reader.left > 0 ? readProperties(reader, DISCONNECT_PROPERTIES, maximumUserProperties) : undefined;
      if (properties) disconnect.properties = properties as DisconnectProperties;
      packet = disconnect;
      break;
    }
    default:
      return reader.fail(PROTOCOL_ERROR, "cannot be decoded as a control packet");
  }
  reader.expectEnd();
  return packet;
}

/** Decodes a PUBLISH variable header; `reader` spans exactly topic, packet identifier and properties. */
export function decodePublishHeader(reader: PacketReader, firstByte: number, payloadLength: number, maximumUserProperties: number): PublishHeader {
  const qos = ((firstByte >> 1) & 3) as QoS;
  const topic = reader.string("topic name");
  const header: PublishHeader = { type: 3, topic, qos, retain: (firstByte & 0x01) !== 0, dup: (firstByte & 0x08) !== 0, payloadLength };
  if (qos === 1) header.packetId = packetId(reader);
  const properties = readProperties(reader, PUBLISH_PROPERTIES, maximumUserProperties) as PublishProperties | undefined;
  if (properties) header.properties = properties;
  if (topic === "") {
    if (properties?.topicAlias === undefined) reader.fail(PROTOCOL_ERROR, "empty topic name without a topic alias");
  } else if (!isValidTopicName(topic)) {
    reader.fail(TOPIC_NAME_INVALID, `topic name "${topic}" contains a wildcard`);
  }
  reader.expectEnd();
  return header;
}
