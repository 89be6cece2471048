// The two string models (src/util/string-model.ts): Node and xsnap index by UTF-16 unit, a Moddable
// app by code point. These tests hold under both: they assert characters and UTF-8, not .length.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ASTRAL_LENGTH, clipText, codePointCount } from "../../../src/util/string-model.js";
import { utf8Encode } from "../../../src/util/utf8.js";

const WAVE = "\u{1F44B}";

describe("string model", () => {
  test("ASTRAL_LENGTH is what this engine says an emoji's length is", () => {
    assert.equal(ASTRAL_LENGTH, WAVE.length);
    assert.ok(ASTRAL_LENGTH === 1 || ASTRAL_LENGTH === 2);
  });

  test("codePointCount counts characters, not units", () => {
    assert.equal(codePointCount(""), 0);
    assert.equal(codePointCount("abc"), 3);
    assert.equal(codePointCount(WAVE), 1);
    assert.equal(codePointCount(`a${WAVE}\u00e9${WAVE}`), 4);
    assert.equal(codePointCount(WAVE.repeat(512)), 512);
    assert.equal(codePointCount("\u{1F468}\u200d\u{1F469}"), 3, "a ZWJ sequence is three code points");
  });

  test("clipText never leaves half an emoji: the result always encodes as UTF-8", () => {
    const text = `ab${WAVE}cd`;
    for (let maximum = 0; maximum <= text.length + 1; maximum++) {
      const clipped = clipText(text, maximum);
      assert.ok(clipped.length <= maximum, `${maximum}`);
      assert.ok(text.startsWith(clipped));
      utf8Encode(clipped); // throws on a lone surrogate
    }
    assert.deepEqual(utf8Encode(clipText(`ab${WAVE}`, 3)), utf8Encode(ASTRAL_LENGTH === 2 ? "ab" : `ab${WAVE}`));
    assert.equal(clipText("hello", 10), "hello");
  });
});
