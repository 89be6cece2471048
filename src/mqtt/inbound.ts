// Incoming PUBLISH packets on one connection: topic aliases resolved, the message streamed to the
// subscriptions, QoS 1 acknowledged once delivered. A message whose topic or properties are too large
// for the decoder (but whose packet is within our Maximum Packet Size) is skipped, counted, logged and
// acknowledged: one bad retained message must not cost the connection (it would come back on every
// reconnect).

import type { Log } from "../ports.js";
import type { DiscardedPublish } from "./decode.js";
import { MqttProtocolError } from "./errors.js";
import type { PublishHeader } from "./packets.js";
import { ReasonCode } from "./packets.js";
import type { Subscriptions } from "./subscriptions.js";

/** PUBACK of a skipped message: "valid, but the receiver is not willing to accept it". */
const DISCARDED_REASON = ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;

export class InboundMessages {
  readonly #subscriptions: Subscriptions;
  readonly #log: Log;
  readonly #acknowledge: (packetId: number, reasonCode: number) => void;
  readonly #aliasMaximum: number;
  #aliases: (string | undefined)[] = [];
  #qos1PacketId: number | undefined;
  #discarded = 0;

  /** `aliasMaximum`: the Topic Alias Maximum we announced; `acknowledge` sends a PUBACK. */
  constructor(subscriptions: Subscriptions, log: Log, aliasMaximum: number, acknowledge: (packetId: number, reasonCode: number) => void) {
    this.#subscriptions = subscriptions;
    this.#log = log;
    this.#aliasMaximum = aliasMaximum;
    this.#acknowledge = acknowledge;
  }

  /** Messages skipped since the client was created. */
  get discarded(): number {
    return this.#discarded;
  }

  /** The connection ended: a message half received is aborted; aliases belong to that connection. */
  connectionLost(): void {
    if (this.#qos1PacketId !== undefined || this.#subscriptions.receiving) {
      this.#subscriptions.abort("connection lost mid-message");
    }
    this.#qos1PacketId = undefined;
    this.#aliases = [];
  }

  /** Throws MqttProtocolError for an alias we did not offer or do not know. */
  start(header: PublishHeader): void {
    let topic = header.topic;
    const alias = header.properties?.topicAlias;
    if (alias !== undefined) {
      if (alias > this.#aliasMaximum) {
        throw new MqttProtocolError(ReasonCode.TOPIC_ALIAS_INVALID, `topic alias ${alias} above our maximum ${this.#aliasMaximum}`);
      }
      if (topic === "") {
        const known = this.#aliases[alias];
        if (known === undefined) throw new MqttProtocolError(ReasonCode.PROTOCOL_ERROR, `topic alias ${alias} used before it was set`);
        topic = known;
      } else {
        this.#aliases[alias] = topic;
      }
    }
    this.#qos1PacketId = header.qos === 1 ? header.packetId : undefined;
    this.#subscriptions.begin(topic, header);
  }

  data(chunk: Uint8Array): void {
    this.#subscriptions.data(chunk);
  }

  end(): void {
    this.#subscriptions.end();
    const packetId = this.#qos1PacketId;
    this.#qos1PacketId = undefined;
    if (packetId !== undefined) this.#acknowledge(packetId, ReasonCode.SUCCESS);
  }

  discard(discarded: DiscardedPublish): void {
    this.#discarded++;
    this.#log.write("warn", `mqtt: incoming message skipped (${this.#discarded} so far): ${discarded.reason}`);
    if (discarded.packetId !== undefined) this.#acknowledge(discarded.packetId, DISCARDED_REASON);
  }
}
