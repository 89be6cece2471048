// Incremental MQTT 5 decoder: bytes go in as they arrive, in slices of any size; whole control
// packets, PUBLISH headers and PUBLISH payload slices come out.
//
// Memory: one header buffer of `maximumHeaderSize` bytes (default 4096) allocated in the
// constructor, plus the decoded packet objects. A PUBLISH payload is never copied: it is handed to
// the sink as views of the pushed bytes. A non-PUBLISH packet that arrives whole in one push is
// decoded straight from the pushed bytes.

import { MALFORMED_PACKET, MqttProtocolError, PACKET_TOO_LARGE, PROTOCOL_ERROR } from "./errors.js";
import { checkFixedHeader, decodeControlPacket, decodePublishHeader } from "./decode-packets.js";
import type { ControlPacket, PublishHeader, QoS } from "./packets.js";
import { PacketType } from "./packets.js";
import { Utf8Error } from "../util/utf8.js";
import { PacketReader } from "./wire.js";

export interface DecoderSink {
  /** Every non-PUBLISH packet, decoded whole. */
  packet(packet: ControlPacket): void;
  /** A PUBLISH fixed + variable header, before any payload byte. */
  publishStart(header: PublishHeader): void;
  /** Payload slices as they arrive: views into the pushed bytes, valid only during the call. */
  publishData(chunk: Uint8Array): void;
  publishEnd(): void;
  /**
   * A PUBLISH within the maximum packet size whose topic or properties exceed what this decoder holds
   * (the header buffer, the user property limit) was skipped whole, payload unread. Without this
   * method such a packet is a 0x95 failure like any other.
   */
  publishDiscarded?(discarded: DiscardedPublish): void;
}

/** What is known of a skipped PUBLISH: enough to acknowledge it. */
export interface DiscardedPublish {
  qos: QoS;
  /** QoS 1 only. */
  packetId: number | undefined;
  reason: string;
}

export interface DecoderLimits {
  /** Whole packet, fixed header included; a larger one fails with 0x95 as soon as its length is known. */
  maximumPacketSize: number;
  /** Bytes buffered for a non-PUBLISH packet or a PUBLISH variable header (default 4096); more → 0x95. */
  maximumHeaderSize?: number;
  /** User properties accepted in one packet (default 32); more → 0x95. */
  maximumUserProperties?: number;
}

const DEFAULT_MAXIMUM_HEADER_SIZE = 4096;
const DEFAULT_MAXIMUM_USER_PROPERTIES = 32;

// Where the decoder is in the byte stream.
const FIXED_HEADER = 0;
const REMAINING_LENGTH = 1;
const CONTROL_BODY = 2;
const PUBLISH_HEADER = 3;
const PUBLISH_PAYLOAD = 4;
const DISCARD = 5;

// Which part of a PUBLISH variable header is being buffered; its length is learnt as it arrives.
const TOPIC_LENGTH = 0;
const PROPERTY_LENGTH = 1;
const PROPERTIES = 2;

export class MqttDecoder {
  readonly #sink: DecoderSink;
  readonly #maximumPacketSize: number;
  readonly #maximumUserProperties: number;
  readonly #buffer: Uint8Array;
  readonly #reader = new PacketReader();

  #state = FIXED_HEADER;
  #firstByte = 0;
  #remainingLength = 0;
  #lengthBytes = 0;
  #lengthMultiplier = 1;
  /** Bytes of the current body or PUBLISH header held in #buffer, and how many are needed next. */
  #buffered = 0;
  #needed = 0;
  #publishStage = TOPIC_LENGTH;
  #propertyLengthStart = 0;
  #payloadLeft = 0;
  /** DISCARD: bytes of the packet still to come, bytes to skip before the packet id, id bytes to read. */
  #discardLeft = 0;
  #skipLeft = 0;
  #idLeft = 0;
  #discardPacketId = 0;
  #discardReason = "";
  #error: MqttProtocolError | undefined;
  /** Bumped by reset(), so a push notices when a sink callback reset the decoder. */
  #generation = 0;
  /** True while a sink method runs: its exceptions are the caller's, not malformed input. */
  #inSink = false;

