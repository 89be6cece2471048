// Outgoing QoS 1 messages: a bounded queue, packet identifiers, and the in-flight window that honours
// the broker's Receive Maximum. Unacknowledged messages survive a reconnect and are sent again.

import type { PublishProperties, QoS } from "./packets.js";
import { ReasonCode } from "./packets.js";
import { reasonName } from "./reasons.js";

/** Packet ids above this belong to SUBSCRIBE/UNSUBSCRIBE, so the two never collide. */
export const PUBLISH_PACKET_ID_LIMIT = 0xefff;

export interface PublishResult {
  /** 0x00 success, or 0x10 "no matching subscribers" (also a success). */
  reasonCode: number;
}

/** A publish the broker refused (PUBACK ≥ 0x80), or one that could not be sent at all. */
export class MqttPublishError extends Error {
  override readonly name = "MqttPublishError";
  readonly reasonCode: number;
  constructor(reasonCode: number, message: string) {
    super(message);
    this.reasonCode = reasonCode;
  }
}

/** One PUBLISH to send, as the client builds it. */
export interface PublishMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** Never aliased (see PublishOptions.oneShot). */
  oneShot: boolean;
  properties?: PublishProperties;
}

/** A QoS 1 message held until its PUBACK settles it. */
export interface OutgoingMessage extends PublishMessage {
  resolve(result: PublishResult): void;
  reject(error: Error): void;
}

interface InFlight {
  packetId: number;
  message: OutgoingMessage;
}

export interface OutboxLimits {
  /** Messages waiting to be sent, in flight included. */
  maximumMessages: number;
  /** Payload bytes held, in flight included. */
  maximumBytes: number;
}

export class Outbox {
  readonly #limits: OutboxLimits;
  #waiting: OutgoingMessage[] = [];
  #inFlight: InFlight[] = [];
  #heldBytes = 0;
  #lastPacketId = 0;
  /** Messages requeued by a lost connection go out one at a time until a PUBACK proves the new one. */
  #probing = false;

  constructor(limits: OutboxLimits) {
    this.#limits = limits;
  }

  get waitingCount(): number {
    return this.#waiting.length;
  }

  get inFlightCount(): number {
    return this.#inFlight.length;
  }

  /** Queues a QoS 1 message; refuses it (rejecting its promise) when the bounds are reached. */
  enqueue(message: OutgoingMessage): boolean {
    const count = this.#waiting.length + this.#inFlight.length;
    if (count >= this.#limits.maximumMessages || this.#heldBytes + message.payload.length > this.#limits.maximumBytes) {
      message.reject(
        new MqttPublishError(ReasonCode.QUOTA_EXCEEDED, `outbox full (${count} messages, ${this.#heldBytes} bytes held)`),
      );
      return false;
    }
    this.#heldBytes += message.payload.length;
    this.#waiting.push(message);
    return true;
  }

  /** The next message to send if the in-flight window allows it; it is then in flight under `packetId`. */
  takeNext(receiveMaximum: number): InFlight | undefined {
    if (this.#inFlight.length >= (this.#probing ? 1 : receiveMaximum)) return undefined;
    const message = this.#waiting.shift();
    if (!message) return undefined;
    const entry = { packetId: this.#allocatePacketId(), message };
    this.#inFlight.push(entry);
    return entry;
  }

  /** Settles the in-flight message acknowledged by a PUBACK. Returns false for an unknown packet id. */
  acknowledge(packetId: number, reasonCode: number, reasonString: string | undefined): boolean {
    const index = this.#inFlight.findIndex((entry) => entry.packetId === packetId);
    if (index < 0) return false;
    const { message } = this.#inFlight[index]!;
    this.#inFlight.splice(index, 1);
    this.#heldBytes -= message.payload.length;
    this.#probing = false;
    if (reasonCode < 0x80) {
      message.resolve({ reasonCode });
    } else {
      const detail = reasonString ? `: ${reasonString}` : "";
      message.reject(
        new MqttPublishError(reasonCode, `broker refused publish to ${message.topic} (${reasonName(reasonCode)})${detail}`),
      );
    }
    return true;
  }

  /** Refuses one in-flight message without sending it (e.g. too large for the broker). */
  fail(packetId: number, error: Error): void {
    const index = this.#inFlight.findIndex((entry) => entry.packetId === packetId);
    if (index < 0) return;
    const { message } = this.#inFlight[index]!;
    this.#inFlight.splice(index, 1);
    this.#heldBytes -= message.payload.length;
    message.reject(error);
  }

  /**
   * The connection is gone: unacknowledged messages go back to the head of the queue, in their
   * original order, to be published again (with new packet ids: clean start means a new session).
   * The broker may have delivered them already; so that a connection that keeps failing before its
   * PUBACKs arrive does not deliver every one of them again each time, the next connection sends one
   * message at a time until its first PUBACK, and then the full window again.
   */
  requeueInFlight(): void {
    if (this.#inFlight.length === 0) return;
    this.#probing = true;
    const requeued = this.#inFlight.map((entry) => entry.message);
    this.#inFlight = [];
    this.#waiting = requeued.concat(this.#waiting);
  }

  /** Rejects everything (the client is stopping for good). */
  rejectAll(error: Error): void {
    const all = this.#inFlight.map((entry) => entry.message).concat(this.#waiting);
    this.#inFlight = [];
    this.#waiting = [];
    this.#heldBytes = 0;
    for (const message of all) message.reject(error);
  }

  #allocatePacketId(): number {
    // Ids 1..PUBLISH_PACKET_ID_LIMIT, skipping any still in flight (at most receiveMaximum of them).
    for (;;) {
      this.#lastPacketId = this.#lastPacketId >= PUBLISH_PACKET_ID_LIMIT ? 1 : this.#lastPacketId + 1;
      const candidate = this.#lastPacketId;
      if (!this.#inFlight.some((entry) => entry.packetId === candidate)) return candidate;
    }
  }
}
