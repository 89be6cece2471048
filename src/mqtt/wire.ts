// MQTT data representations (§1.5): the byte sinks the encoder emits into, and the reader the
// decoder parses a buffered packet body with. Both are reused singletons/instances, so encoding
// and decoding allocate only their results.

import { MALFORMED_PACKET, MqttProtocolError, PACKET_TOO_LARGE } from "./errors.js";
import { Utf8Decoder, Utf8Error, utf8EncodeInto, utf8Length } from "../util/utf8.js";

export const MAXIMUM_VARIABLE_BYTE_INTEGER = 268_435_455;

/** Control packet names by type, for error messages. */
export const PACKET_NAMES: readonly string[] = Object.freeze([
  "reserved packet type 0", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
  "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH",
]);
const MAXIMUM_TWO_BYTE = 0xffff;
const MAXIMUM_FOUR_BYTE = 0xffff_ffff;

/** Bytes a Variable Byte Integer takes (value assumed in range). */
export function variableByteIntegerSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : 4;
}

/**
 * What the packet encoders emit into. Emitting runs twice per packet: into a ByteCounter (which
 * validates every value and sizes each property block) and then into a ByteWriter, which trusts
 * the values and writes them into a buffer of exactly the counted size.
 */
export interface ByteSink {
  /** True while counting: the place to check semantic rules (topic syntax, QoS, ...). */
  readonly validating: boolean;
  fail(reasonCode: number, message: string): never;
  byte(value: number, what: string): void;
  twoByte(value: number, what: string): void;
  fourByte(value: number, what: string): void;
  variableByteInteger(value: number, what: string): void;
  /** A UTF-8 Encoded String: two-byte length, then the bytes. */
  string(value: string, what: string): void;
  /** Binary Data: two-byte length, then the bytes. */
  binary(value: Uint8Array, what: string): void;
  /** Bytes as they are (the PUBLISH payload). */
  raw(value: Uint8Array): void;
  beginProperties(): void;
  endProperties(): void;
}

function isInteger(value: unknown, maximum: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= maximum;
}

/** Property blocks per packet: CONNECT has two (its own and the Will's); the rest at most one. */
const MAXIMUM_PROPERTY_BLOCKS = 2;

export class ByteCounter implements ByteSink {
  readonly validating = true;
  count = 0;
  readonly blockSizes: number[] = [0, 0];
  #packetName = "";
  #blocks = 0;
  #blockStart = -1;

  begin(packetName: string): void {
    this.#packetName = packetName;
    this.count = 0;
    this.#blocks = 0;
    this.#blockStart = -1;
  }

  fail(reasonCode: number, message: string): never {
    throw new MqttProtocolError(reasonCode, `${this.#packetName}: ${message}`);
  }