  constructor(sink: DecoderSink, limits: DecoderLimits) {
    this.#sink = sink;
    this.#maximumPacketSize = limits.maximumPacketSize;
    this.#maximumUserProperties = limits.maximumUserProperties ?? DEFAULT_MAXIMUM_USER_PROPERTIES;
    this.#buffer = new Uint8Array(limits.maximumHeaderSize ?? DEFAULT_MAXIMUM_HEADER_SIZE);
  }

  /** Forgets any partial packet and any earlier error: the next byte starts a new packet. */
  reset(): void {
    this.#state = FIXED_HEADER;
    this.#buffered = 0;
    this.#error = undefined;
    this.#inSink = false;
    this.#reader.release();
    this.#generation++;
  }

  /**
   * Consumes `bytes`, calling the sink for what they complete. Throws MqttProtocolError for
   * malformed input, and the same error on every later push until reset(). An exception thrown
   * by a sink method propagates unchanged; the rest of that push is then dropped.
   */
  push(bytes: Uint8Array): void {
    if (this.#error) throw this.#error;
    try {
      this.#consume(bytes);
    } catch (error) {
      if (this.#inSink) {
        this.#inSink = false;
        throw error;
      }
      throw this.#fail(error);
    }
  }

  #fail(error: unknown): MqttProtocolError {
    let failure: MqttProtocolError;
    if (error instanceof MqttProtocolError) failure = error;
    else if (error instanceof Utf8Error) failure = new MqttProtocolError(MALFORMED_PACKET, `malformed UTF-8: ${error.reason}`);
    else failure = new MqttProtocolError(MALFORMED_PACKET, `malformed packet (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`);
    this.#error = failure;
    this.#reader.release();
    return failure;
  }

