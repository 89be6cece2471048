// Reads a command envelope (protocol sheet §5) as it streams in:
//   {"command_id": uuid, "command_type": "...", "payload": {...}, "timestamp": "…+00:00"}
// The envelope fields are read with fixed limits; the payload, which differs per command type and
// may come before `command_type`, is built as a small plain object within a budget. The commands
// module then reads each payload field with its own type and limits through PayloadFields.
//
// A payload that breaks the budget, or an envelope field of the wrong type, makes finish() throw a
// JsonError after the whole message was read; `commandId` still tells which command it was, so it can
// be acked "error". Syntax errors throw from push()/finish() as soon as they are seen.
//
// Memory (worst case): the tokenizer (text buffer of maxPayloadStringUnits, default 256 code units =
// 512 bytes; 32-byte container stack), the three envelope strings (≤ 64 + 32 + 40 code units), and
// the payload: at most maxPayloadNodes values (default 128) and maxPayloadUnits code units of text
// (default 4096). Unknown envelope fields are skipped without being stored.

import { JsonError, withPathPrefix } from "../json/errors.js";
import { nameTable, type JsonText } from "../json/text.js";
import type { JsonHandler } from "../json/tokenizer.js";
import { JsonTokenizer } from "../json/tokenizer.js";
import type { JsonObject, JsonValue } from "../json/value.js";
import { JsonValueBuilder } from "../json/value.js";
import { codePointCount } from "../util/string-model.js";

export interface CommandEnvelope {
  commandId: string;
  commandType: string;
  timestamp?: string;
  /** {} when the message had no payload (or null). */
  payload: JsonObject;
}

export interface CommandReaderOptions {
  maxPayloadNodes?: number;
  maxPayloadUnits?: number;
  /** Longest single payload string (default 256). */
  maxPayloadStringUnits?: number;
}

const ENVELOPE_KEYS = Object.freeze(["command_id", "command_type", "timestamp", "payload"]);
const ENVELOPE_TABLE = nameTable(ENVELOPE_KEYS);
const COMMAND_ID = 0;
const COMMAND_TYPE = 1;
const TIMESTAMP = 2;
const PAYLOAD = 3;
const ENVELOPE_LIMITS = Object.freeze([64, 32, 40]);
const NONE = -1;

// Payload events forwarded to the value builder.
const BEGIN_OBJECT = 0;
const END_OBJECT = 1;
const BEGIN_ARRAY = 2;
const END_ARRAY = 3;
const KEY = 4;
const STRING = 5;
const NUMBER = 6;
const BOOLEAN = 7;
const NULL = 8;

export class CommandReader implements JsonHandler {
  readonly #tokenizer: JsonTokenizer;
  readonly #payload: JsonValueBuilder;
  readonly #payloadStringUnits: number;
  #depth = 0;
  #field = NONE;
  #seen = 0;
  /** True while payload events are forwarded to the builder. */
  #inPayload = false;
  #payloadError: JsonError | undefined;
  #commandId: string | undefined;
  #commandType: string | undefined;
  #timestamp: string | undefined;
  #error: JsonError | undefined;

