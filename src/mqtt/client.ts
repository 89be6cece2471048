// The MQTT 5 client session: one connection at a time over the Network port, kept alive, reconnected
// with backoff, with QoS 1 publishing, streaming message delivery and subscriptions that survive
// reconnects. The rest of the firmware observes `state` and `lastError`.
// (Over 400 lines: the session's lifecycle — connect, CONNACK, keep-alive, teardown, reconnect — on one
// socket; the codec, outbox, subscriptions, liveness and back-off are already modules of their own.)

import type { Host, Socket, SocketErrorCause, SocketHandlers, TimerId } from "../ports.js";
import { errorMessage } from "../util/errors.js";
import { SocketWriter, SocketWriteError } from "../util/socket-writer.js";
import { utf8Encode } from "../util/utf8.js";
import { OutgoingAliases } from "./aliases.js";
import { encodePublish, type PublishMessage } from "./outgoing.js";
import { DEFAULT_BACKOFF } from "./backoff.js";
import { MqttDecoder, type DiscardedPublish } from "./decode.js";
import { PacketEncoder } from "./encode.js";
import { MqttProtocolError } from "./errors.js";
import { InboundMessages } from "./inbound.js";
import { DEFAULT_QUIET_MS, Liveness } from "./liveness.js";
import { Outbox, MqttPublishError, type PublishResult } from "./outbox.js";
import type { ConnackPacket, ConnectPacket, ControlPacket, OutgoingPacket, PublishHeader, QoS } from "./packets.js";
import { PacketType, ReasonCode } from "./packets.js";
import { reasonName } from "./reasons.js";
import { DEFAULT_HEALTHY_AFTER_MS, ReconnectPolicy } from "./reconnect.js";
import { Subscriptions, type MessageHandler } from "./subscriptions.js";
import { PACKET_NAMES } from "./wire.js";

export type { BrokerLimits, MqttClientOptions, PublishOptions, SessionError, SessionObserver, SessionState, Transport } from "./session.js";
import { publishProperties, type BrokerLimits, type MqttClientOptions, type PublishOptions, type SessionError, type SessionObserver, type SessionState } from "./session.js";

const READ_CHUNK_BYTES = 1024;

export class MqttClient {
  readonly #host: Host;
  readonly #options: MqttClientOptions;
  readonly #reconnect: ReconnectPolicy;
  readonly #liveness: Liveness;
  readonly #outbox: Outbox;
  readonly #subscriptions: Subscriptions;
  readonly #inbound: InboundMessages;
  readonly #aliases = new OutgoingAliases();
  readonly #decoder: MqttDecoder;
  readonly #encoder = new PacketEncoder();
  readonly #writer: SocketWriter;
  readonly #readBuffer = new Uint8Array(READ_CHUNK_BYTES);
  readonly #observers: SessionObserver[] = [];

  #state: SessionState = "disconnected";
  #lastError: SessionError | undefined;
  #socket: Socket | undefined;
  #broker: BrokerLimits | undefined;
  #running = false;
  #connectTimer: TimerId | undefined;
  #connectSent = false;
  #readyNotified = false;

