// The MQTT client session's public shapes: its options, states, errors and what it learnt from the
// broker. The session itself is client.ts.

import type { TcpOptions, TlsOptions } from "../ports.js";
import type { BackoffOptions } from "./backoff.js";
import type { PublishProperties, QoS, UserProperty, Will } from "./packets.js";

export type SessionState = "disconnected" | "connecting" | "connected" | "reconnecting";

/** Why the last connection attempt failed or the last connection ended. */
export interface SessionError {
  /** tls: handshake/certificate refused; socket: network; connack: broker refused the CONNECT;
   *  timeout: no CONNACK or PINGRESP in time; protocol: malformed input; server: broker sent DISCONNECT. */
  kind: "tls" | "socket" | "connack" | "timeout" | "protocol" | "server";
  message: string;
  reasonCode?: number;
}

export type Transport = ({ secure: true } & TlsOptions) | ({ secure: false } & TcpOptions);

export interface MqttClientOptions {
  transport: Transport;
  clientId: string;
  username?: string;
  password?: Uint8Array;
  will?: Will;
  keepAliveSeconds?: number;
  /** Largest packet we accept; announced so the broker drops larger ones instead of sending them. */
  maximumPacketSize?: number;
  /** QoS 1 messages we accept in flight at once (announced as Receive Maximum). */
  receiveMaximum?: number;
  /** Incoming topic aliases we accept (announced as Topic Alias Maximum). */
  topicAliasMaximum?: number;
  connectTimeoutMs?: number;
  /** How long to wait for PINGRESP before declaring the connection dead. */
  pingTimeoutMs?: number;
  /**
   * After this long without a byte from the broker, a PINGREQ checks the link, whatever the keep-alive
   * (a broker may set Server Keep Alive 0). Default 60 s.
   */
  livenessQuietMs?: number;
  backoff?: BackoffOptions;
  /** A connection that lasts this long resets the reconnect backoff (default 60 s); a shorter one backs off further. */
  healthyAfterMs?: number;
  outboxMessages?: number;
  outboxBytes?: number;
  /**
   * Bytes that may wait for the socket when it reports less room than we write (ECMA-419 backpressure).
   * Default: outboxBytes + 4 KiB, so any QoS 1 message fits with its topic, properties and control packets.
   */
  writeQueueBytes?: number;
  /**
   * Bytes of a packet the decoder holds at once: a whole packet other than PUBLISH, or a PUBLISH's
   * topic and properties (its payload streams). Default 4 KiB; larger packets end the connection.
   */
  maximumHeaderBytes?: number;
  /** How a topic appears in log lines and errors (redacts a secret it holds); default: as it is. */
  describeTopic?: (topic: string) => string;
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  userProperties?: UserProperty[];
  /**
   * The topic is used once (a request/{uuid}): it never gets a topic alias and does not count as seen.
   * Other topics get an alias from their second publish on (src/mqtt/aliases.ts).
   */
  oneShot?: boolean;
}

export interface SessionObserver {
  /** Called on every state change and with every new error. */
  stateChanged?(state: SessionState, error: SessionError | undefined): void;
  /** Connected and every subscription confirmed: a good moment to announce presence. */
  ready?(): void;
}

/** What the broker told us in CONNACK, with defaults applied. */
export interface BrokerLimits {
  receiveMaximum: number;
  maximumPacketSize: number;
  topicAliasMaximum: number;
  maximumQoS: number;
  retainAvailable: boolean;
  keepAliveSeconds: number;
  assignedClientIdentifier?: string;
}

export function publishProperties(options: PublishOptions): PublishProperties | undefined {
  const properties: PublishProperties = {};
  if (options.messageExpiryInterval !== undefined) properties.messageExpiryInterval = options.messageExpiryInterval;
  if (options.contentType !== undefined) properties.contentType = options.contentType;
  if (options.userProperties !== undefined) properties.userProperties = options.userProperties;
  return hasProperties(properties) ? properties : undefined;
}

export function hasProperties(properties: object): boolean {
  for (const _ in properties) return true;
  return false;
}
