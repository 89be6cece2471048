// The frame of the serial provisioning protocol (docs/provisioning.md): how one message travels on a
// serial line that may carry boot messages, log text, line noise or half a frame from before a reset.
//
//   offset size
//   0      2    sync 0xA5 0x4D
//   2      1    protocol version (1)
//   3      1    message type
//   4      2    request id (big-endian; a reply carries its request's id)
//   6      2    payload length n (big-endian), at most MAX_PAYLOAD
//   8      1    header check: the low byte of the CRC-32 of bytes 2..7
//   9      n    payload
//   9+n    4    CRC-32 (big-endian) of bytes 2..9+n-1 (the header after sync, and the payload)
//
// The header layout is the same in every version, so a peer speaking another version is recognised
// and told so. The header check stops a corrupted length from swallowing the frames behind it.
//
// Memory: an encoder owns one frame buffer (MAX_FRAME bytes), a decoder another; nothing per frame.

import { crc32Final, crc32Update, CRC32_START } from "../art/crc32.js";

export const SYNC_0 = 0xa5;
export const SYNC_1 = 0x4d;
export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 9;
export const TRAILER_BYTES = 4;
/** The largest payload: small enough for a UART buffer and the ESP32's RAM, so PEMs go in chunks. */
export const MAX_PAYLOAD = 1024;
export const MAX_FRAME = HEADER_BYTES + MAX_PAYLOAD + TRAILER_BYTES;

/**
 * Why bytes on the line were not a frame. header: the header check failed (noise that began with the
 * sync bytes, or a corrupted header); too_large: a checked header announced more than MAX_PAYLOAD;
 * crc: the frame's CRC did not match (corrupted or cut short and followed by other bytes);
 * truncated: the line went quiet in the middle of a frame; version: a well-formed frame of another
 * protocol version.
 */
export type FrameErrorKind = "header" | "too_large" | "crc" | "truncated" | "version";

export class ProvisioningFrameError extends Error {
  // A field, not `this.name = ...`: Error.prototype is frozen in a Moddable app.
  override readonly name = "ProvisioningFrameError";
  readonly kind: FrameErrorKind;
  /** The request id when the header was intact (too_large, crc, version), so the peer can be answered. */
  readonly requestId: number | undefined;
  /** The message type from an intact header, else undefined. */
  readonly type: number | undefined;

  constructor(kind: FrameErrorKind, message: string, requestId?: number, type?: number) {
    super(message);
    this.kind = kind;
    this.requestId = requestId;
    this.type = type;
  }
}

/** One decoded frame. `payload` is a view into the decoder's buffer: valid only during the callback. */
export interface Frame {
  readonly type: number;
  readonly requestId: number;
  readonly payload: Uint8Array;
}

export interface FrameSink {
  frame(frame: Frame): void;
  /** A dropped frame; decoding goes on with the bytes after its first sync byte. */
  error(error: ProvisioningFrameError): void;
}

function headerCheck(bytes: Uint8Array): number {
  return crc32Final(crc32Update(CRC32_START, bytes, 2, 8)) & 0xff;
}

/**
 * Builds frames in its own buffer: `begin`, write up to MAX_PAYLOAD bytes into `payload` (from 0),
 * then `finish(length)` gives the whole frame, valid until the next `begin`.
 */
export class FrameEncoder {
  readonly #buffer = new Uint8Array(MAX_FRAME);
  /** Where the payload goes: MAX_PAYLOAD bytes. */
  readonly payload = this.#buffer.subarray(HEADER_BYTES, HEADER_BYTES + MAX_PAYLOAD);
  #type = 0;
  #requestId = 0;
  #version = PROTOCOL_VERSION;

  /** `version` other than the current one only for tests that speak to a decoder as another peer would. */
  begin(type: number, requestId: number, version = PROTOCOL_VERSION): Uint8Array {
    this.#type = type & 0xff;
    this.#requestId = requestId & 0xffff;
    this.#version = version & 0xff;
    return this.payload;
  }

  finish(length: number): Uint8Array {
    if (!(length >= 0 && length <= MAX_PAYLOAD)) throw new RangeError(`payload of ${length} bytes (at most ${MAX_PAYLOAD})`);
    const b = this.#buffer;
    b[0] = SYNC_0;
    b[1] = SYNC_1;
    b[2] = this.#version;
    b[3] = this.#type;
    b[4] = this.#requestId >> 8;
    b[5] = this.#requestId & 0xff;
    b[6] = length >> 8;
    b[7] = length & 0xff;
    b[8] = headerCheck(b);
    const end = HEADER_BYTES + length;
    const crc = crc32Final(crc32Update(CRC32_START, b, 2, end));
    b[end] = crc >>> 24;
    b[end + 1] = (crc >>> 16) & 0xff;
    b[end + 2] = (crc >>> 8) & 0xff;
    b[end + 3] = crc & 0xff;
    return b.subarray(0, end + TRAILER_BYTES);
  }
}