  constructor(options: CommandReaderOptions = {}) {
    this.#payloadStringUnits = options.maxPayloadStringUnits ?? 256;
    this.#tokenizer = new JsonTokenizer(this, {
      maxStringUnits: Math.max(this.#payloadStringUnits, ...ENVELOPE_LIMITS),
      defaultStringLimit: 0,
      defaultOverflow: "truncate",
    });
    this.#payload = new JsonValueBuilder(
      { maxNodes: options.maxPayloadNodes ?? 128, maxTotalUnits: options.maxPayloadUnits ?? 4096 },
      this.#tokenizer,
    );
  }

  /** The command id, once read (also after a failure, so the command can still be acked). */
  get commandId(): string | undefined {
    return this.#commandId;
  }

  reset(): void {
    this.#tokenizer.reset();
    this.#tokenizer.setDefaultStringLimit(0, "truncate");
    this.#payload.reset();
    this.#depth = 0;
    this.#field = NONE;
    this.#seen = 0;
    this.#inPayload = false;
    this.#payloadError = undefined;
    this.#commandId = this.#commandType = this.#timestamp = undefined;
    this.#error = undefined;
  }

  push(chunk: Uint8Array): void {
    this.#tokenizer.push(chunk);
  }

  finish(): CommandEnvelope {
    this.#tokenizer.end();
    const error = this.#error ?? this.#payloadError;
    if (error) throw error;
    if (this.#commandId === undefined) throw new JsonError("missing", "is required", -1, "command_id");
    if (this.#commandType === undefined) throw new JsonError("missing", "is required", -1, "command_type");
    const payload = this.#payload.complete ? (this.#payload.value as JsonObject) : {};
    const envelope: CommandEnvelope = { commandId: this.#commandId, commandType: this.#commandType, payload };
    if (this.#timestamp !== undefined) envelope.timestamp = this.#timestamp;
    return envelope;
  }

  // ---- JsonHandler: depth 1 is the envelope; the payload's events go to the builder ----

  beginObject(): void {
    const depth = ++this.#depth;
    if (depth === 2 && this.#field === PAYLOAD) {
      this.#inPayload = true;
      // Inside the payload every string is kept, up to the payload limit.
      this.#tokenizer.setDefaultStringLimit(this.#payloadStringUnits, "truncate");
    } else if (depth === 1) return;
    else if (depth === 2) this.#wrongType("an object");
    if (this.#inPayload) this.#forward(BEGIN_OBJECT, null, 0);
  }

  endObject(): void {
    const depth = this.#depth--;
    if (!this.#inPayload) return;
    this.#forward(END_OBJECT, null, 0);
    if (depth === 2) {
      this.#inPayload = false;
      this.#field = NONE;
      this.#tokenizer.setDefaultStringLimit(0, "truncate");
    }
  }

  beginArray(): void {
    const depth = ++this.#depth;
    if (depth === 1) throw new JsonError("type", "a command must be an object, not an array", this.#tokenizer.offset);
    if (this.#inPayload) this.#forward(BEGIN_ARRAY, null, 0);
    else if (depth === 2) this.#wrongType("an array");
  }

  endArray(): void {
    this.#depth--;
    if (this.#inPayload) this.#forward(END_ARRAY, null, 0);
  }

  key(key: JsonText): void {
    if (this.#inPayload) {
      this.#forward(KEY, key, 0);
      return;
    }
    if (this.#depth !== 1) return;
    const field = key.find(ENVELOPE_TABLE);
    this.#field = field;
    if (field === NONE) return;
    if ((this.#seen & (1 << field)) !== 0) throw new JsonError("duplicate", "appears twice", this.#tokenizer.offset, ENVELOPE_KEYS[field]);
    this.#seen |= 1 << field;
    if (field !== PAYLOAD) this.#tokenizer.limitNextString(ENVELOPE_LIMITS[field]!, "truncate");
  }

  string(value: JsonText): void {
    if (this.#inPayload) {
      this.#forward(STRING, value, 0);
      return;
    }
    if (this.#depth === 0) throw new JsonError("type", "a command must be an object, not a string", this.#tokenizer.offset);
    if (this.#depth !== 1 || this.#field === NONE) return;
    const field = this.#field;
    this.#field = NONE;
    if (field === PAYLOAD) return this.#wrongTypeOf(PAYLOAD, "a string");
    if (value.truncated) {
      this.#fail(new JsonError("too_long", `longer than ${ENVELOPE_LIMITS[field]} characters`, this.#tokenizer.offset, ENVELOPE_KEYS[field]));
      return;
    }
    const text = value.toString();
    if (field === COMMAND_ID) this.#commandId = text;
    else if (field === COMMAND_TYPE) this.#commandType = text;
    else if (field === TIMESTAMP) this.#timestamp = text;
  }

  number(value: number): void {
    this.#scalar(value, "a number");
  }

  boolean(value: boolean): void {
    this.#scalar(value, "a boolean");
  }

  null(): void {
    if (this.#inPayload) this.#forward(NULL, null, 0);
    else if (this.#depth === 0) throw new JsonError("type", "a command must be an object, not null", this.#tokenizer.offset);
    else if (this.#depth === 1) this.#field = NONE; // absent (a null payload is {})
  }

  #scalar(value: number | boolean, found: string): void {
    if (this.#inPayload) {
      this.#forward(typeof value === "number" ? NUMBER : BOOLEAN, null, value);
      return;
    }
    if (this.#depth === 0) throw new JsonError("type", `a command must be an object, not ${found}`, this.#tokenizer.offset);
    if (this.#depth === 1 && this.#field !== NONE) this.#wrongTypeOf(this.#field, found);
  }

  /** Payload events, until the payload breaks its budget; then the rest of it is ignored. */
  #forward(event: number, text: JsonText | null, value: number | boolean): void {
    if (this.#payloadError) return;
    const payload = this.#payload;
    try {
      switch (event) {
        case BEGIN_OBJECT: return payload.beginObject();
        case END_OBJECT: return payload.endObject();
        case BEGIN_ARRAY: return payload.beginArray();
        case END_ARRAY: return payload.endArray();
        case KEY: return payload.key(text!);
        case STRING: return payload.string(text!);
        case NUMBER: return payload.number(value as number);
        case BOOLEAN: return payload.boolean(value as boolean);
        default: return payload.null();
      }
    } catch (error) {
      if (!(error instanceof JsonError)) throw error;
      this.#payloadError = withPathPrefix(error, "payload");
    }
  }

  #wrongType(found: string): void {
    if (this.#field !== NONE) this.#wrongTypeOf(this.#field, found);
  }

  #wrongTypeOf(field: number, found: string): void {
    this.#field = NONE;
    const expected = field === PAYLOAD ? "an object" : "a string";
    this.#fail(new JsonError("type", `must be ${expected}, not ${found}`, this.#tokenizer.offset, ENVELOPE_KEYS[field]));
  }

  #fail(error: JsonError): void {
    if (!this.#error) this.#error = error;
  }
}

export interface StringField {
  /** Longest accepted value, in characters (code points, the same under both string models). */
  maxUnits: number;
  /** Accepted values; anything else is a "type" error. */
  values?: readonly string[];
}

/**
 * Typed reads of a payload's fields, each with its own limits. Missing or null fields are
 * undefined for the optional readers and a "missing" error for the required ones; a wrong type, an
 * out-of-range number or an over-long string is a JsonError ("type" / "too_long") naming the field.
 */
export class PayloadFields {
  readonly #object: JsonObject;
  readonly #path: string;

  constructor(object: JsonObject, path = "payload") {
    this.#object = object;
    this.#path = path;
  }

  has(key: string): boolean {
    return this.#get(key) !== undefined;
  }

  optionalString(key: string, limits: StringField): string | undefined {
    const value = this.#get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw this.#error("type", key, `must be a string, not ${typeName(value)}`);
    if (codePointCount(value) > limits.maxUnits) throw this.#error("too_long", key, `longer than ${limits.maxUnits} characters`);
    if (limits.values && !limits.values.includes(value)) throw this.#error("type", key, `"${value}" is not one of ${limits.values.join(", ")}`);
    return value;
  }

  /** The field if it is a string, else undefined: for a value the caller checks against its own list. */
  rawString(key: string): string | undefined {
    const value = this.#get(key);
    return typeof value === "string" ? value : undefined;
  }

  string(key: string, limits: StringField): string {
    return this.#required(key, this.optionalString(key, limits));
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    const value = this.#get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value)) throw this.#error("type", key, `must be an integer, not ${typeName(value)}`);
    if (value < min || value > max) throw this.#error("type", key, `${value} is outside ${min}..${max}`);
    return value;
  }

  integer(key: string, min: number, max: number): number {
    return this.#required(key, this.optionalInteger(key, min, max));
  }

  optionalNumber(key: string, min: number, max: number): number | undefined {
    const value = this.#get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "number") throw this.#error("type", key, `must be a number, not ${typeName(value)}`);
    if (value < min || value > max) throw this.#error("type", key, `${value} is outside ${min}..${max}`);
    return value;
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.#get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") throw this.#error("type", key, `must be a boolean, not ${typeName(value)}`);
    return value;
  }

  boolean(key: string): boolean {
    return this.#required(key, this.optionalBoolean(key));
  }

  /** An array of objects (at most maxItems), each readable the same way; [] when absent. */
  objects(key: string, maxItems: number): PayloadFields[] {
    const value = this.#get(key);
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw this.#error("type", key, `must be an array, not ${typeName(value)}`);
    if (value.length > maxItems) throw this.#error("too_long", key, `more than ${maxItems} items`);
    return value.map((item, index) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) {
        throw this.#error("type", `${key}[${index}]`, `must be an object, not ${typeName(item)}`);
      }
      return new PayloadFields(item, `${this.#path}.${key}[${index}]`);
    });
  }

  #get(key: string): JsonValue | undefined {
    if (!Object.prototype.hasOwnProperty.call(this.#object, key)) return undefined;
    const value = this.#object[key]!;
    return value === null ? undefined : value;
  }

  #required<T>(key: string, value: T | undefined): T {
    if (value === undefined) throw this.#error("missing", key, "is required");
    return value;
  }

  #error(code: "type" | "too_long" | "missing", key: string, reason: string): JsonError {
    return new JsonError(code, reason, -1, `${this.#path}.${key}`);
  }
}

function typeName(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
