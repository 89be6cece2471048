// Subscriptions that outlive a connection (clean start means the broker forgets them), their SUBACKs,
// unsubscribing (UNSUBSCRIBE/UNSUBACK), and the routing of each incoming message, streamed, to the handlers whose filters match its topic.

import type { Log } from "../ports.js";
import type { PublishHeader, QoS, SubscribePacket, UnsubscribePacket } from "./packets.js";
import { PacketType, ReasonCode } from "./packets.js";
import { reasonName } from "./reasons.js";
import { topicMatches } from "./topics.js";
import { PUBLISH_PACKET_ID_LIMIT } from "./outbox.js";

/** Receives one message at a time, as it arrives: begin, data chunks, then end — or abort. */
export interface MessageHandler {
  begin(topic: string, header: PublishHeader): void;
  /** A view into the receive buffer, valid only during the call: copy what must be kept. */
  data(chunk: Uint8Array): void;
  end(): void;
  /** The message will not complete (connection lost, handler error): discard what was gathered. */
  abort(reason: string): void;
}

/** A SUBSCRIBE the broker refused (SUBACK reason ≥ 0x80). */
export class MqttSubscribeError extends Error {
  override readonly name = "MqttSubscribeError";
  readonly reasonCode: number;
  constructor(reasonCode: number, message: string) {
    super(message);
    this.reasonCode = reasonCode;
  }
}

interface Subscription {
  topicFilter: string;
  qos: QoS;
  handler: MessageHandler;
  /** Packet id of the SUBSCRIBE awaiting its SUBACK on this connection, if any. */
  pendingPacketId: number | undefined;
  waiters: { resolve(qos: number): void; reject(error: Error): void }[];
}

/** Sends a packet: true when sent, false when not connected, an Error when it cannot be sent at all (too large for the broker). */
type SendPacket = (packet: SubscribePacket | UnsubscribePacket) => boolean | Error;

interface PendingUnsubscribe {
  packetId: number;
  topicFilter: string;
  resolve(reasonCode: number): void;
  reject(error: Error): void;
}

const MAXIMUM_SUBSCRIPTIONS = 16;
const MAXIMUM_HANDLERS_PER_MESSAGE = 4;

/** How a topic appears in the log and in errors (a topic may hold a secret, e.g. the Makapix player key). */
export type DescribeTopic = (topic: string) => string;

export class Subscriptions {
  readonly #log: Log;
  readonly #describe: DescribeTopic | undefined;
  readonly #subscriptions: Subscription[] = [];
  readonly #receivingHandlers: MessageHandler[] = [];
  readonly #unsubscribing: PendingUnsubscribe[] = [];
  #lastPacketId = PUBLISH_PACKET_ID_LIMIT;
  #receiving = false;

  /** `describeTopic` turns a topic or filter into what may be logged; without it, topics are logged as they are. */
  constructor(log: Log, describeTopic?: DescribeTopic) {
    this.#log = log;
    this.#describe = describeTopic;
  }

  get receiving(): boolean {
    return this.#receiving;
  }

