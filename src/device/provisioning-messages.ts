// The messages of the serial provisioning protocol (docs/provisioning.md): message types, the fields a
// payload carries, error codes, and the field codec both sides use (the device's handler and the PC's
// tools/provision CLI).
//
// A payload is a sequence of fields: tag (1 byte), length (2 bytes, big-endian), value. Text is UTF-8,
// numbers are 4-byte big-endian unsigned, a field may repeat (log lines). Unknown tags are skipped, so
// a newer peer can add fields without a new protocol version.

import { Utf8Decoder, utf8EncodeInto, utf8Length } from "../util/utf8.js";

/** Requests (PC → device). A successful reply has the request's type | REPLY; a failure is ERROR. */
export const MESSAGE = Object.freeze({
  HELLO: 0x01,
  INFO: 0x02,
  SET_WIFI: 0x03,
  SET_ENDPOINTS: 0x04,
  PUT_CREDENTIAL: 0x05,
  COMMIT_CREDENTIALS: 0x06,
  START_REGISTRATION: 0x07,
  FACTORY_RESET: 0x08,
  REBOOT: 0x09,
  RECENT_LOG: 0x0a,
  /** Added within protocol 1: an older device answers unknown_command, which the CLI explains. */
  PANEL_WIZARD: 0x0b,
  REPLY: 0x80,
  ERROR: 0xff,
});

export const FIELD = Object.freeze({
  PROTOCOL_VERSION: 1,
  FIRMWARE_VERSION: 2,
  STATE: 3,
  /** In a reply always redacted (first and last 4 characters). */
  PLAYER_KEY: 4,
  /** The certificate's notAfter, seconds since 1970 UTC. */
  CERT_NOT_AFTER: 5,
  WIFI_SSID: 6,
  WIFI_PASSWORD: 7,
  API_BASE: 8,
  BROKER_HOST: 9,
  BROKER_PORT: 10,
  CREDENTIAL_ITEM: 11,
  OFFSET: 12,
  TOTAL: 13,
  DATA: 14,
  RECEIVED: 15,
  ERROR_CODE: 16,
  COMMAND: 17,
  REASON: 18,
  LOG_LINE: 19,
  LOG_NEXT: 20,
  LOG_FROM: 21,
  CONFIRM: 22,
  MAX_PAYLOAD: 23,
  CLIENT: 24,
  HAS_CREDENTIALS: 25,
  LOG_TOTAL: 26,
  /** Added in protocol 1 as optional INFO fields (an older device leaves them out; an older PC skips them). */
  LAST_ERROR: 27,
  /** Milliseconds until a failed boot step is tried again; only while one waits. */
  RETRY_IN: 28,
  WIFI_UP: 29,
  /** PANEL_WIZARD (added within protocol 1): the action asked for (WIZARD_ACTION codes). */
  WIZARD_ACTION: 30,
  /** The reply: running | saved | cancelled | timed out | failed | idle (no wizard yet). */
  WIZARD_STATE: 31,
  WIZARD_STEP: 32,
  WIZARD_STEP_NUMBER: 33,
  WIZARD_STEP_COUNT: 34,
  WIZARD_CANDIDATE: 35,
  WIZARD_CANDIDATE_NUMBER: 36,
  WIZARD_CANDIDATE_COUNT: 37,
  /** What the right candidate looks like. */
  WIZARD_HINT: 38,
  /** The drive on the panel now, or the one found: "driver fm6126a, scan 1/16, …". */
  WIZARD_DRIVE: 39,
  /** Why the candidate on show could not be set up, or why saving failed. */
  WIZARD_PROBLEM: 40,
});

/** PANEL_WIZARD actions (field WIZARD_ACTION). */
export const WIZARD_ACTION = Object.freeze({
  STATUS: 0,
  START: 1,
  NEXT: 2,
  CONFIRM: 3,
  SKIP: 4,
  CANCEL: 5,
});

/** The parts of a credential set, sent one at a time in chunks (PUT_CREDENTIAL). */
export const CREDENTIAL_ITEM = Object.freeze({
  CA: 1,
  CERTIFICATE: 2,
  KEY: 3,
  PLAYER_KEY: 4,
  API_TOKEN: 5,
});

/** FACTORY_RESET carries this text in CONFIRM, so that no other message can be mistaken for one. */
export const FACTORY_RESET_CONFIRM = "factory-reset";

export type ProvisioningErrorCode =
  | "unknown_command"
  | "bad_payload"
  | "too_large"
  | "busy"
  | "refused"
  | "version_mismatch"
  | "corrupt"
  | "internal";

/** Wire numbers of the error codes, by index + 1 (unknown_command = 1). */
export const ERROR_CODES: readonly ProvisioningErrorCode[] = Object.freeze([
  "unknown_command",
  "bad_payload",
  "too_large",
  "busy",
  "refused",
  "version_mismatch",
  "corrupt",
  "internal",
] as ProvisioningErrorCode[]);