  #outOfRange(what: string, value: unknown, maximum: number): never {
    return this.fail(MALFORMED_PACKET, `${what} ${String(value)} is not an integer in 0..${maximum}`);
  }

  byte(value: number, what: string): void {
    if (!isInteger(value, 0xff)) this.#outOfRange(what, value, 0xff);
    this.count += 1;
  }

  twoByte(value: number, what: string): void {
    if (!isInteger(value, MAXIMUM_TWO_BYTE)) this.#outOfRange(what, value, MAXIMUM_TWO_BYTE);
    this.count += 2;
  }

  fourByte(value: number, what: string): void {
    if (!isInteger(value, MAXIMUM_FOUR_BYTE)) this.#outOfRange(what, value, MAXIMUM_FOUR_BYTE);
    this.count += 4;
  }

  variableByteInteger(value: number, what: string): void {
    if (!isInteger(value, MAXIMUM_VARIABLE_BYTE_INTEGER)) this.#outOfRange(what, value, MAXIMUM_VARIABLE_BYTE_INTEGER);
    this.count += variableByteIntegerSize(value);
  }

  string(value: string, what: string): void {
    if (typeof value !== "string") this.fail(MALFORMED_PACKET, `${what} is not a string`);
    if (value.indexOf("\u0000") >= 0) this.fail(MALFORMED_PACKET, `${what} contains U+0000`);
    let length: number;
    try {
      length = utf8Length(value);
    } catch (error) {
      if (error instanceof Utf8Error) this.fail(MALFORMED_PACKET, `${what}: ${error.reason}`);
      throw error;
    }
    if (length > MAXIMUM_TWO_BYTE) this.fail(MALFORMED_PACKET, `${what} is ${length} bytes of UTF-8, more than 65535`);
    this.count += 2 + length;
  }

  binary(value: Uint8Array, what: string): void {
    if (!(value instanceof Uint8Array)) this.fail(MALFORMED_PACKET, `${what} is not a Uint8Array`);
    if (value.length > MAXIMUM_TWO_BYTE) this.fail(MALFORMED_PACKET, `${what} is ${value.length} bytes, more than 65535`);
    this.count += 2 + value.length;
  }

  raw(value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) this.fail(MALFORMED_PACKET, "payload is not a Uint8Array");
    this.count += value.length;
  }

  beginProperties(): void {
    if (this.#blocks >= MAXIMUM_PROPERTY_BLOCKS) throw new Error("more property blocks than a packet has");
    this.#blockStart = this.count;
  }

  endProperties(): void {
    const size = this.count - this.#blockStart;
    if (size > MAXIMUM_VARIABLE_BYTE_INTEGER) this.fail(PACKET_TOO_LARGE, `properties of ${size} bytes do not fit a packet`);
    this.blockSizes[this.#blocks++] = size;
    this.count += variableByteIntegerSize(size);
  }
}

export class ByteWriter implements ByteSink {
  readonly validating = false;
  bytes: Uint8Array = new Uint8Array(0);
  at = 0;
  #blockSizes: number[] = [];
  #blocks = 0;

  begin(bytes: Uint8Array, blockSizes: number[]): void {
    this.bytes = bytes;
    this.at = 0;
    this.#blockSizes = blockSizes;
    this.#blocks = 0;
  }

  fail(reasonCode: number, message: string): never {
    throw new MqttProtocolError(reasonCode, message);
  }

  byte(value: number): void {
    this.bytes[this.at++] = value;
  }

  twoByte(value: number): void {
    this.bytes[this.at++] = value >> 8;
    this.bytes[this.at++] = value & 0xff;
  }

  fourByte(value: number): void {
    // >>> keeps values above 2^31 right; the typed array keeps the low 8 bits.
    this.bytes[this.at++] = value >>> 24;
    this.bytes[this.at++] = value >>> 16;
    this.bytes[this.at++] = value >>> 8;
    this.bytes[this.at++] = value;
  }

  variableByteInteger(value: number): void {
    let rest = value;
    do {
      const digit = rest & 0x7f;
      rest >>>= 7;
      this.bytes[this.at++] = rest > 0 ? digit | 0x80 : digit;
    } while (rest > 0);
  }

  string(value: string): void {
    const start = this.at;
    const end = utf8EncodeInto(value, this.bytes, start + 2);
    const length = end - start - 2;
    this.bytes[start] = length >> 8;
    this.bytes[start + 1] = length & 0xff;
    this.at = end;
  }

  binary(value: Uint8Array): void {
    this.twoByte(value.length);
    this.raw(value);
  }

  raw(value: Uint8Array): void {
    this.bytes.set(value, this.at);
    this.at += value.length;
  }

  beginProperties(): void {
    this.variableByteInteger(this.#blockSizes[this.#blocks++]);
  }

  endProperties(): void {}
}

/**
 * Reads one buffered packet body. `end` is the end of what may be read now: the packet, or a
 * property block while its properties are read. Every failure is an MqttProtocolError whose
 * message starts with the packet name.
 */
export class PacketReader {
  bytes: Uint8Array = new Uint8Array(0);
  at = 0;
  end = 0;
  packetName = "";
  /** User properties seen in this packet, against the decoder's cap. */
  userProperties = 0;
  readonly #text = new Utf8Decoder();

  begin(bytes: Uint8Array, start: number, end: number, packetName: string): void {
    this.bytes = bytes;
    this.at = start;
    this.end = end;
    this.packetName = packetName;
    this.userProperties = 0;
  }

  /** Lets go of the buffer so a view of the caller's bytes is not kept alive. */
  release(): void {
    this.bytes = new Uint8Array(0);
  }

  fail(reasonCode: number, message: string): never {
    throw new MqttProtocolError(reasonCode, `${this.packetName}: ${message}`);
  }

  get left(): number {
    return this.end - this.at;
  }

  #need(count: number, what: string): void {
    if (this.at + count > this.end) {
      this.fail(MALFORMED_PACKET, `${what} needs ${count} bytes but only ${this.end - this.at} are left`);
    }
  }

  byte(what: string): number {
    this.#need(1, what);
    return this.bytes[this.at++];
  }

  twoByte(what: string): number {
    this.#need(2, what);
    const value = (this.bytes[this.at] << 8) | this.bytes[this.at + 1];
    this.at += 2;
    return value;
  }

  fourByte(what: string): number {
    this.#need(4, what);
    const b = this.bytes;
    const value = b[this.at] * 0x100_0000 + ((b[this.at + 1] << 16) | (b[this.at + 2] << 8) | b[this.at + 3]);
    this.at += 4;
    return value;
  }

  variableByteInteger(what: string): number {
    let value = 0;
    let multiplier = 1;
    for (let index = 0; ; index++) {
      if (index === 4) this.fail(MALFORMED_PACKET, `${what}: variable byte integer longer than 4 bytes`);
      const digit = this.byte(what);
      value += (digit & 0x7f) * multiplier;
      if ((digit & 0x80) === 0) {
        if (digit === 0 && index > 0) this.fail(MALFORMED_PACKET, `${what}: variable byte integer not in its shortest form`);
        return value;
      }
      multiplier *= 0x80;
    }
  }

  string(what: string): string {
    const length = this.twoByte(`length of ${what}`);
    this.#need(length, what);
    const start = this.at;
    const end = start + length;
    const bytes = this.bytes;
    for (let i = start; i < end; i++) {
      if (bytes[i] === 0) this.fail(MALFORMED_PACKET, `${what} contains U+0000 at byte ${i - start}`);
    }
    let value: string;
    try {
      value = this.#text.decode(bytes, start, end);
    } catch (error) {
      if (error instanceof Utf8Error) this.fail(MALFORMED_PACKET, `${what} is not well-formed UTF-8 (${error.reason})`);
      throw error;
    }
    this.at = end;
    return value;
  }

  /** Binary Data, copied: the packet buffer is reused as soon as the packet is delivered. */
  binary(what: string): Uint8Array {
    const length = this.twoByte(`length of ${what}`);
    this.#need(length, what);
    const value = this.bytes.slice(this.at, this.at + length);
    this.at += length;
    return value;
  }

  expectEnd(): void {
    if (this.at !== this.end) this.fail(MALFORMED_PACKET, `${this.end - this.at} unexpected bytes at the end of the packet`);
  }
}
