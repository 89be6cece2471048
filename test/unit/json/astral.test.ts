// Astral characters (emoji) through the JSON layer, written to hold under both string models: Node
// and xsnap index strings by UTF-16 unit ("\u{1F44B}".length === 2), a Moddable app by code point
// (length 1). Results are compared as UTF-8 bytes or whole strings, never by .length. The text buffer
// holds UTF-16 units and converts them 64 at a time: a pair cut at that boundary came back, on the
// device, as two lone surrogates (U+FFFD U+FFFD here once encoded).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { JsonText } from "../../../src/json/text.js";
import { JsonTokenizer } from "../../../src/json/tokenizer.js";
import { encodeText, EventRecorder, feed, tokenize, type Slicing } from "../../support/json-events.js";

const WAVE = "\u{1F44B}";
const WAVE_UTF8 = [0xf0, 0x9f, 0x91, 0x8b];

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

/** The one string value of `document`, as UTF-8 bytes (lone surrogates show up as U+FFFD). */
function stringBytes(document: string, slicing: Slicing = "whole"): string {
  const events = tokenize(document, slicing, { maxStringUnits: 1024 });
  assert.equal(events.length, 1, events.join(" | "));
  assert.ok(events[0]!.startsWith("s:"), events[0]);
  return hex(encodeText(events[0]!.slice(2)));
}

describe("astral characters in JSON strings", () => {
  test("an emoji straddling every 64-unit conversion boundary comes back whole", () => {
    for (const boundary of [64, 128]) {
      for (let prefix = boundary - 3; prefix <= boundary + 1; prefix++) {
        const text = "a".repeat(prefix) + WAVE + "z";
        const expected = hex(new Uint8Array([...new Array<number>(prefix).fill(0x61), ...WAVE_UTF8, 0x7a]));
        assert.equal(stringBytes(`"${text}"`), expected, `raw UTF-8, ${prefix} ASCII first`);
        assert.equal(stringBytes(`"${"a".repeat(prefix)}\\ud83d\\udc4bz"`), expected, `escaped pair, ${prefix} ASCII first`);
      }
    }
  });

  test("a string of 300 emoji, pushed one byte at a time, keeps every one", () => {
    const text = WAVE.repeat(300);
    const expected = hex(encodeText(text));
    assert.equal(expected.length, 300 * 4 * 3 - 1);
    assert.equal(stringBytes(`"${text}"`, "bytes"), expected);
    assert.equal(stringBytes(`"${"\\ud83d\\udc4b".repeat(300)}"`, [1, 7, 13]), expected);
  });

  test("mixed widths around the boundary: 1-, 2-, 3- and 4-byte characters", () => {
    const text = "\u00e9".repeat(31) + "\u732b" + WAVE + "\u{1F431}".repeat(40) + "x";
    assert.equal(stringBytes(`"${text}"`), hex(encodeText(text)));
    assert.deepEqual(tokenize(`"${text}"`, "whole", { maxStringUnits: 1024 }), [`s:${text}`]);
  });
});

describe("JsonText compares astral names by code point", () => {
  function seenKey(document: string, names: readonly string[]): { equals: boolean[]; index: number } {
    let seen: { equals: boolean[]; index: number } | undefined;
    const recorder = new (class extends EventRecorder {
      override key(key: JsonText): void {
        seen = { equals: names.map((name) => key.equals(name)), index: key.indexIn(names) };
      }
    })();
    const tokenizer = new JsonTokenizer(recorder);
    feed((chunk) => tokenizer.push(chunk), encodeText(document));
    tokenizer.end();
    return seen!;
  }

  test("equals and indexIn find the key with an emoji, and nothing near it", () => {
    const names = ["a", `a${WAVE}x`, `a${WAVE}`, "a\ud83d", WAVE];
    assert.deepEqual(seenKey(`{"a${WAVE}": 1}`, names), { equals: [false, false, true, false, false], index: 2 });
    assert.deepEqual(seenKey(`{"a\\ud83d\\udc4b": 1}`, names), { equals: [false, false, true, false, false], index: 2 });
    assert.deepEqual(seenKey(`{"${WAVE}": 1}`, names), { equals: [false, false, false, false, true], index: 4 });
    assert.deepEqual(seenKey(`{"a": 1}`, names), { equals: [true, false, false, false, false], index: 0 });
    assert.deepEqual(seenKey(`{"": 1}`, ["x", ""]), { equals: [false, true], index: 1 });
  });
});
