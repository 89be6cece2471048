// Small typed records read field by field from the tokenizer's events, as a schema says: which keys
// matter, their types, ranges and string limits. Unknown keys are ignored (their strings are never
// stored), null counts as absent, and a record with a wrong-typed or out-of-range known field, a
// missing required field, or a known key appearing twice is rejected as a whole: it is never handed
// on partially. Duplicate known keys are rejected rather than "last wins": the service never sends
// them, so a message that has them is not one to trust.
//
// Memory: one record object at a time (at most `fields.length` properties, strings within their
// limits) plus a few scalars. Schemas are shared constants.

import { JsonError, type JsonErrorCode } from "./errors.js";
import { nameTable, type JsonText, type NameTable } from "./text.js";
import type { JsonTokenizer, Overflow } from "./tokenizer.js";
import { deepFreeze } from "../util/freeze.js";

export const STRING = 0;
export const INTEGER = 1;
export const NUMBER = 2;
export const BOOLEAN = 3;
type FieldType = typeof STRING | typeof INTEGER | typeof NUMBER | typeof BOOLEAN;
const TYPE_NAMES = Object.freeze(["a string", "an integer", "a number", "a boolean"]);

export interface FieldSpec {
  /** The JSON key. */
  readonly key: string;
  /** The record property it fills. */
  readonly property: string;
  readonly type: FieldType;
  /** STRING: code units kept (default 64). */
  readonly maxUnits?: number;
  /** STRING: beyond maxUnits, keep the beginning ("truncate") or reject the record ("reject", default). */
  readonly overflow?: Overflow;
  /** STRING: the only values accepted; the record keeps the listed string itself (shared, not a copy). */
  readonly values?: readonly string[];
  /** STRING with values: another value rejects the record ("reject", default) or leaves the field absent ("absent"). */
  readonly unlisted?: "reject" | "absent";
  /** INTEGER / NUMBER: inclusive range. */
  readonly min?: number;
  readonly max?: number;
  readonly required?: boolean;
}

/** A whole-record rule checked when the object closes: returns a problem or undefined. */
export type RecordCheck = (record: Record<string, unknown>) => { code: JsonErrorCode; reason: string } | undefined;

export interface RecordSchema {
  readonly fields: readonly FieldSpec[];
  readonly keys: readonly string[];
  /** The keys, for JsonText.find(). */
  readonly keyTable: NameTable;
  /** For each field with `values`, those values for JsonText.find(). */
  readonly valueTables: readonly (NameTable | undefined)[];
  /** The longest string any field keeps: the tokenizer's text buffer must hold it. */
  readonly maxUnits: number;
  readonly check: RecordCheck | undefined;
}

const MAX_FIELDS = 30; // presence is tracked in the bits of one number

export function defineSchema(fields: readonly FieldSpec[], check?: RecordCheck): RecordSchema {
  if (fields.length > MAX_FIELDS) throw new RangeError(`a schema has at most ${MAX_FIELDS} fields`);
  let maxUnits = 0;
  for (const field of fields) if (field.type === STRING) maxUnits = Math.max(maxUnits, field.maxUnits ?? 64);
  // Frozen through and through: schemas are module-level tables, kept in flash when preloaded.
  const keys = fields.map((field) => field.key);
  const valueTables = fields.map((field) => (field.values ? nameTable(field.values) : undefined));
  return deepFreeze({ fields, keys, keyTable: nameTable(keys), valueTables, maxUnits, check });
}

/**
 * Fills one record at a time. The owner calls begin(), then forwards the events that are direct
 * members of the record object (key, scalar values, and container() for an object or array value,
 * whose contents it does not forward), then finish().
 */
export class RecordBuilder {
  readonly #tokenizer: JsonTokenizer;
  /** Throw at the first problem instead of rejecting the record when it closes. */
  readonly #strict: boolean;
  #schema: RecordSchema | undefined;
  #record: Record<string, unknown> | undefined;
  #field = -1;
  #seen = 0;
  #error: JsonError | undefined;

  /** One builder serves any number of schemas, one record at a time. */
  constructor(tokenizer: JsonTokenizer, strict = false) {
    this.#tokenizer = tokenizer;
    this.#strict = strict;
  }

  /** A problem found so far in this record, if any. */
  get error(): JsonError | undefined {
    return this.#error;
  }

