// Request field checks with the service's (pydantic) rules and messages: a failure becomes
// error_code internal_error. Lax like pydantic: integral floats and digit strings pass as integers.

import { validationError } from "./rpc-error.js";

export type Payload = { [key: string]: unknown };

export class RequestFields {
  constructor(
    private readonly model: string,
    private readonly payload: Payload,
  ) {}

  private fail(name: string, message: string): never {
    throw validationError(this.model, name, message);
  }

  has(name: string): boolean {
    return this.payload[name] !== undefined;
  }

  /** A required or optional (null allowed) string, with pydantic's code point length bounds. */
  string(name: string, options: { required: true; min?: number; max?: number }): string;
  string(name: string, options?: { required?: false; min?: number; max?: number }): string | undefined;
  string(name: string, options: { required?: boolean; min?: number; max?: number } = {}): string | undefined {
    const value = this.payload[name];
    if (value === undefined || (value === null && !options.required)) {
      if (options.required) this.fail(name, "Field required");
      return undefined;
    }
    if (typeof value !== "string") this.fail(name, "Input should be a valid string");
    const length = [...value].length;
    if (options.min !== undefined && length < options.min) this.fail(name, `String should have at least ${options.min} character${options.min === 1 ? "" : "s"}`);
    if (options.max !== undefined && length > options.max) this.fail(name, `String should have at most ${options.max} characters`);
    return value;
  }

  /** An integer; `fallback` when absent (null is refused unless the field is optional). */
  integer(name: string, options: { required?: boolean; nullable?: boolean; fallback?: number; min?: number; max?: number } = {}): number | undefined {
    const raw = this.payload[name];
    if (raw === undefined || (raw === null && options.nullable)) {
      if (options.required) this.fail(name, "Field required");
      return options.fallback;
    }
    let value: number;
    if (typeof raw === "number" && Number.isInteger(raw)) value = raw;
    else if (typeof raw === "string" && /^\s*[+-]?\d+\s*$/.test(raw)) value = Number(raw.trim());
    else this.fail(name, typeof raw === "number" ? "Input should be a valid integer, got a number with a fractional part" : "Input should be a valid integer");
    if (options.min !== undefined && value < options.min) this.fail(name, `Input should be greater than or equal to ${options.min}`);
    if (options.max !== undefined && value > options.max) this.fail(name, `Input should be less than or equal to ${options.max}`);
    return value;
  }

  literal<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const value = this.payload[name];
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
      this.fail(name, `Input should be ${values.map((v) => `'${v}'`).join(", ").replace(/, ([^,]*)$/, " or $1")}`);
    }
    return value as T;
  }

  /** An optional list of strings (null allowed). */
  stringList(name: string): string[] | undefined {
    const value = this.payload[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) this.fail(name, "Input should be a valid list");
    value.forEach((item, index) => {
      if (typeof item !== "string") this.fail(`${name}.${index}`, "Input should be a valid string");
    });
    return value as string[];
  }

  /** The player_key every request carries: a UUID (it is not compared with the topic's key). */
  playerKey(): void {
    const value = this.payload["player_key"];
    if (value === undefined) this.fail("player_key", "Field required");
    if (typeof value !== "string" || !isUuid(value)) this.fail("player_key", "Input should be a valid UUID");
  }
}

/** Python's UUID() accepts hyphenated or plain hex, any case, optionally in braces or with urn:uuid:. */
export function isUuid(text: string): boolean {
  const hex = text.trim().replace(/^urn:uuid:/i, "").replace(/^\{(.*)\}$/, "$1").replace(/-/g, "");
  return /^[0-9a-fA-F]{32}$/.test(hex);
}

/** The canonical lowercase hyphenated form. */
export function canonicalUuid(text: string): string {
  const hex = text.trim().replace(/^urn:uuid:/i, "").replace(/^\{(.*)\}$/, "$1").replace(/-/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
