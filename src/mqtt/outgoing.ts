// One outgoing PUBLISH as bytes for the broker of this connection: its topic alias (aliases.ts), and
// the checks that refuse a message the broker could not accept (retain unavailable, larger than its
// Maximum Packet Size) before anything is written.

import type { OutgoingAliases } from "./aliases.js";
import type { PacketEncoder } from "./encode.js";
import { MqttPublishError, type PublishMessage } from "./outbox.js";
import type { PublishPacket, PublishProperties } from "./packets.js";
import { PacketType, ReasonCode } from "./packets.js";
import { hasProperties, type BrokerLimits } from "./session.js";

export type { PublishMessage } from "./outbox.js";

/**
 * The encoded PUBLISH (a view of the encoder's buffer) and the alias it introduces (0: none; forget it
 * if the bytes are not sent after all), or the error that refuses the message.
 */
export function encodePublish(
  encoder: PacketEncoder,
  aliases: OutgoingAliases,
  broker: BrokerLimits,
  message: PublishMessage,
  packetId: number | undefined,
): { bytes: Uint8Array; newAlias: number } | Error {
  if (message.retain && !broker.retainAvailable) {
    return new MqttPublishError(ReasonCode.RETAIN_NOT_SUPPORTED, "broker does not support retained messages");
  }
  const packet: PublishPacket = {
    type: PacketType.PUBLISH,
    topic: message.topic,
    qos: message.qos,
    retain: message.retain,
    dup: false,
    payload: message.payload,
  };
  if (packetId !== undefined) packet.packetId = packetId;
  const properties: PublishProperties = message.properties ? { ...message.properties } : {};
  const known = aliases.known(message.topic);
  const newAlias = known > 0 || message.oneShot ? 0 : aliases.assign(message.topic);
  if (known > 0) {
    properties.topicAlias = known;
    packet.topic = "";
  } else if (newAlias > 0) {
    properties.topicAlias = newAlias;
  }
  if (hasProperties(properties)) packet.properties = properties;
  let error: Error;
  try {
    const bytes = encoder.encode(packet);
    if (bytes.length <= broker.maximumPacketSize) return { bytes, newAlias };
    error = new MqttPublishError(
      ReasonCode.PACKET_TOO_LARGE,
      `message of ${bytes.length} bytes exceeds the broker's maximum packet size ${broker.maximumPacketSize}`,
    );
  } catch (thrown) {
    error = thrown instanceof Error ? thrown : new Error(String(thrown));
  }
  // The broker learns a new alias only from a packet that reaches it.
  if (newAlias > 0) aliases.forget(newAlias);
  return error;
}
