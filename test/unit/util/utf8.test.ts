// UTF-8 without TextEncoder/TextDecoder: agreement with the engine's own UTF-8 (encodeURIComponent,
// available in XS too) over the whole code space, strict refusal of ill-formed input, and the rules
// MQTT adds on top (U+0000 refused by the codec, BOM kept).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Utf8Decoder, Utf8Error, utf8Decode, utf8Encode, utf8EncodeInto, utf8Length } from "../../../src/util/utf8.js";
import { decodeChunks, hex, reasonOf } from "../../support/mqtt-codec.js";

/** UTF-8 of a well-formed string, as the engine's encodeURIComponent spells it (%XX per byte). */
function engineUtf8(s: string): Uint8Array {
  const escaped = encodeURIComponent(s);
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    if (escaped[i] === "%") {
      bytes.push(parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(escaped.charCodeAt(i));
  }
  return new Uint8Array(bytes);
}

function decodeAll(bytes: Uint8Array): string {
  return utf8Decode(bytes, 0, bytes.length);
}

function refusal(bytes: Uint8Array): string {
  try {
    decodeAll(bytes);
  } catch (error) {
    assert.ok(error instanceof Utf8Error, `expected Utf8Error, got ${String(error)}`);
    return error.reason;
  }
  throw new Error("accepted ill-formed UTF-8");
}

describe("agreement with the engine's UTF-8", () => {
  test("every code point, one at a time (surrogates excepted)", () => {
    for (let code = 0; code <= 0x10ffff; code += code < 0x10000 ? 1 : 0x3f) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const s = String.fromCodePoint(code);
      const expected = engineUtf8(s);
      const bytes = utf8Encode(s);
      if (bytes.length !== expected.length || bytes.some((byte, i) => byte !== expected[i])) {
        assert.fail(`U+${code.toString(16)}: encoded ${Array.from(bytes).join(",")}, engine says ${Array.from(expected).join(",")}`);
      }
      if (utf8Length(s) !== expected.length) assert.fail(`U+${code.toString(16)}: utf8Length ${utf8Length(s)}`);
      if (decodeAll(bytes) !== s) assert.fail(`U+${code.toString(16)} did not decode back`);
    }
    assert.equal(decodeAll(utf8Encode("\u{10ffff}")), "\u{10ffff}");
  });

  test("long mixed strings across the decoder's internal chunk boundaries", () => {
    const pieces = ["a", "é", "€", "\u{1f600}", "字", "\u{10000}", "~"];
    for (let length = 1; length < 300; length += 7) {
      let s = "";
      for (let i = 0; i < length; i++) s += pieces[(i * 5 + length) % pieces.length];
      const bytes = utf8Encode(s);
      assert.deepEqual(bytes, engineUtf8(s));
      assert.equal(decodeAll(bytes), s);
    }
    // A surrogate pair landing exactly on the 64-unit boundary.
    const boundary = "x".repeat(63) + "\u{1f600}" + "y";
    assert.equal(decodeAll(utf8Encode(boundary)), boundary);
  });

  test("decoding a range of a larger buffer", () => {
    const bytes = hex("ff 61 e2 82 ac 62 ff");
    assert.equal(utf8Decode(bytes, 1, 6), "a€b");
    assert.equal(utf8Decode(bytes, 3, 3), "");
    assert.throws(() => utf8Decode(bytes, 5, 8), Utf8Error);
    assert.throws(() => utf8Decode(bytes, 4, 3), Utf8Error);
  });

  test("utf8EncodeInto writes at an offset and refuses to overflow", () => {
    const into = new Uint8Array(6);
    assert.equal(utf8EncodeInto("a€", into, 1), 5);
    assert.deepEqual(into, hex("00 61 e2 82 ac 00"));
    assert.throws(() => utf8EncodeInto("a€", into, 3), /output buffer of 6 bytes too small/);
  });
});

describe("Utf8Decoder: a decoder owns its buffer", () => {
  test("one decoder reused for many strings, emoji at every chunk position, agrees with utf8Decode", () => {
    const decoder = new Utf8Decoder();
    for (let prefix = 58; prefix <= 70; prefix++) {
      const s = "x".repeat(prefix) + "\u{1F44B}\u{1F44B}" + "y";
      const bytes = utf8Encode(s);
      const decoded = decoder.decode(bytes, 0, bytes.length);
      // Compared as UTF-8: under either string model a split pair would re-encode differently (or not at all).
      assert.deepEqual(utf8Encode(decoded), bytes, `${prefix} ASCII first`);
      assert.equal(decoded, s);
      assert.equal(decoded, utf8Decode(bytes, 0, bytes.length));
    }
  });

  test("two decoders do not share state: a failure in one leaves the other's result intact", () => {
    const first = new Utf8Decoder();
    const second = new Utf8Decoder();
    const good = utf8Encode("\u00e9".repeat(40) + "\u{1F431}");
    assert.throws(() => first.decode(hex("e2 82"), 0, 2), Utf8Error);
    assert.deepEqual(utf8Encode(second.decode(good, 0, good.length)), good);
    assert.deepEqual(utf8Encode(first.decode(good, 0, good.length)), good, "a decoder is usable after an error");
  });
});