  add(topicFilter: string, qos: QoS, handler: MessageHandler, send: SendPacket): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (this.#subscriptions.length >= MAXIMUM_SUBSCRIPTIONS) {
        reject(new MqttSubscribeError(ReasonCode.QUOTA_EXCEEDED, `more than ${MAXIMUM_SUBSCRIPTIONS} subscriptions`));
        return;
      }
      const subscription: Subscription = { topicFilter, qos, handler, pendingPacketId: undefined, waiters: [{ resolve, reject }] };
      this.#subscriptions.push(subscription);
      this.#sendSubscribe(subscription, send);
    });
  }

  /**
   * Stops delivery to `topicFilter` at once and tells the broker. Resolves with the UNSUBACK reason
   * (0x00, or 0x11 "no subscription existed"), or with 0x00 when not connected (a new connection starts
   * without it); rejects when the broker refuses (≥ 0x80) or the packet is too large for it.
   */
  remove(topicFilter: string, send: SendPacket): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const index = this.#subscriptions.findIndex((subscription) => subscription.topicFilter === topicFilter);
      if (index >= 0) {
        const [removed] = this.#subscriptions.splice(index, 1);
        const error = new MqttSubscribeError(ReasonCode.UNSPECIFIED_ERROR, `unsubscribed from ${topicFilter} before the broker confirmed the subscription`);
        for (const waiter of removed!.waiters) waiter.reject(error);
      }
      if (this.#unsubscribing.length >= MAXIMUM_SUBSCRIPTIONS) {
        reject(new MqttSubscribeError(ReasonCode.QUOTA_EXCEEDED, `more than ${MAXIMUM_SUBSCRIPTIONS} unsubscribes awaiting UNSUBACK`));
        return;
      }
      const packetId = this.#allocatePacketId();
      const pending = { packetId, topicFilter, resolve, reject };
      this.#unsubscribing.push(pending);
      const sent = send({ type: PacketType.UNSUBSCRIBE, packetId, topicFilters: [topicFilter] });
      if (sent === true) return;
      const at = this.#unsubscribing.indexOf(pending);
      if (at < 0) return; // answered inside the send
      this.#unsubscribing.splice(at, 1);
      if (sent === false) resolve(ReasonCode.SUCCESS);
      else reject(new MqttSubscribeError(ReasonCode.PACKET_TOO_LARGE, `cannot unsubscribe from ${topicFilter}: ${sent.message}`));
    });
  }

  /** An UNSUBACK. Returns false for an unknown packet id. */
  acknowledgeUnsubscribe(packetId: number, reasonCodes: number[]): boolean {
    const index = this.#unsubscribing.findIndex((pending) => pending.packetId === packetId);
    if (index < 0) return false;
    const [pending] = this.#unsubscribing.splice(index, 1);
    const code = reasonCodes[0] ?? ReasonCode.UNSPECIFIED_ERROR;
    if (code < 0x80) pending!.resolve(code);
    else pending!.reject(new MqttSubscribeError(code, `broker refused to unsubscribe from ${pending!.topicFilter}: ${reasonName(code)}`));
    return true;
  }

  /** After CONNACK: subscribe everything again. Returns true when SUBACKs are awaited. */
  resubscribeAll(send: SendPacket): boolean {
    // A copy: a subscription too large for this broker leaves the list during the loop.
    for (const subscription of this.#subscriptions.slice()) this.#sendSubscribe(subscription, send);
    return !this.allConfirmed();
  }

  allConfirmed(): boolean {
    return this.#subscriptions.every((subscription) => subscription.pendingPacketId === undefined);
  }

  acknowledge(packetId: number, reasonCodes: number[]): void {
    const index = this.#subscriptions.findIndex((subscription) => subscription.pendingPacketId === packetId);
    if (index < 0) {
      this.#log.write("warn", `mqtt: SUBACK for unknown packet id ${packetId}`);
      return;
    }
    const subscription = this.#subscriptions[index]!;
    subscription.pendingPacketId = undefined;
    const waiters = subscription.waiters;
    subscription.waiters = [];
    const code = reasonCodes[0] ?? ReasonCode.UNSPECIFIED_ERROR;
    if (code < 0x80) {
      for (const waiter of waiters) waiter.resolve(code);
      return;
    }
    // A refused filter stays refused on every reconnect: drop it instead of retrying forever.
    this.#subscriptions.splice(index, 1);
    const error = new MqttSubscribeError(code, `broker refused subscription to ${this.#shown(subscription.topicFilter)}: ${reasonName(code)}`);
    this.#log.write("error", `mqtt: ${error.message}`);
    for (const waiter of waiters) waiter.reject(error);
  }

  /**
   * The connection dropped: SUBACKs still awaited will never come; the next connection resubscribes.
   * An unsubscribe awaiting its UNSUBACK is done (clean start: the next session never had it).
   */
  connectionLost(): void {
    for (const subscription of this.#subscriptions) subscription.pendingPacketId = undefined;
    const done = this.#unsubscribing.splice(0, this.#unsubscribing.length);
    for (const pending of done) pending.resolve(ReasonCode.SUCCESS);
  }

  begin(topic: string, header: PublishHeader): void {
    this.#receivingHandlers.length = 0;
    for (const subscription of this.#subscriptions) {
      if (this.#receivingHandlers.length >= MAXIMUM_HANDLERS_PER_MESSAGE) break;
      if (topicMatches(subscription.topicFilter, topic) && !this.#receivingHandlers.includes(subscription.handler)) {
        this.#receivingHandlers.push(subscription.handler);
      }
    }
    if (this.#receivingHandlers.length === 0) {
      this.#log.write("warn", `mqtt: message on ${this.#shown(topic)} matches no subscription; ignored`);
    }
    this.#receiving = true;
    this.#each((handler) => handler.begin(topic, header));
  }

  data(chunk: Uint8Array): void {
    this.#each((handler) => handler.data(chunk));
  }

  end(): void {
    this.#each((handler) => handler.end());
    this.#receivingHandlers.length = 0;
    this.#receiving = false;
  }

  abort(reason: string): void {
    for (const handler of this.#receivingHandlers) {
      try {
        handler.abort(reason);
      } catch (error) {
        this.#log.write("error", `mqtt: message handler failed to abort: ${String(error)}`);
      }
    }
    this.#receivingHandlers.length = 0;
    this.#receiving = false;
  }

  /** Calls every handler of the current message; one that throws is aborted and left out of the rest. */
  #each(call: (handler: MessageHandler) => void): void {
    const handlers = this.#receivingHandlers;
    for (let index = 0; index < handlers.length; index++) {
      const handler = handlers[index]!;
      try {
        call(handler);
      } catch (error) {
        this.#log.write("error", `mqtt: message handler threw: ${String(error)}`);
        handlers.splice(index--, 1);
        try {
          handler.abort("handler error");
        } catch {
          // Already failing; nothing more to do for this handler.
        }
      }
    }
  }

  #shown(topic: string): string {
    return this.#describe ? this.#describe(topic) : topic;
  }

  #sendSubscribe(subscription: Subscription, send: SendPacket): void {
    const packetId = this.#allocatePacketId();
    // Pending before the send: a fast peer (or an in-memory one) may answer inside the write call.
    subscription.pendingPacketId = packetId;
    const sent = send({
      type: PacketType.SUBSCRIBE,
      packetId,
      subscriptions: [{ topicFilter: subscription.topicFilter, qos: subscription.qos }],
    });
    if (sent === true || subscription.pendingPacketId !== packetId) return;
    subscription.pendingPacketId = undefined;
    if (sent === false) return;
    // Too large for this broker: it would be on every reconnect too.
    const index = this.#subscriptions.indexOf(subscription);
    if (index >= 0) this.#subscriptions.splice(index, 1);
    const error = new MqttSubscribeError(ReasonCode.PACKET_TOO_LARGE, `cannot subscribe to ${subscription.topicFilter}: ${sent.message}`);
    this.#log.write("error", `mqtt: ${error.message}`);
    const waiters = subscription.waiters;
    subscription.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #allocatePacketId(): number {
    this.#lastPacketId = this.#lastPacketId >= 0xffff ? PUBLISH_PACKET_ID_LIMIT + 1 : this.#lastPacketId + 1;
    return this.#lastPacketId;
  }
}
