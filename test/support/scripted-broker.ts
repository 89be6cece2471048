// A scripted MQTT 5 peer for session unit tests: it decodes what the client sends with the project's
// decoder, answers by rule (CONNACK, SUBACK, PUBACK, PINGRESP) and lets the test inject packets.
// The real-broker behaviour is covered by the e2e tests against Mosquitto.

import { MqttDecoder } from "../../src/mqtt/decode.js";
import { encodePacket } from "../../src/mqtt/encode.js";
import type { ConnackProperties, ControlPacket, OutgoingPacket, PublishHeader } from "../../src/mqtt/packets.js";
import { utf8Encode } from "../../src/util/utf8.js";
import type { SocketErrorCause } from "../../src/ports.js";
import type { VirtualConnection, VirtualHost } from "./virtual-host.js";
import { concatBytes } from "./bytes.js";

export interface ReceivedPublish {
  type: 3;
  header: PublishHeader;
  payload: Uint8Array;
}

export type Received = ControlPacket | ReceivedPublish;

export interface BrokerScript {
  /** Refuse the TCP/TLS connection with this reason instead of accepting it. */
  refuse?: string;
  /** Which layer refused it (default "network"). */
  refuseCause?: SocketErrorCause;
  /** CONNACK reason code (default 0); undefined properties = none. `false` = never answer CONNECT. */
  connack?: { reasonCode: number; properties?: ConnackProperties } | false;
  /** Session Present in the CONNACK (default false; true breaks MQTT-3.2.2-4 after a clean start). */
  sessionPresent?: boolean;
  /** SUBACK reason code for a filter (default: granted QoS 1). */
  suback?: (topicFilter: string) => number;
  /** PUBACK reason code for a topic, or undefined to withhold the PUBACK. */
  puback?: (topic: string) => number | undefined;
  /** UNSUBACK reason code for a filter (default 0x00). */
  unsuback?: (topicFilter: string) => number;
  /** Answer PINGREQ (default true). */
  pingresp?: boolean;
  /** Slice size for what the broker sends (default: whole packets). */
  sliceBytes?: number;
  /** Called with every PUBLISH the client sends, after the PUBACK (plays the service's side). */
  onPublish?: (publish: ReceivedPublish) => void;
}

export class ScriptedBroker {
  readonly host: VirtualHost;
  script: BrokerScript;
  /** Everything the client sent, per connection (index = connection number). */
  readonly sessions: Received[][] = [];
  connection: VirtualConnection | undefined;
  #nextPacketId = 0;

  constructor(host: VirtualHost, script: BrokerScript = {}) {
    this.host = host;
    this.script = script;
    host.network.onConnection = (connection) => this.#attach(connection);
  }

  /** What the client sent on the current (latest) connection. */
  get received(): Received[] {
    return this.sessions[this.sessions.length - 1] ?? [];
  }

  receivedOfType<T extends Received["type"]>(type: T): Extract<Received, { type: T }>[] {
    return this.received.filter((packet): packet is Extract<Received, { type: T }> => packet.type === type);
  }

  send(packet: OutgoingPacket): void {
    this.sendBytes(encodePacket(packet));
  }

  sendBytes(bytes: Uint8Array): void {
    this.connection?.deliver(bytes, this.script.sliceBytes ?? bytes.length);
  }

  /** Sends a PUBLISH with a text payload to the client (QoS 1 unless told otherwise). */
  publishText(topic: string, text: string, qos: 0 | 1 = 1): void {
    this.#nextPacketId = this.#nextPacketId >= 0xffff ? 1 : this.#nextPacketId + 1;
    const packet = { type: 3 as const, topic, qos, retain: false, dup: false, payload: utf8Encode(text) };
    this.send(qos === 1 ? { ...packet, packetId: this.#nextPacketId } : packet);
  }

  /** Drops the connection as a dying broker would (no DISCONNECT). */
  drop(reason = "connection reset by peer"): void {
    this.connection?.fail(reason);
  }

  #attach(connection: VirtualConnection) {
    const packets: Received[] = [];
    this.sessions.push(packets);
    this.connection = connection;
    let publish: { header: PublishHeader; parts: Uint8Array[] } | undefined;
    const decoder = new MqttDecoder(
      {
        packet: (packet) => {
          packets.push(packet);
          this.#answer(packet);
        },
        publishStart: (header) => {
          publish = { header, parts: [] };
        },
        publishData: (chunk) => publish!.parts.push(chunk.slice()),
        publishEnd: () => {
          const { header, parts } = publish!;
          publish = undefined;
          const payload = concatBytes(parts);
          packets.push({ type: 3, header, payload });
          const code = this.script.puback?.(header.topic) ?? (this.script.puback ? undefined : 0);
          if (header.qos === 1 && code !== undefined) {
            this.send({ type: 4, packetId: header.packetId!, reasonCode: code });
          }
          this.script.onPublish?.({ type: 3, header, payload });
        },
      },
      { maximumPacketSize: 1 << 20 },
    );
    this.host.timers.set(() => {
      if (this.script.refuse !== undefined) connection.fail(this.script.refuse, this.script.refuseCause);
      else connection.accept();
    }, 0);
    return {
      received: (bytes: Uint8Array) => decoder.push(bytes),
      closed: () => undefined,
    };
  }

  #answer(packet: ControlPacket): void {
    switch (packet.type) {
      case 1: {
        const connack = this.script.connack ?? { reasonCode: 0 };
        if (connack === false) return;
        this.send({ type: 2, sessionPresent: this.script.sessionPresent ?? false, reasonCode: connack.reasonCode, ...(connack.properties ? { properties: connack.properties } : {}) });
        return;
      }
      case 8:
        this.send({
          type: 9,
          packetId: packet.packetId,
          reasonCodes: packet.subscriptions.map((subscription) => this.script.suback?.(subscription.topicFilter) ?? 1),
        });
        return;
      case 10:
        this.send({ type: 11, packetId: packet.packetId, reasonCodes: packet.topicFilters.map((filter) => this.script.unsuback?.(filter) ?? 0) });
        return;
      case 12:
        if (this.script.pingresp ?? true) this.send({ type: 13 });
        return;
      default:
        return;
    }
  }
}

