// MQTT 5.0 packet shapes shared by the encoder, the incremental decoder and the client session.
// Only what a QoS 0/1 client needs; QoS 2 and AUTH packets are rejected by the decoder as protocol errors.

export const PacketType = Object.freeze({
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
  AUTH: 15,
} as const);

/** Reason codes the firmware reacts to or reports (MQTT 5.0 §2.4). */
export const ReasonCode = Object.freeze({
  SUCCESS: 0x00,
  GRANTED_QOS_1: 0x01,
  DISCONNECT_WITH_WILL: 0x04,
  NO_MATCHING_SUBSCRIBERS: 0x10,
  UNSPECIFIED_ERROR: 0x80,
  MALFORMED_PACKET: 0x81,
  PROTOCOL_ERROR: 0x82,
  IMPLEMENTATION_SPECIFIC_ERROR: 0x83,
  UNSUPPORTED_PROTOCOL_VERSION: 0x84,
  CLIENT_IDENTIFIER_NOT_VALID: 0x85,
  BAD_USER_NAME_OR_PASSWORD: 0x86,
  NOT_AUTHORIZED: 0x87,
  SERVER_UNAVAILABLE: 0x88,
  SERVER_BUSY: 0x89,
  BANNED: 0x8a,
  SERVER_SHUTTING_DOWN: 0x8b,
  BAD_AUTHENTICATION_METHOD: 0x8c,
  KEEP_ALIVE_TIMEOUT: 0x8d,
  SESSION_TAKEN_OVER: 0x8e,
  TOPIC_FILTER_INVALID: 0x8f,
  TOPIC_NAME_INVALID: 0x90,
  PACKET_IDENTIFIER_IN_USE: 0x91,
  PACKET_IDENTIFIER_NOT_FOUND: 0x92,
  RECEIVE_MAXIMUM_EXCEEDED: 0x93,
  TOPIC_ALIAS_INVALID: 0x94,
  PACKET_TOO_LARGE: 0x95,
  MESSAGE_RATE_TOO_HIGH: 0x96,
  QUOTA_EXCEEDED: 0x97,
  ADMINISTRATIVE_ACTION: 0x98,
  PAYLOAD_FORMAT_INVALID: 0x99,
  RETAIN_NOT_SUPPORTED: 0x9a,
  QOS_NOT_SUPPORTED: 0x9b,
  USE_ANOTHER_SERVER: 0x9c,
  SERVER_MOVED: 0x9d,
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED: 0x9e,
  CONNECTION_RATE_EXCEEDED: 0x9f,
  MAXIMUM_CONNECT_TIME: 0xa0,
  SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED: 0xa1,
  WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED: 0xa2,
} as const);

export type QoS = 0 | 1;

/** A User Property: an ordered name/value pair; names may repeat. */
export type UserProperty = [name: string, value: string];

/** Properties of PUBLISH and of the Will message. */
export interface MessageProperties {
  payloadFormatIndicator?: number; // 0x01
  messageExpiryInterval?: number; // 0x02
  contentType?: string; // 0x03
  responseTopic?: string; // 0x08
  correlationData?: Uint8Array; // 0x09
  userProperties?: UserProperty[]; // 0x26
}

export interface PublishProperties extends MessageProperties {
  topicAlias?: number; // 0x23
  subscriptionIdentifiers?: number[]; // 0x0B, may repeat on incoming PUBLISH
}

export interface WillProperties extends MessageProperties {
  willDelayInterval?: number; // 0x18
}

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: WillProperties;
}

export interface ConnectProperties {
  sessionExpiryInterval?: number; // 0x11
  receiveMaximum?: number; // 0x21
  maximumPacketSize?: number; // 0x27
  topicAliasMaximum?: number; // 0x22
  requestResponseInformation?: number; // 0x19
  requestProblemInformation?: number; // 0x17
  authenticationMethod?: string; // 0x15
  authenticationData?: Uint8Array; // 0x16
  userProperties?: UserProperty[];
}

