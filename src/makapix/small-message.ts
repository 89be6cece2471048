// Small JSON messages (view acks, commands, status) are gathered into one fixed buffer and parsed
// whole: their size is capped, so JSON.parse on them is bounded. Larger ones are refused, not grown.

import type { PublishHeader } from "../mqtt/packets.js";
import type { MessageHandler } from "../mqtt/subscriptions.js";
import { utf8Decode } from "../util/utf8.js";

/** What a small message turned into: the parsed value, or why it could not be read. */
export type SmallMessage = { ok: true; value: unknown } | { ok: false; reason: string };

export class SmallMessageReader implements MessageHandler {
  readonly #buffer: Uint8Array;
  readonly #deliver: (message: SmallMessage, topic: string) => void;
  #length = 0;
  #overflow = false;
  #topic = "";

  constructor(maximumBytes: number, deliver: (message: SmallMessage, topic: string) => void) {
    this.#buffer = new Uint8Array(maximumBytes);
    this.#deliver = deliver;
  }

  begin(topic: string, _header: PublishHeader): void {
    this.#topic = topic;
    this.#length = 0;
    this.#overflow = false;
  }

  data(chunk: Uint8Array): void {
    if (this.#overflow) return;
    if (this.#length + chunk.length > this.#buffer.length) {
      this.#overflow = true;
      return;
    }
    this.#buffer.set(chunk, this.#length);
    this.#length += chunk.length;
  }

  end(): void {
    if (this.#overflow) {
      this.#deliver({ ok: false, reason: `message larger than ${this.#buffer.length} bytes` }, this.#topic);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(utf8Decode(this.#buffer, 0, this.#length));
    } catch (error) {
      this.#deliver({ ok: false, reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` }, this.#topic);
      return;
    }
    this.#deliver({ ok: true, value }, this.#topic);
  }

  abort(_reason: string): void {
    this.#length = 0;
    this.#overflow = false;
  }
}

/** A plain JSON object (not an array or null), for field access after JSON.parse. */
export function isRecord(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
