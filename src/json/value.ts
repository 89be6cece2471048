// Builds plain JS values from tokenizer events, within a budget: for small messages (commands, test
// oracles) where the whole value is wanted. Objects and arrays are ordinary ones, as JSON.parse makes.
//
// Memory: what the value itself takes, bounded by maxNodes values and maxTotalUnits code units of
// strings and keys together (both checked as the value grows), plus a stack of open containers no
// deeper than the tokenizer's maxDepth.
// Duplicate keys are rejected ("duplicate"), unlike JSON.parse, which keeps the last: the service
// never sends them, and an ambiguous message is safer refused.

import { JsonError } from "./errors.js";
import type { JsonText } from "./text.js";
import type { JsonHandler, TokenizerOptions } from "./tokenizer.js";
import { JsonTokenizer } from "./tokenizer.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface ValueLimits {
  /** Values of any kind, containers included (default 4096). */
  maxNodes?: number;
  /** Code units of all strings and keys together (default 65536). */
  maxTotalUnits?: number;
}

/** Where errors are reported: the tokenizer feeding the builder. */
interface Position {
  readonly offset: number;
}

export class JsonValueBuilder implements JsonHandler {
  readonly #maxNodes: number;
  readonly #maxTotalUnits: number;
  readonly #stack: (JsonValue[] | JsonObject)[] = [];
  #position: Position | undefined;
  #pendingKey = "";
  #root: JsonValue = null;
  #complete = false;
  #nodes = 0;
  #units = 0;

  constructor(limits: ValueLimits = {}, position?: Position) {
    this.#maxNodes = limits.maxNodes ?? 4096;
    this.#maxTotalUnits = limits.maxTotalUnits ?? 65536;
    this.#position = position;
  }

  set position(position: Position) {
    this.#position = position;
  }

  /** True once a whole value has been built. */
  get complete(): boolean {
    return this.#complete;
  }

  /** The value built; throws if it is not complete yet. */
  get value(): JsonValue {
    if (!this.#complete) throw new Error("JsonValueBuilder: the value is not complete");
    return this.#root;
  }

  reset(): void {
    this.#stack.length = 0;
    this.#pendingKey = "";
    this.#root = null;
    this.#complete = false;
    this.#nodes = 0;
    this.#units = 0;
  }

  beginObject(): void {
    const object: JsonObject = {};
    this.#add(object);
    this.#stack.push(object);
  }

  endObject(): void {
    this.#close();
  }

  beginArray(): void {
    const array: JsonValue[] = [];
    this.#add(array);
    this.#stack.push(array);
  }

  endArray(): void {
    this.#close();
  }

  key(key: JsonText): void {
    if (key.truncated) throw this.#error("too_long", `key longer than ${key.length} characters`);
    this.#spend(key.length);
    this.#pendingKey = key.toString();
  }

  string(value: JsonText): void {
    if (value.truncated) throw this.#error("too_long", `string longer than ${value.length} characters`);
    this.#spend(value.length);
    this.#add(value.toString());
  }

  number(value: number): void {
    this.#add(value);
  }

  boolean(value: boolean): void {
    this.#add(value);
  }

  null(): void {
    this.#add(null);
  }

  #error(code: "too_long" | "duplicate", message: string): JsonError {
    return new JsonError(code, message, this.#position ? this.#position.offset : -1);
  }

  #spend(units: number): void {
    this.#units += units;
    if (this.#units > this.#maxTotalUnits) throw this.#error("too_long", `more than ${this.#maxTotalUnits} characters of text`);
  }

  #close(): void {
    this.#stack.pop();
    if (this.#stack.length === 0) this.#complete = true;
  }

  #add(value: JsonValue): void {
    if (++this.#nodes > this.#maxNodes) throw this.#error("too_long", `more than ${this.#maxNodes} values`);
    const stack = this.#stack;
    if (stack.length === 0) {
      this.#root = value;
      if (typeof value !== "object" || value === null) this.#complete = true;
      return;
    }
    const parent = stack[stack.length - 1]!;
    if (Array.isArray(parent)) {
      parent.push(value);
      return;
    }
    const key = this.#pendingKey;
    if (Object.prototype.hasOwnProperty.call(parent, key)) throw this.#error("duplicate", `duplicate key "${key}"`);
    // Plain assignment of "__proto__" would set the prototype; JSON.parse makes an own property.
    if (key === "__proto__") Object.defineProperty(parent, key, { value, writable: true, enumerable: true, configurable: true });
    else parent[key] = value;
  }
}

/** Streams one JSON document into a value: push chunks, then finish(). */
export class JsonValueParser {
  readonly #builder: JsonValueBuilder;
  readonly #tokenizer: JsonTokenizer;

  constructor(options: TokenizerOptions & ValueLimits = {}) {
    this.#builder = new JsonValueBuilder(options);
    this.#tokenizer = new JsonTokenizer(this.#builder, options);
    this.#builder.position = this.#tokenizer;
  }

  push(chunk: Uint8Array): void {
    this.#tokenizer.push(chunk);
  }

  finish(): JsonValue {
    this.#tokenizer.end();
    return this.#builder.value;
  }

  reset(): void {
    this.#tokenizer.reset();
    this.#builder.reset();
  }
}