describe("ill-formed input is refused with a reason", () => {
  const cases: [string, string, RegExp][] = [
    ["overlong U+0000 (C0 80)", "c0 80", /overlong 2-byte/],
    ["overlong 2-byte (C1 BF)", "c1 bf", /overlong 2-byte/],
    ["overlong 3-byte (E0 80 80)", "e0 80 80", /overlong 3-byte/],
    ["overlong 3-byte (E0 9F BF)", "e0 9f bf", /overlong 3-byte/],
    ["overlong 4-byte (F0 8F BF BF)", "f0 8f bf bf", /overlong 4-byte/],
    ["high surrogate U+D800", "ed a0 80", /surrogate code point U\+D800/],
    ["low surrogate U+DFFF", "ed bf bf", /surrogate code point U\+DFFF/],
    ["CESU-8 surrogate pair", "ed a0 bd ed b8 80", /surrogate/],
    ["above U+10FFFF", "f4 90 80 80", /above U\+10FFFF/],
    ["lead byte F5", "f5 80 80 80", /invalid lead byte 0xf5/],
    ["lead byte FF", "ff", /invalid lead byte 0xff/],
    ["stray continuation byte", "61 80", /unexpected continuation byte at byte 1/],
    ["truncated 3-byte sequence", "e2 82", /truncated 3-byte/],
    ["truncated 4-byte sequence", "f0 9f 98", /truncated 4-byte/],
    ["missing continuation byte", "e2 28 a1", /missing continuation byte/],
  ];
  for (const [name, bytes, reason] of cases) {
    test(name, () => assert.match(refusal(hex(bytes)), reason));
  }

  test("U+0000 itself is well-formed UTF-8 (MQTT refuses it separately)", () => {
    assert.equal(decodeAll(hex("61 00 62")), "a\u0000b");
  });

  test("lone surrogates cannot be encoded", () => {
    for (const s of ["\ud800", "a\ud83d", "\ude00b", "\ud83d\u0041", "\udc00\ud800"]) {
      assert.throws(() => utf8Encode(s), Utf8Error, JSON.stringify(s));
      assert.throws(() => utf8Length(s), Utf8Error, JSON.stringify(s));
    }
  });

  test("the byte-order mark is an ordinary character", () => {
    assert.equal(decodeAll(hex("ef bb bf 61")), "\ufeffa");
    assert.deepEqual(utf8Encode("\ufeff"), hex("ef bb bf"));
  });
});

describe("MQTT UTF-8 Encoded Strings in the codec (MQTT 5.0 §1.5.4)", () => {
  // A PUBLISH whose topic is the given bytes: 30, remaining length, topic length, topic, property length.
  function publishWithTopic(topicHex: string): Uint8Array {
    const topic = hex(topicHex);
    const bytes = new Uint8Array(topic.length + 5);
    bytes.set([0x30, topic.length + 3, 0, topic.length]);
    bytes.set(topic, 4);
    return bytes;
  }

  test("U+0000 is refused as malformed", () => {
    assert.equal(reasonOf(() => decodeChunks([publishWithTopic("61 00")])), 0x81);
  });

  test("surrogate code points are refused as malformed", () => {
    assert.equal(reasonOf(() => decodeChunks([publishWithTopic("ed a0 80")])), 0x81);
    assert.equal(reasonOf(() => decodeChunks([publishWithTopic("ed b0 80")])), 0x81);
  });

  test("overlong encodings are refused as malformed (including an overlong '/' or '#')", () => {
    for (const topic of ["c0 80", "c0 af", "e0 80 af", "c0 a3", "f0 80 80 af"]) {
      assert.equal(reasonOf(() => decodeChunks([publishWithTopic(topic)])), 0x81, topic);
    }
  });

  test("a leading BOM is kept, not skipped", () => {
    const [packet] = decodeChunks([publishWithTopic("ef bb bf 61")]);
    assert.equal(packet.type, 3);
    if (packet.type === 3 && "header" in packet) assert.equal(packet.header.topic, "\ufeffa");
  });

  test("non-ASCII topic levels decode", () => {
    const [packet] = decodeChunks([publishWithTopic("e2 82 ac 2f f0 9f 98 80")]);
    if (packet.type === 3 && "header" in packet) assert.equal(packet.header.topic, "€/\u{1f600}");
    else assert.fail("not a PUBLISH");
  });
});