  /** Starts a record of this schema (its strings must fit the tokenizer's buffer). */
  begin(schema: RecordSchema): void {
    if (schema.maxUnits > this.#tokenizer.stringCapacity) {
      throw new RangeError(`schema keeps strings of ${schema.maxUnits} units; the tokenizer holds ${this.#tokenizer.stringCapacity}`);
    }
    this.#schema = schema;
    this.#record = {};
    this.#field = -1;
    this.#seen = 0;
    this.#error = undefined;
  }

  key(key: JsonText): void {
    const index = key.find(this.#schema!.keyTable);
    this.#field = index;
    if (index < 0) return; // unknown: the tokenizer's default limit skips its strings
    const spec = this.#schema!.fields[index]!;
    const bit = 1 << index;
    if ((this.#seen & bit) !== 0) {
      this.#field = -1;
      this.#problem("duplicate", spec.key, "appears twice");
      return;
    }
    this.#seen |= bit;
    // Always truncate in the tokenizer: an over-long value rejects this record, not the whole stream.
    if (spec.type === STRING) this.#tokenizer.limitNextString(spec.maxUnits ?? 64, "truncate");
  }

  string(text: JsonText): void {
    const field = this.#field;
    const spec = this.#take();
    if (!spec) return;
    if (spec.type !== STRING) return this.#wrongType(spec, "a string");
    if (text.truncated && (spec.overflow ?? "reject") === "reject") {
      return this.#problem("too_long", spec.key, `longer than ${spec.maxUnits ?? 64} characters`);
    }
    const values = this.#schema!.valueTables[field];
    if (spec.values && values) {
      const index = text.find(values);
      if (index >= 0) this.#record![spec.property] = spec.values[index];
      else if (spec.unlisted !== "absent") this.#problem("type", spec.key, `"${text.toString()}" is not one of ${spec.values.join(", ")}`);
      return;
    }
    this.#record![spec.property] = text.toString();
  }

  number(value: number): void {
    const spec = this.#take();
    if (!spec) return;
    if (spec.type === INTEGER) {
      if (!Number.isInteger(value)) return this.#problem("type", spec.key, `${value} is not an integer`);
    } else if (spec.type !== NUMBER) return this.#wrongType(spec, "a number");
    if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
      return this.#problem("type", spec.key, `${value} is outside ${spec.min ?? "-∞"}..${spec.max ?? "∞"}`);
    }
    this.#record![spec.property] = value;
  }

  boolean(value: boolean): void {
    const spec = this.#take();
    if (!spec) return;
    if (spec.type !== BOOLEAN) return this.#wrongType(spec, "a boolean");
    this.#record![spec.property] = value;
  }

  /** null: the field is absent. */
  null(): void {
    this.#field = -1;
  }

  /** The value of the current key is an object or an array (its contents are not forwarded). */
  container(kind: "an object" | "an array"): void {
    const spec = this.#take();
    if (spec) this.#wrongType(spec, kind);
  }

  /** The record object closed: the record, or throws the first problem found in it. */
  finish(): Record<string, unknown> {
    if (this.#error) throw this.#error;
    if (!this.#record) throw new Error("RecordBuilder.finish: no record begun");
    const record = this.#record!;
    const schema = this.#schema!;
    this.#record = undefined; // the caller owns it now
    for (const spec of schema.fields) {
      if (spec.required && record[spec.property] === undefined) this.#problem("missing", spec.key, "is required");
    }
    const problem = this.#error === undefined && schema.check ? schema.check(record) : undefined;
    if (problem) this.#problem(problem.code, "", problem.reason);
    if (this.#error) throw this.#error;
    return record;
  }

  #take(): FieldSpec | undefined {
    const index = this.#field;
    this.#field = -1;
    return index < 0 ? undefined : this.#schema!.fields[index];
  }

  #wrongType(spec: FieldSpec, found: string): void {
    this.#problem("type", spec.key, `must be ${TYPE_NAMES[spec.type]}, not ${found}`);
  }

  #problem(code: JsonErrorCode, key: string, reason: string): void {
    if (this.#error) return; // the first problem is the one reported
    this.#error = new JsonError(code, reason, this.#tokenizer.offset, key);
    if (this.#strict) throw this.#error;
  }
}
