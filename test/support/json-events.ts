// Test helpers for src/json/: a handler that records tokenizer events as short strings, and ways of
// feeding bytes in different slicings. Portable (runs in XS too).
import type { JsonText } from "../../src/json/text.js";
import type { JsonHandler, TokenizerOptions } from "../../src/json/tokenizer.js";
import { JsonTokenizer } from "../../src/json/tokenizer.js";

/** "{", "}", "[", "]", "k:name", "s:text" ("s~:" when truncated), "n:1.5" ("n:-0" for negative zero), "true", "false", "null". */
export class EventRecorder implements JsonHandler {
  events: string[] = [];
  beginObject(): void {
    this.events.push("{");
  }
  endObject(): void {
    this.events.push("}");
  }
  beginArray(): void {
    this.events.push("[");
  }
  endArray(): void {
    this.events.push("]");
  }
  key(key: JsonText): void {
    this.events.push((key.truncated ? "k~:" : "k:") + key.toString());
  }
  string(value: JsonText): void {
    this.events.push((value.truncated ? "s~:" : "s:") + value.toString());
  }
  number(value: number): void {
    this.events.push("n:" + (Object.is(value, -0) ? "-0" : String(value)));
  }
  boolean(value: boolean): void {
    this.events.push(String(value));
  }
  null(): void {
    this.events.push("null");
  }
}

/**
 * UTF-8 of a string, in linear time on every engine. (XS keeps strings as UTF-8, so charCodeAt(i)
 * costs O(i) there and an index loop over a long string is quadratic; the string iterator is not.)
 * Lone surrogates are encoded as U+FFFD.
 */
export function encodeText(text: string): Uint8Array {
  let bytes = new Uint8Array(Math.max(16, text.length * 2));
  let length = 0;
  for (const character of text) {
    let code = character.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (length + 4 > bytes.length) {
      const larger = new Uint8Array(bytes.length * 2);
      larger.set(bytes);
      bytes = larger;
    }
    if (code < 0x80) bytes[length++] = code;
    else if (code < 0x800) {
      bytes[length++] = 0xc0 | (code >> 6);
      bytes[length++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      bytes[length++] = 0xe0 | (code >> 12);
      bytes[length++] = 0x80 | ((code >> 6) & 0x3f);
      bytes[length++] = 0x80 | (code & 0x3f);
    } else {
      bytes[length++] = 0xf0 | (code >> 18);
      bytes[length++] = 0x80 | ((code >> 12) & 0x3f);
      bytes[length++] = 0x80 | ((code >> 6) & 0x3f);
      bytes[length++] = 0x80 | (code & 0x3f);
    }
  }
  return bytes.slice(0, length);
}

export type Slicing = "whole" | "bytes" | number[];

/** Pushes `bytes` in the given slicing: whole, one byte at a time, or cut at the given offsets. */
export function feed(push: (chunk: Uint8Array) => void, bytes: Uint8Array, slicing: Slicing = "whole"): void {
  if (slicing === "whole") {
    push(bytes);
    return;
  }
  if (slicing === "bytes") {
    for (let i = 0; i < bytes.length; i++) push(bytes.subarray(i, i + 1));
    return;
  }
  let start = 0;
  for (const cut of slicing) {
    push(bytes.subarray(start, cut));
    start = cut;
  }
  push(bytes.subarray(start));
}

/** Events of a whole document, or the JsonError (or other error) it ended with, as "error:<code>@<offset>". */
export function tokenize(input: string | Uint8Array, slicing: Slicing = "whole", options: TokenizerOptions = {}): string[] {
  const bytes = typeof input === "string" ? encodeText(input) : input;
  const recorder = new EventRecorder();
  const tokenizer = new JsonTokenizer(recorder, options);
  try {
    feed((chunk) => tokenizer.push(chunk), bytes, slicing);
    tokenizer.end();
  } catch (error) {
    const e = error as { code?: string; offset?: number };
    recorder.events.push(`error:${e.code ?? String(error)}@${e.offset ?? "?"}`);
  }
  return recorder.events;
}