export function errorCodeNumber(code: ProvisioningErrorCode): number {
  return ERROR_CODES.indexOf(code) + 1;
}

/** The code for a wire number; an unknown number (a newer peer) reads as "internal". */
export function errorCodeName(value: number): ProvisioningErrorCode {
  return ERROR_CODES[value - 1] ?? "internal";
}

/** A request that cannot be carried out; becomes an ERROR reply with this code and reason. */
export class ProvisioningFailure extends Error {
  override readonly name = "ProvisioningFailure";
  readonly code: ProvisioningErrorCode;
  readonly reason: string;

  constructor(code: ProvisioningErrorCode, reason: string) {
    super(`${code}: ${reason}`);
    this.code = code;
    this.reason = reason;
  }
}

/** Appends fields to a payload buffer. Throws ProvisioningFailure ("too_large") when one does not fit. */
export class FieldWriter {
  #into: Uint8Array = new Uint8Array(0);
  #length = 0;

  /** Starts writing at the beginning of `into` (an encoder's payload area). */
  begin(into: Uint8Array): this {
    this.#into = into;
    this.#length = 0;
    return this;
  }

  get length(): number {
    return this.#length;
  }

  /** Takes back the fields written after `length` bytes. */
  truncate(length: number): void {
    if (length >= 0 && length < this.#length) this.#length = length;
  }

  /** Room left for one more field's value. */
  get room(): number {
    return this.#into.length - this.#length - 3;
  }

  text(tag: number, value: string): this {
    const size = utf8Length(value);
    const at = this.#head(tag, size);
    utf8EncodeInto(value, this.#into, at);
    this.#length = at + size;
    return this;
  }

  uint(tag: number, value: number): this {
    const at = this.#head(tag, 4);
    const into = this.#into;
    into[at] = (value >>> 24) & 0xff;
    into[at + 1] = (value >>> 16) & 0xff;
    into[at + 2] = (value >>> 8) & 0xff;
    into[at + 3] = value & 0xff;
    this.#length = at + 4;
    return this;
  }

  bytes(tag: number, value: Uint8Array): this {
    const at = this.#head(tag, value.length);
    this.#into.set(value, at);
    this.#length = at + value.length;
    return this;
  }

  #head(tag: number, size: number): number {
    const at = this.#length;
    if (at + 3 + size > this.#into.length) throw new ProvisioningFailure("too_large", `field ${tag} of ${size} bytes does not fit`);
    this.#into[at] = tag;
    this.#into[at + 1] = size >> 8;
    this.#into[at + 2] = size & 0xff;
    return at + 3;
  }
}

/**
 * Reads a payload's fields in order: `while (reader.next()) switch (reader.tag) …`. A field running
 * past the payload's end throws ProvisioningFailure ("bad_payload"), as do the typed getters on a
 * field of the wrong size or malformed UTF-8.
 */
export class FieldReader {
  readonly #text = new Utf8Decoder();
  #payload: Uint8Array = new Uint8Array(0);
  #at = 0;
  tag = 0;
  start = 0;
  end = 0;

  begin(payload: Uint8Array): this {
    this.#payload = payload;
    this.#at = 0;
    this.tag = 0;
    this.start = 0;
    this.end = 0;
    return this;
  }

  next(): boolean {
    const p = this.#payload;
    const at = this.#at;
    if (at === p.length) return false;
    if (at + 3 > p.length) throw new ProvisioningFailure("bad_payload", `field header cut short at byte ${at}`);
    const size = (p[at + 1]! << 8) | p[at + 2]!;
    if (at + 3 + size > p.length) throw new ProvisioningFailure("bad_payload", `field ${p[at]!} of ${size} bytes runs past the payload`);
    this.tag = p[at]!;
    this.start = at + 3;
    this.end = at + 3 + size;
    this.#at = this.end;
    return true;
  }

  get size(): number {
    return this.end - this.start;
  }

  /** The field's value as text; `maximumBytes` bounds it (a longer one is "too_large"). */
  text(maximumBytes: number): string {
    if (this.size > maximumBytes) throw new ProvisioningFailure("too_large", `field ${this.tag} has ${this.size} bytes (at most ${maximumBytes})`);
    try {
      return this.#text.decode(this.#payload, this.start, this.end);
    } catch {
      throw new ProvisioningFailure("bad_payload", `field ${this.tag} is not UTF-8 text`);
    }
  }

  uint(): number {
    if (this.size !== 4) throw new ProvisioningFailure("bad_payload", `field ${this.tag} should be a 4-byte number`);
    const p = this.#payload;
    const s = this.start;
    return ((p[s]! << 24) | (p[s + 1]! << 16) | (p[s + 2]! << 8) | p[s + 3]!) >>> 0;
  }

  /** A view of the value (valid while the payload is). */
  bytes(): Uint8Array {
    return this.#payload.subarray(this.start, this.end);
  }
}