  #consume(bytes: Uint8Array): void {
    const generation = this.#generation;
    const end = bytes.length;
    let at = 0;
    while (at < end) {
      switch (this.#state) {
        case FIXED_HEADER:
          this.#firstByte = bytes[at++];
          checkFixedHeader(this.#reader, this.#firstByte);
          this.#remainingLength = 0;
          this.#lengthBytes = 0;
          this.#lengthMultiplier = 1;
          this.#state = REMAINING_LENGTH;
          break;
        case REMAINING_LENGTH: {
          const digit = bytes[at++];
          if (this.#lengthBytes === 4) this.#reader.fail(MALFORMED_PACKET, "remaining length: variable byte integer longer than 4 bytes");
          this.#remainingLength += (digit & 0x7f) * this.#lengthMultiplier;
          this.#lengthMultiplier *= 0x80;
          this.#lengthBytes++;
          if (digit & 0x80) break;
          if (digit === 0 && this.#lengthBytes > 1) this.#reader.fail(MALFORMED_PACKET, "remaining length not in its shortest form");
          this.#startBody();
          break;
        }
        case CONTROL_BODY: {
          const body = this.#remainingLength;
          if (this.#buffered === 0 && end - at >= body) {
            // Whole body in this slice: decode in place.
            this.#deliverControlPacket(bytes, at, at + body);
            at += body;
          } else {
            at = this.#fill(bytes, at, body);
            if (this.#buffered === body) this.#deliverControlPacket(this.#buffer, 0, body);
          }
          break;
        }
        case PUBLISH_HEADER:
          at = this.#fill(bytes, at, this.#needed);
          if (this.#buffered === this.#needed) this.#advancePublishHeader();
          break;
        case DISCARD:
          at = this.#skip(bytes, at);
          break;
        default: {
          const count = Math.min(this.#payloadLeft, end - at);
          this.#payloadLeft -= count;
          if (this.#payloadLeft === 0) this.#state = FIXED_HEADER;
          this.#inSink = true;
          this.#sink.publishData(at === 0 && count === end ? bytes : bytes.subarray(at, at + count));
          if (this.#payloadLeft === 0 && generation === this.#generation) this.#sink.publishEnd();
          this.#inSink = false;
          at += count;
        }
      }
      if (generation !== this.#generation) return;
    }
  }

  /** DISCARD: skips bytes, picks up the packet id on the way, and reports the packet once it has all gone by. */
  #skip(bytes: Uint8Array, at: number): number {
    if (this.#skipLeft > 0) {
      const count = Math.min(this.#skipLeft, bytes.length - at);
      this.#skipLeft -= count;
      this.#discardLeft -= count;
      at += count;
    } else if (this.#idLeft > 0) {
      this.#discardPacketId = ((this.#discardPacketId << 8) | bytes[at++]) & 0xffff;
      this.#idLeft--;
      this.#discardLeft--;
      if (this.#idLeft === 0) {
        if (this.#discardPacketId === 0) this.#reader.fail(PROTOCOL_ERROR, "packet identifier 0 (must be 1..65535)");
        this.#skipLeft = this.#discardLeft;
      }
    }
    if (this.#discardLeft === 0) this.#endDiscard();
    return at;
  }

  /**
   * The PUBLISH header cannot be held: skip the rest of the packet (`left` bytes), of which the first
   * `beforeId` precede a packet id still to read (QoS 1) — or the id is `knownId`.
   */
  #discard(reason: string, left: number, beforeId: number, knownId: number | undefined): void {
    if (!this.#sink.publishDiscarded) this.#reader.fail(PACKET_TOO_LARGE, reason);
    if (knownId === 0) this.#reader.fail(PROTOCOL_ERROR, "packet identifier 0 (must be 1..65535)");
    const qos = (this.#firstByte >> 1) & 3;
    this.#discardReason = reason;
    this.#discardLeft = left;
    this.#discardPacketId = knownId ?? 0;
    this.#idLeft = qos > 0 && knownId === undefined ? 2 : 0;
    this.#skipLeft = this.#idLeft > 0 ? beforeId : left;
    this.#buffered = 0;
    this.#state = DISCARD;
    if (left === 0) this.#endDiscard();
  }

  #endDiscard(): void {
    this.#state = FIXED_HEADER;
    const qos = ((this.#firstByte >> 1) & 3) as QoS;
    this.#inSink = true;
    this.#sink.publishDiscarded!({ qos, packetId: qos > 0 ? this.#discardPacketId : undefined, reason: this.#discardReason });
    this.#inSink = false;
  }

  /** Copies bytes into the header buffer until it holds `target`; returns the new input position. */
  #fill(bytes: Uint8Array, at: number, target: number): number {
    const count = Math.min(target - this.#buffered, bytes.length - at);
    this.#buffer.set(bytes.subarray(at, at + count), this.#buffered);
    this.#buffered += count;
    return at + count;
  }

  /** The Remaining Length is known: check the limits and get ready for the body. */
  #startBody(): void {
    const reader = this.#reader;
    const packetSize = 1 + this.#lengthBytes + this.#remainingLength;
    if (packetSize > this.#maximumPacketSize) {
      reader.fail(PACKET_TOO_LARGE, `packet of ${packetSize} bytes exceeds the maximum packet size ${this.#maximumPacketSize}`);
    }
    this.#buffered = 0;
    if (this.#firstByte >> 4 === PacketType.PUBLISH) {
      this.#state = PUBLISH_HEADER;
      this.#publishStage = TOPIC_LENGTH;
      this.#requireHeader(2);
      return;
    }
    if (this.#remainingLength > this.#buffer.length) {
      reader.fail(PACKET_TOO_LARGE, `packet body of ${this.#remainingLength} bytes exceeds the ${this.#buffer.length}-byte header buffer`);
    }
    this.#state = CONTROL_BODY;
    // A packet with an empty body (PINGRESP, short DISCONNECT) is complete already.
    if (this.#remainingLength === 0) this.#deliverControlPacket(this.#buffer, 0, 0);
  }

  #deliverControlPacket(bytes: Uint8Array, start: number, end: number): void {
    const reader = this.#reader;
    reader.begin(bytes, start, end, reader.packetName);
    const packet = decodeControlPacket(reader, this.#firstByte >> 4, this.#maximumUserProperties);
    reader.release();
    this.#state = FIXED_HEADER;
    this.#buffered = 0;
    this.#inSink = true;
    this.#sink.packet(packet);
    this.#inSink = false;
  }

  /**
   * The PUBLISH variable header must be at least `size` bytes: check it fits the packet. One larger
   * than the buffer is skipped (#discard), and false returned.
   */
  #requireHeader(size: number): boolean {
    if (size > this.#remainingLength) {
      this.#reader.fail(MALFORMED_PACKET, `variable header runs past the remaining length ${this.#remainingLength}`);
    }
    if (size > this.#buffer.length) {
      const reason = `PUBLISH variable header of at least ${size} bytes exceeds the ${this.#buffer.length}-byte header buffer`;
      const held = this.#buffered;
      if (held === 2) {
        // The topic length is known, the topic is not held: skip the topic, read the packet id, skip the rest.
        const topicLength = (this.#buffer[0] << 8) | this.#buffer[1];
        this.#discard(reason, this.#remainingLength - held, topicLength, undefined);
      } else {
        this.#discard(reason, this.#remainingLength - held, 0, this.#heldPacketId());
      }
      return false;
    }
    this.#needed = size;
    return true;
  }

  /** The packet id of the PUBLISH header held in the buffer (undefined for QoS 0). */
  #heldPacketId(): number | undefined {
    if ((this.#firstByte & 0x06) === 0) return undefined;
    const at = this.#propertyLengthStart - 2;
    return (this.#buffer[at] << 8) | this.#buffer[at + 1];
  }

  /** #buffer holds #needed bytes of the PUBLISH variable header: learn how many more it has. */
  #advancePublishHeader(): void {
    const buffer = this.#buffer;
    const at = this.#needed;
    switch (this.#publishStage) {
      case TOPIC_LENGTH: {
        const topicLength = (buffer[0] << 8) | buffer[1];
        const packetIdLength = (this.#firstByte & 0x06) === 0 ? 0 : 2;
        this.#propertyLengthStart = 2 + topicLength + packetIdLength;
        this.#publishStage = PROPERTY_LENGTH;
        this.#requireHeader(this.#propertyLengthStart + 1);
        return;
      }
      case PROPERTY_LENGTH: {
        if (buffer[at - 1] & 0x80) {
          if (at - this.#propertyLengthStart === 4) this.#reader.fail(MALFORMED_PACKET, "property length: variable byte integer longer than 4 bytes");
          this.#requireHeader(at + 1);
          return;
        }
        let propertyLength = 0;
        for (let i = at - 1; i >= this.#propertyLengthStart; i--) propertyLength = propertyLength * 0x80 + (buffer[i] & 0x7f);
        this.#publishStage = PROPERTIES;
        if (propertyLength > 0) {
          this.#requireHeader(at + propertyLength);
          return;
        }
        break;
      }
    }
    this.#deliverPublishHeader(at);
  }

  #deliverPublishHeader(headerLength: number): void {
    const reader = this.#reader;
    reader.begin(this.#buffer, 0, headerLength, "PUBLISH");
    const payloadLength = this.#remainingLength - headerLength;
    let header: PublishHeader;
    try {
      header = decodePublishHeader(reader, this.#firstByte, payloadLength, this.#maximumUserProperties);
    } catch (error) {
      // More user properties than we keep: the message is skipped, the connection kept.
      if (!(error instanceof MqttProtocolError) || error.reasonCode !== PACKET_TOO_LARGE || !this.#sink.publishDiscarded) throw error;
      reader.release();
      this.#discard(error.message, payloadLength, 0, this.#heldPacketId());
      return;
    }
    reader.release();
    this.#buffered = 0;
    this.#payloadLeft = payloadLength;
    this.#state = payloadLength === 0 ? FIXED_HEADER : PUBLISH_PAYLOAD;
    const generation = this.#generation;
    this.#inSink = true;
    this.#sink.publishStart(header);
    if (payloadLength === 0 && generation === this.#generation) this.#sink.publishEnd();
    this.#inSink = false;
  }
}