/**
 * A push decoder: bytes in any slicing, frames and typed errors out, never an exception for anything
 * on the line. It holds at most one candidate frame. When a candidate fails (header check, length,
 * CRC), decoding resumes at the next sync byte *inside* it, so a real frame that garbage ran into is
 * still found. `idle()` says the line went quiet: a frame still incomplete then is dropped the same way.
 */
export class FrameDecoder {
  readonly #buffer = new Uint8Array(MAX_FRAME);
  readonly #sink: FrameSink;
  #fill = 0;
  /** Bytes skipped while looking for a frame (noise, log text); for diagnostics. */
  skippedBytes = 0;
  framesDecoded = 0;
  framesDropped = 0;

  constructor(sink: FrameSink) {
    this.#sink = sink;
  }

  /** Bytes of an incomplete frame being held. */
  get pending(): number {
    return this.#fill;
  }

  push(bytes: Uint8Array): void {
    const buffer = this.#buffer;
    let at = 0;
    const end = bytes.length;
    while (at < end) {
      if (this.#fill === 0) {
        // Outside a frame: skip to the next first sync byte.
        const start = at;
        while (at < end && bytes[at] !== SYNC_0) at++;
        this.skippedBytes += at - start;
        if (at === end) break;
      }
      const need = this.#wanted() - this.#fill;
      const take = need < end - at ? need : end - at;
      buffer.set(bytes.subarray(at, at + take), this.#fill);
      this.#fill += take;
      at += take;
      this.#parse();
    }
  }

  /** The line went quiet: a partial frame will not be completed, so resynchronise inside it. */
  idle(): void {
    while (this.#fill > 0) {
      this.framesDropped++;
      this.#sink.error(new ProvisioningFrameError("truncated", `line went quiet ${this.#fill} bytes into a frame`));
      this.#resync();
      this.#parse();
    }
  }

  /** Forgets any partial frame (a new connection). */
  reset(): void {
    this.#fill = 0;
  }

  /** Bytes the current candidate needs before it can be judged. */
  #wanted(): number {
    if (this.#fill < HEADER_BYTES) return HEADER_BYTES;
    const length = (this.#buffer[6]! << 8) | this.#buffer[7]!;
    return HEADER_BYTES + length + TRAILER_BYTES;
  }

  /** Judges the candidate as far as its bytes allow, resynchronising after every failure. */
  #parse(): void {
    const b = this.#buffer;
    for (;;) {
      const fill = this.#fill;
      if (fill === 0) return;
      if (b[0] !== SYNC_0 || (fill >= 2 && b[1] !== SYNC_1)) {
        this.skippedBytes++;
        this.#resync();
        continue;
      }
      if (fill < HEADER_BYTES) return;
      const type = b[3]!;
      const requestId = (b[4]! << 8) | b[5]!;
      const length = (b[6]! << 8) | b[7]!;
      if (b[8] !== headerCheck(b)) {
        this.#drop(new ProvisioningFrameError("header", "header check failed"));
        continue;
      }
      if (length > MAX_PAYLOAD) {
        this.#drop(new ProvisioningFrameError("too_large", `frame announces ${length} payload bytes (at most ${MAX_PAYLOAD})`, requestId, type));
        continue;
      }
      const end = HEADER_BYTES + length;
      if (fill < end + TRAILER_BYTES) return;
      const crc = ((b[end]! << 24) | (b[end + 1]! << 16) | (b[end + 2]! << 8) | b[end + 3]!) >>> 0;
      if (crc !== crc32Final(crc32Update(CRC32_START, b, 2, end))) {
        this.#drop(new ProvisioningFrameError("crc", "frame CRC mismatch", requestId, type));
        continue;
      }
      this.framesDecoded++;
      if (b[2] !== PROTOCOL_VERSION) {
        this.#sink.error(new ProvisioningFrameError("version", `protocol version ${b[2]!} (this side speaks ${PROTOCOL_VERSION})`, requestId, type));
      } else {
        this.#sink.frame({ type, requestId, payload: b.subarray(HEADER_BYTES, end) });
      }
      // Bytes held after this frame (left from a resynchronisation) are the start of what follows.
      const total = end + TRAILER_BYTES;
      if (fill > total) b.copyWithin(0, total, fill);
      this.#fill = fill - total;
    }
  }

  #drop(error: ProvisioningFrameError): void {
    this.framesDropped++;
    this.#sink.error(error);
    this.#resync();
  }

  /** Drops the candidate's first byte and keeps what follows from its next sync byte on. */
  #resync(): void {
    const b = this.#buffer;
    const fill = this.#fill;
    let next = 1;
    while (next < fill && b[next] !== SYNC_0) next++;
    this.skippedBytes += next - 1;
    b.copyWithin(0, next, fill);
    this.#fill = fill - next;
  }
}