export interface ConnectPacket {
  type: 1;
  clientId: string;
  cleanStart: boolean;
  keepAlive: number; // seconds
  username?: string;
  password?: Uint8Array;
  will?: Will;
  properties?: ConnectProperties;
}

export interface ConnackProperties {
  sessionExpiryInterval?: number; // 0x11
  receiveMaximum?: number; // 0x21
  maximumQoS?: number; // 0x24
  retainAvailable?: boolean; // 0x25
  maximumPacketSize?: number; // 0x27
  assignedClientIdentifier?: string; // 0x12
  topicAliasMaximum?: number; // 0x22
  reasonString?: string; // 0x1F
  userProperties?: UserProperty[];
  wildcardSubscriptionAvailable?: boolean; // 0x28
  subscriptionIdentifiersAvailable?: boolean; // 0x29
  sharedSubscriptionAvailable?: boolean; // 0x2A
  serverKeepAlive?: number; // 0x13
  responseInformation?: string; // 0x1A
  serverReference?: string; // 0x1C
  authenticationMethod?: string; // 0x15
  authenticationData?: Uint8Array; // 0x16
}

export interface ConnackPacket {
  type: 2;
  sessionPresent: boolean;
  reasonCode: number;
  properties?: ConnackProperties;
}

/** PUBLISH without its payload: the decoder streams the payload separately. */
export interface PublishHeader {
  type: 3;
  topic: string; // "" when the topic comes from a Topic Alias
  qos: QoS;
  retain: boolean;
  dup: boolean;
  packetId?: number; // QoS 1 only
  properties?: PublishProperties;
  /** Payload length in bytes, known from the fixed header before the payload arrives. */
  payloadLength: number;
}

/** Acknowledgement-style packets that share one layout: PUBACK, PUBREC, PUBREL, PUBCOMP. */
export interface AckProperties {
  reasonString?: string;
  userProperties?: UserProperty[];
}

export interface PubackPacket {
  type: 4;
  packetId: number;
  reasonCode: number; // 0 when the packet omits it
  properties?: AckProperties;
}

export interface SubscriptionRequest {
  topicFilter: string;
  qos: QoS;
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: 0 | 1 | 2;
}

export interface SubscribeProperties {
  subscriptionIdentifier?: number; // 0x0B
  userProperties?: UserProperty[];
}

export interface SubscribePacket {
  type: 8;
  packetId: number;
  subscriptions: SubscriptionRequest[];
  properties?: SubscribeProperties;
}

export interface SubackPacket {
  type: 9;
  packetId: number;
  reasonCodes: number[];
  properties?: AckProperties;
}

export interface UnsubscribePacket {
  type: 10;
  packetId: number;
  topicFilters: string[];
  properties?: { userProperties?: UserProperty[] };
}

export interface UnsubackPacket {
  type: 11;
  packetId: number;
  reasonCodes: number[];
  properties?: AckProperties;
}

export interface PingreqPacket {
  type: 12;
}

export interface PingrespPacket {
  type: 13;
}

export interface DisconnectProperties {
  sessionExpiryInterval?: number; // 0x11
  reasonString?: string; // 0x1F
  serverReference?: string; // 0x1C
  userProperties?: UserProperty[];
}

export interface DisconnectPacket {
  type: 14;
  reasonCode: number; // 0 when the packet omits it
  properties?: DisconnectProperties;
}

/** A PUBLISH as the encoder takes it: header fields plus the whole (small, outgoing) payload. */
export interface PublishPacket {
  type: 3;
  topic: string;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  packetId?: number;
  properties?: PublishProperties;
  payload: Uint8Array;
}

/** Every packet the encoder can produce. */
export type OutgoingPacket =
  | ConnectPacket
  | PublishPacket
  | PubackPacket
  | SubscribePacket
  | UnsubscribePacket
  | PingreqPacket
  | DisconnectPacket
  | ConnackPacket
  | SubackPacket
  | UnsubackPacket
  | PingrespPacket;

/** Every non-PUBLISH packet the decoder can deliver whole (server→client and, for tests, client→server). */
export type ControlPacket =
  | ConnectPacket
  | ConnackPacket
  | PubackPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket;