  constructor(host: Host, options: MqttClientOptions) {
    this.#host = host;
    this.#options = options;
    this.#reconnect = new ReconnectPolicy(host, options.backoff ?? DEFAULT_BACKOFF, options.healthyAfterMs ?? DEFAULT_HEALTHY_AFTER_MS);
    this.#liveness = new Liveness(host, {
      ping: () => this.#sendControl({ type: PacketType.PINGREQ }),
      dead: (message) => this.#fail({ kind: "timeout", message }),
    });
    this.#outbox = new Outbox({
      maximumMessages: options.outboxMessages ?? 32,
      maximumBytes: options.outboxBytes ?? 16 * 1024,
    });
    this.#writer = new SocketWriter(options.writeQueueBytes ?? (options.outboxBytes ?? 16 * 1024) + 4 * 1024);
    this.#subscriptions = new Subscriptions(host.log, options.describeTopic);
    this.#inbound = new InboundMessages(this.#subscriptions, host.log, options.topicAliasMaximum ?? 8, (packetId, reasonCode) =>
      this.#sendControl({ type: PacketType.PUBACK, packetId, reasonCode }),
    );
    this.#decoder = new MqttDecoder(
      {
        // A handler that ends the connection resets the decoder: the rest of that read is not parsed.
        packet: (packet) => this.#onPacket(packet),
        publishStart: (header) => this.#onPublishStart(header),
        publishData: (chunk) => this.#inbound.data(chunk),
        publishEnd: () => this.#inbound.end(),
        publishDiscarded: (discarded) => this.#onPublishDiscarded(discarded),
      },
      { maximumPacketSize: this.#maximumPacketSize, ...(options.maximumHeaderBytes ? { maximumHeaderSize: options.maximumHeaderBytes } : {}) },
    );
  }

  /** Bytes that may wait for the socket (the write queue, allocated once): a memory figure. */
  get writeQueueCapacity(): number {
    return this.#writer.capacity;
  }

  get state(): SessionState {
    return this.#state;
  }

  get lastError(): SessionError | undefined {
    return this.#lastError;
  }

  /** Failed attempts and short-lived connections since the last healthy one (repeated TLS failures = bad certificate). */
  get failedAttempts(): number {
    return this.#reconnect.attempts;
  }

  /** Incoming messages skipped because their topic or properties were too large to hold. */
  get discardedMessages(): number {
    return this.#inbound.discarded;
  }

  /** The broker's limits for the current connection, once connected. */
  get broker(): BrokerLimits | undefined {
    return this.#broker;
  }

  get #maximumPacketSize(): number {
    return this.#options.maximumPacketSize ?? 256 * 1024;
  }

  observe(observer: SessionObserver): void {
    this.#observers.push(observer);
  }

  /** Starts the session; it keeps reconnecting until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#open("connecting");
  }

  /** Graceful stop: DISCONNECT (the will is not published), close, no reconnect. */
  stop(): void {
    this.#running = false;
    this.#reconnect.cancel();
    if (this.#socket && this.#state === "connected") {
      this.#send({ type: PacketType.DISCONNECT, reasonCode: ReasonCode.SUCCESS });
    }
    this.#closeSocket();
    this.#outbox.rejectAll(new MqttPublishError(ReasonCode.UNSPECIFIED_ERROR, "client stopped"));
    this.#setState("disconnected", this.#lastError);
  }

  /**
   * Publishes a message. QoS 1 resolves on PUBACK (0x10 "no subscribers" counts as success) and is
   * kept across reconnects until acknowledged; QoS 0 resolves once written, and fails if not connected.
   */
  publish(topic: string, payload: Uint8Array | string, options: PublishOptions = {}): Promise<PublishResult> {
    const bytes = typeof payload === "string" ? utf8Encode(payload) : payload.slice();
    const properties = publishProperties(options);
    const qos = options.qos ?? 1;
    return new Promise<PublishResult>((resolve, reject) => {
      const message = { topic, payload: bytes, qos, retain: options.retain ?? false, oneShot: options.oneShot ?? false, properties, resolve, reject };
      if (qos === 0) {
        if (this.#state !== "connected") {
          reject(new MqttPublishError(ReasonCode.UNSPECIFIED_ERROR, "not connected"));
          return;
        }
        const error = this.#sendPublish(message, undefined);
        if (error) reject(error);
        else resolve({ reasonCode: ReasonCode.SUCCESS });
        return;
      }
      if (this.#outbox.enqueue(message)) this.#drainOutbox();
    });
  }

  /**
   * Subscribes and keeps the subscription across reconnects. Resolves with the granted QoS;
   * rejects when the broker refuses (SUBACK reason ≥ 0x80) or the SUBSCRIBE exceeds its Maximum
   * Packet Size. While disconnected it resolves after the next connection's SUBACK.
   */
  subscribe(topicFilter: string, handler: MessageHandler, qos: QoS = 1): Promise<number> {
    return this.#subscriptions.add(topicFilter, qos, handler, (packet) => this.#sendIfConnected(packet));
  }

  /**
   * Ends a subscription: nothing more is delivered for `topicFilter`, and it is not renewed on
   * reconnect. Resolves with the broker's UNSUBACK reason (0x00, or 0x11 "no subscription existed";
   * 0x00 while disconnected); rejects when the broker refuses (≥ 0x80).
   */
  unsubscribe(topicFilter: string): Promise<number> {
    return this.#subscriptions.remove(topicFilter, (packet) => this.#sendIfConnected(packet));
  }

  #open(state: "connecting" | "reconnecting"): void {
    this.#setState(state, this.#lastError);
    const { transport } = this.#options;
    const handlers: SocketHandlers = {
      onWritable: (count) => this.#onSocketWritable(socketRef, count),
      onReadable: () => this.#onSocketReadable(socketRef),
      onError: (reason, cause) => this.#onSocketError(socketRef, reason, cause),
    };
    let socketRef: Socket | undefined;
    try {
      socketRef = transport.secure
        ? this.#host.network.connectTls(transport, handlers)
        : this.#host.network.connectTcp(transport, handlers);
    } catch (error) {
      this.#fail({ kind: "socket", message: errorMessage(error) });
      return;
    }
    this.#socket = socketRef;
    this.#writer.attach(socketRef);
    this.#decoder.reset();
    this.#connectTimer = this.#host.timers.set(() => {
      this.#connectTimer = undefined;
      this.#fail({ kind: "timeout", message: "no CONNACK within the connect timeout" });
    }, this.#options.connectTimeoutMs ?? 20_000);
  }

  /** ECMA-419: the first onWritable means connected; each one reports how many bytes the socket takes now. */
  #onSocketWritable(socket: Socket | undefined, count: number): void {
    if (!socket || socket !== this.#socket) return;
    try {
      this.#writer.onWritable(count);
    } catch (error) {
      this.#fail({ kind: "socket", message: errorMessage(error) });
      return;
    }
    if (!this.#connectSent) this.#sendConnect();
    // QoS 1 messages wait in the outbox (not the write queue) while the socket is behind.
    else if (this.#writer.queued === 0) this.#drainOutbox();
  }

  #sendConnect(): void {
    this.#connectSent = true;
    const connect: ConnectPacket = {
      type: PacketType.CONNECT,
      clientId: this.#options.clientId,
      cleanStart: true,
      keepAlive: this.#options.keepAliveSeconds ?? 60,
      properties: {
        sessionExpiryInterval: 0,
        receiveMaximum: this.#options.receiveMaximum ?? 4,
        maximumPacketSize: this.#maximumPacketSize,
        topicAliasMaximum: this.#options.topicAliasMaximum ?? 8,
      },
    };
    if (this.#options.username !== undefined) connect.username = this.#options.username;
    if (this.#options.password !== undefined) connect.password = this.#options.password;
    if (this.#options.will) connect.will = this.#options.will;
    this.#send(connect);
  }

  #onSocketReadable(socket: Socket | undefined): void {
    if (socket !== this.#socket || !socket) return;
    for (;;) {
      const count = socket.read(this.#readBuffer);
      if (count <= 0) return;
      this.#liveness.received();
      try {
        this.#decoder.push(count === READ_CHUNK_BYTES ? this.#readBuffer : this.#readBuffer.subarray(0, count));
      } catch (error) {
        if (socket !== this.#socket) return; // already failed by a handler; the rest is no one's
        if (error instanceof MqttProtocolError) {
          this.#protocolFailure(error.reasonCode, error.message);
        } else {
          this.#protocolFailure(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, errorMessage(error));
        }
        return;
      }
      if (socket !== this.#socket) return; // a packet handler closed the connection
    }
  }

  #onSocketError(socket: Socket | undefined, reason: string, cause: SocketErrorCause): void {
    if (socket !== this.#socket) return;
    this.#fail({ kind: cause === "tls" ? "tls" : "socket", message: reason });
  }

  #onPacket(packet: ControlPacket): void {
    if (!this.#broker && packet.type !== PacketType.CONNACK && packet.type !== PacketType.DISCONNECT) {
      return this.#protocolFailure(ReasonCode.PROTOCOL_ERROR, `${PACKET_NAMES[packet.type]} before CONNACK`);
    }
    switch (packet.type) {
      case PacketType.CONNACK:
        return this.#onConnack(packet);
      case PacketType.PUBACK:
        if (!this.#outbox.acknowledge(packet.packetId, packet.reasonCode, packet.properties?.reasonString)) {
          this.#host.log.write("warn", `mqtt: PUBACK for unknown packet id ${packet.packetId}`);
        }
        return this.#drainOutbox();
      case PacketType.SUBACK:
        this.#subscriptions.acknowledge(packet.packetId, packet.reasonCodes);
        if (this.#subscriptions.allConfirmed()) this.#notifyReady();
        return;
      case PacketType.UNSUBACK:
        if (!this.#subscriptions.acknowledgeUnsubscribe(packet.packetId, packet.reasonCodes)) {
          this.#host.log.write("warn", `mqtt: UNSUBACK for unknown packet id ${packet.packetId}`);
        }
        return;
      case PacketType.PINGRESP:
        return; // any byte received already counts as a sign of life
      case PacketType.DISCONNECT: {
        const detail = packet.properties?.reasonString ? `: ${packet.properties.reasonString}` : "";
        return this.#fail({
          kind: "server",
          reasonCode: packet.reasonCode,
          message: `broker disconnected us: ${reasonName(packet.reasonCode)}${detail}`,
        });
      }
      default:
        return this.#protocolFailure(ReasonCode.PROTOCOL_ERROR, `unexpected packet type ${packet.type} from broker`);
    }
  }

  #onConnack(packet: ConnackPacket): void {
    if (this.#broker) return this.#protocolFailure(ReasonCode.PROTOCOL_ERROR, "second CONNACK");
    if (packet.reasonCode >= 0x80) {
      const detail = packet.properties?.reasonString ? `: ${packet.properties.reasonString}` : "";
      return this.#fail({
        kind: "connack",
        reasonCode: packet.reasonCode,
        message: `broker refused the connection: ${reasonName(packet.reasonCode)}${detail}`,
      });
    }
    // MQTT-3.2.2-4: we asked for a clean start, so a session the broker claims to hold is not ours.
    if (packet.sessionPresent) return this.#protocolFailure(ReasonCode.PROTOCOL_ERROR, "CONNACK with Session Present answering Clean Start");
    const properties = packet.properties ?? {};
    this.#clearConnectTimer();
    this.#broker = {
      receiveMaximum: properties.receiveMaximum ?? 65535,
      maximumPacketSize: properties.maximumPacketSize ?? 268_435_460,
      topicAliasMaximum: properties.topicAliasMaximum ?? 0,
      maximumQoS: properties.maximumQoS ?? 1,
      retainAvailable: properties.retainAvailable ?? true,
      keepAliveSeconds: properties.serverKeepAlive ?? this.#options.keepAliveSeconds ?? 60,
    };
    if (properties.assignedClientIdentifier !== undefined) {
      this.#broker.assignedClientIdentifier = properties.assignedClientIdentifier;
    }
    this.#reconnect.connected();
    this.#lastError = undefined;
    this.#aliases.reset(this.#broker.topicAliasMaximum);
    this.#setState("connected", undefined);
    this.#liveness.start(this.#broker.keepAliveSeconds * 1000, this.#options.livenessQuietMs ?? DEFAULT_QUIET_MS, this.#options.pingTimeoutMs);
    const pending = this.#subscriptions.resubscribeAll((subscribe) => this.#sendIfConnected(subscribe));
    this.#drainOutbox();
    if (!pending) this.#notifyReady();
  }

  #onPublishStart(header: PublishHeader): void {
    if (!this.#broker) throw new MqttProtocolError(ReasonCode.PROTOCOL_ERROR, "PUBLISH before CONNACK");
    this.#inbound.start(header);
  }

  #onPublishDiscarded(discarded: DiscardedPublish): void {
    if (!this.#broker) throw new MqttProtocolError(ReasonCode.PROTOCOL_ERROR, "PUBLISH before CONNACK");
    this.#inbound.discard(discarded);
  }

  #drainOutbox(): void {
    if (this.#state !== "connected" || !this.#broker) return;
    for (;;) {
      // One message at a time into a socket that is behind: the write queue then never holds more than
      // one PUBLISH, and the next ones go out as onWritable reports room.
      if (this.#writer.queued > 0) return;
      const entry = this.#outbox.takeNext(this.#broker.receiveMaximum);
      if (!entry) return;
      const error = this.#sendPublish(entry.message, entry.packetId);
      if (error) this.#outbox.fail(entry.packetId, error);
      if (this.#state !== "connected") return;
    }
  }

  /** Sends one PUBLISH; returns an error instead when the broker could not accept it. */
  #sendPublish(message: PublishMessage, packetId: number | undefined): Error | undefined {
    const broker = this.#broker;
    if (!broker) return new MqttPublishError(ReasonCode.UNSPECIFIED_ERROR, "not connected");
    const encoded = encodePublish(this.#encoder, this.#aliases, broker, message, packetId);
    if (encoded instanceof Error) return encoded;
    // Refusing one message (QoS 0 into a full queue, or a packet larger than the whole queue) keeps
    // the connection; a control packet that does not fit ends it (#write).
    if (!this.#writer.fits(encoded.bytes.length)) {
      // The broker learns a new alias only from a packet that reaches it.
      if (encoded.newAlias > 0) this.#aliases.forget(encoded.newAlias);
      return new MqttPublishError(
        ReasonCode.QUOTA_EXCEEDED,
        `message of ${encoded.bytes.length} bytes does not fit the write queue (${this.#writer.queued} of ${this.#writer.capacity} bytes waiting for the socket)`,
      );
    }
    this.#write(encoded.bytes);
    return undefined;
  }

  #sendIfConnected(packet: OutgoingPacket): boolean | Error {
    if (this.#state !== "connected") return false;
    return this.#send(packet);
  }

  /** A packet the session cannot do without (PUBACK, PINGREQ): one the broker would refuse ends the connection. */
  #sendControl(packet: OutgoingPacket): void {
    const sent = this.#send(packet);
    if (sent !== true) this.#fail({ kind: "protocol", message: sent.message });
  }

  /** Encodes and writes `packet`, or returns why not: it exceeds the broker's Maximum Packet Size. */
  #send(packet: OutgoingPacket): true | Error {
    const bytes = this.#encoder.encode(packet);
    const limit = this.#broker?.maximumPacketSize;
    if (limit !== undefined && bytes.length > limit) {
      return new MqttProtocolError(
        ReasonCode.PACKET_TOO_LARGE,
        `${PACKET_NAMES[packet.type]} of ${bytes.length} bytes exceeds the broker's maximum packet size ${limit}`,
      );
    }
    this.#write(bytes);
    return true;
  }

  /** Every byte to the broker goes through the writer, which never gives the socket more than it reported. */
  #write(bytes: Uint8Array): void {
    if (!this.#socket) return;
    this.#liveness.sent();
    try {
      this.#writer.write(bytes);
    } catch (error) {
      // queue_full: the socket has not drained for a whole queue's worth of packets; a new connection
      // starts empty, and unacknowledged QoS 1 messages are sent again on it.
      const message = error instanceof SocketWriteError ? error.message : `write failed: ${errorMessage(error)}`;
      this.#fail({ kind: "socket", message });
    }
  }

  /** Malformed input from the broker: tell it why (when we can), then drop the connection. */
  #protocolFailure(reasonCode: number, message: string): void {
    if (this.#state === "connected") this.#send({ type: PacketType.DISCONNECT, reasonCode });
    this.#fail({ kind: "protocol", reasonCode, message });
  }

  /** The current connection or attempt is over: record why and schedule the next attempt (one at a time). */
  #fail(error: SessionError): void {
    this.#closeSocket();
    this.#lastError = error;
    this.#host.log.write("warn", `mqtt: ${error.kind}: ${error.message}`);
    if (!this.#running) {
      this.#setState("disconnected", error);
      return;
    }
    const delayMs = this.#reconnect.schedule(() => {
      if (this.#running) this.#open("reconnecting");
    });
    this.#setState("reconnecting", error);
    this.#host.log.write("info", `mqtt: reconnecting in ${delayMs} ms (attempt ${this.#reconnect.attempts})`);
  }

  #closeSocket(): void {
    this.#clearConnectTimer();
    this.#liveness.stop();
    const socket = this.#socket;
    this.#socket = undefined;
    // Whatever else the current read holds belongs to this connection: stop parsing it.
    this.#decoder.reset();
    this.#writer.detach();
    this.#broker = undefined;
    this.#connectSent = false;
    this.#readyNotified = false;
    this.#inbound.connectionLost();
    this.#outbox.requeueInFlight();
    this.#subscriptions.connectionLost();
    if (socket) {
      try {
        socket.close();
      } catch {
        // Closing a broken socket may throw on some hosts; it is gone either way.
      }
    }
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer === undefined) return;
    this.#host.timers.clear(this.#connectTimer);
    this.#connectTimer = undefined;
  }

  #setState(state: SessionState, error: SessionError | undefined): void {
    const changed = state !== this.#state || error !== this.#lastError;
    this.#state = state;
    this.#lastError = error;
    if (!changed) return;
    for (const observer of this.#observers) observer.stateChanged?.(state, error);
  }

  #notifyReady(): void {
    if (this.#state !== "connected" || this.#readyNotified) return;
    this.#readyNotified = true;
    for (const observer of this.#observers) observer.ready?.();
  }
}
