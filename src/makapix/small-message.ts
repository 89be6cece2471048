// Small JSON messages (view acks) are parsed as they stream in by the bounded value parser of
// src/json: a message that breaks the budget is refused, never grown into memory.

import { errorMessage } from "../util/errors.js";
import { JsonValueParser } from "../json/value.js";
import type { PublishHeader } from "../mqtt/packets.js";
import type { MessageHandler } from "../mqtt/subscriptions.js";

/** What a small message turned into: the parsed value, or why it could not be read. */
export type SmallMessage = { ok: true; value: unknown } | { ok: false; reason: string };

export interface SmallMessageLimits {
  /** Values of any kind, containers included. */
  maximumValues: number;
  /** Code units of all strings and keys together. */
  maximumText: number;
}

export class SmallMessageReader implements MessageHandler {
  readonly #parser: JsonValueParser;
  readonly #deliver: (message: SmallMessage, topic: string) => void;
  #failure: string | undefined;
  #topic = "";

  constructor(limits: SmallMessageLimits, deliver: (message: SmallMessage, topic: string) => void) {
    this.#parser = new JsonValueParser({ maxNodes: limits.maximumValues, maxTotalUnits: limits.maximumText, maxStringUnits: limits.maximumText });
    this.#deliver = deliver;
  }

  begin(topic: string, _header: PublishHeader): void {
    this.#topic = topic;
    this.#failure = undefined;
    this.#parser.reset();
  }

  data(chunk: Uint8Array): void {
    if (this.#failure !== undefined) return;
    try {
      this.#parser.push(chunk);
    } catch (error) {
      this.#failure = errorMessage(error);
    }
  }

  end(): void {
    if (this.#failure === undefined) {
      try {
        this.#deliver({ ok: true, value: this.#parser.finish() }, this.#topic);
        return;
      } catch (error) {
        this.#failure = errorMessage(error);
      }
    }
    this.#deliver({ ok: false, reason: this.#failure }, this.#topic);
  }

  abort(_reason: string): void {
    this.#parser.reset();
  }
}

/** A plain JSON object (not an array or null), for field access after parsing. */
export function isRecord(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
