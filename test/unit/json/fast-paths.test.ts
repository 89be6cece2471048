// The tokenizer's fast paths give what its byte-by-byte paths give: strings skipped past their limit
// (read a word or an escape at a time while whole in the chunk), plain runs of kept strings (found a
// word at a time, copied at once), short integers and literals read at once; keys found through a
// NameTable. The reference for each case is the same bytes read one byte per push, where no fast
// path can run; the fast paths run on long chunks at every alignment (the word view starts at a
// 4-byte boundary of the underlying buffer) and on chunks cut at offsets of every alignment.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { tsJsonKernels } from "../../../src/json/strings.js";
import { nameTable, type JsonText } from "../../../src/json/text.js";
import { JsonTokenizer, type TokenizerOptions } from "../../../src/json/tokenizer.js";
import { encodeText, EventRecorder, tokenize, type Slicing } from "../../support/json-events.js";

const SKIP: TokenizerOptions = { defaultStringLimit: 0, defaultOverflow: "truncate" };
const KEEP_FOUR: TokenizerOptions = { defaultStringLimit: 4, defaultOverflow: "truncate" };
const KEEP_ALL: TokenizerOptions = { maxStringUnits: 2048 };
const KEEP_CUT: TokenizerOptions = { maxStringUnits: 2048, defaultStringLimit: 301, defaultOverflow: "truncate" };
const REJECT_LONG: TokenizerOptions = { maxStringUnits: 2048, defaultStringLimit: 301, defaultOverflow: "reject" };

/** The bytes at byteOffset `skew` of a fresh buffer: the word view of the chunk starts 4 - skew bytes in. */
function atSkew(bytes: Uint8Array, skew: number): Uint8Array {
  const buffer = new Uint8Array(bytes.length + skew);
  buffer.set(bytes, skew);
  return buffer.subarray(skew);
}

/**
 * The longest start of `text` within `units` UTF-16 code units that does not split a surrogate pair,
 * as the tokenizer cuts a string. By code points, so that it holds under both string models (in a
 * Moddable app a string is code points: an emoji has length 1, and slice() would count it once).
 */
function firstUnits(text: string, units: number): string {
  let out = "";
  let used = 0;
  for (const character of text) {
    const width = character.codePointAt(0)! > 0xffff ? 2 : 1;
    if (used + width > units) break;
    out += character;
    used += width;
  }
  return out;
}

function tokenizeAt(bytes: Uint8Array, skew: number, slicing: Slicing, options: TokenizerOptions): string[] {
  return tokenize(atSkew(bytes, skew), slicing, options);
}

// Plain runs of every length mod 4 between everything a string may hold: escapes, raw UTF-8 of each length.
const PIECES = ["\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\uD83D\\uDE00", "\\ud83d", "\u00e9", "\u732b", "\u{1f600}"];
function longContent(): string {
  let content = "";
  for (let i = 0; i < 40; i++) content += "abcdefghijklmnopqrstuvwxyz0123456789ABCD".slice(0, (i * 7) % 41) + PIECES[i % PIECES.length];
  return content + "x".repeat(70);
}

describe("skipped strings", () => {
  const content = longContent();

  test("skipped, kept, cut or rejected at every alignment and slicing, as read byte by byte", () => {
    for (const options of [SKIP, KEEP_FOUR, KEEP_ALL, KEEP_CUT, REJECT_LONG]) {
      for (let pad = 0; pad < 4; pad++) {
        const document = encodeText(`{${" ".repeat(pad)}"k": "${content}", "e": "", "n": ["${content}", 1]}`);
        const expected = tokenize(document, "bytes", options);
        // As the tokenizer keeps it: a lone surrogate escape is U+FFFD, and a cut never splits a pair.
        const whole = (JSON.parse(`"${content}"`) as string).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
        const cut = firstUnits(whole, 301);
        const third = { skip: "s~:", four: `s~:${whole.slice(0, 4)}`, all: `s:${whole}`, cut: `s~:${cut}`, reject: "error:too_long@" };
        const kind = options === SKIP ? "skip" : options === KEEP_FOUR ? "four" : options === KEEP_ALL ? "all" : options === KEEP_CUT ? "cut" : "reject";
        assert.ok(expected[2]!.startsWith(third[kind]) && (kind === "reject" || expected[2] === third[kind]), `pad ${pad}, ${kind}: ${expected[2]}`);
        if (kind !== "reject") assert.ok(expected.includes("s:"), "an empty string is not truncated");
        for (let skew = 0; skew < 4; skew++) {
          assert.deepEqual(tokenizeAt(document, skew, "whole", options), expected, `pad ${pad}, skew ${skew}`);
          for (let cut = 1; cut < document.length; cut += 61) {
            assert.deepEqual(tokenizeAt(document, skew, [cut, cut + 70], options), expected, `pad ${pad}, skew ${skew}, cuts ${cut}`);
          }
        }
      }
    }
  });

  test("a bad byte anywhere in a skipped string fails as it does byte by byte: same code, same offset", () => {
    const bad: [string, number[]][] = [
      ["control character", [0x01]],
      ["raw tab", [0x09]],
      ["invalid escape", [0x5c, 0x78]],
      ["bad hex digit", [0x5c, 0x75, 0x30, 0x30, 0x67, 0x30]],
      ["escape cut short", [0x5c, 0x75, 0x30, 0x22]],
      ["invalid UTF-8 lead", [0xff]],
      ["truncated UTF-8", [0xe7, 0x8c]],
      ["overlong UTF-8", [0xc0, 0xaf]],
    ];
    const plain = encodeText(`["${"a".repeat(90)}"]`);
    for (const [name, inject] of bad) {
      for (let at = 2; at < 80; at++) {
        const document = new Uint8Array(plain.length + inject.length);
        document.set(plain.subarray(0, at));
        document.set(inject, at);
        document.set(plain.subarray(at), at + inject.length);
        const expected = tokenize(document, "bytes", SKIP);
        assert.match(expected[expected.length - 1]!, /^error:(syntax|utf8|truncated)@\d+$/, `${name} at ${at}`);
        for (let skew = 0; skew < 4; skew++) {
          assert.deepEqual(tokenizeAt(document, skew, "whole", SKIP), expected, `${name} at ${at}, skew ${skew}`);
          assert.deepEqual(tokenizeAt(document, skew, [at + 1], SKIP), expected, `${name} at ${at}, skew ${skew}, cut after it`);
        }
      }
    }
  });
});

describe("integers and literals read at once", () => {
  test("the same values and errors as byte by byte, cut anywhere", () => {
    const documents = [
      "[0, -0, 7, -12, 123456789012345, 1234567890123456, -999999999999999, 12e3, 1.5, 10E-1, 0.25, true, false, null]",
      "[01]",
      "[-]",
      "[-a]",
      "[1x]",
      "[1.]",
      "[tru]",
      "[nulL]",
      "[falsey]",
      "[true false]",
      "{\"a\": 12345}",
      "12345",
      "-7",
    ];
    for (const text of documents) {
      const bytes = encodeText(text);
      const expected = tokenize(bytes, "bytes");
      assert.deepEqual(tokenize(bytes), expected, text);
      for (let cut = 0; cut <= bytes.length; cut++) assert.deepEqual(tokenize(bytes, [cut]), expected, `${text} cut at ${cut}`);
    }
    assert.deepEqual(tokenize(documents[0]!), ["[", "n:0", "n:-0", "n:7", "n:-12", "n:123456789012345", "n:1234567890123456", "n:-999999999999999", "n:12000", "n:1.5", "n:1", "n:0.25", "true", "false", "null", "]"]);
    assert.deepEqual(tokenize("[01]"), ["[", "error:syntax@2"]);
    assert.deepEqual(tokenize("[1x]"), ["[", "n:1", "error:syntax@2"]);
    assert.deepEqual(tokenize("[nulL]"), ["[", "error:syntax@4"]);
  });
});

describe("name tables", () => {
  const NAMES = ["post_id", "posts", "post", "kind", "p", "width", "with", "x_y"];
  const table = nameTable(NAMES);

  /**
   * find() on a key as the tokenizer hands it over (truncated beyond `maxKeyUnits`), checked against
   * indexIn(), and with the kernels' way of matching (JsonKernels.findName over the packed table, here
   * its TypeScript twin: the native one is held to the same answers in test/native/json-kernels.test.ts).
   */
  function find(key: string, maxKeyUnits = 64): number {
    let found = -2;
    for (const kernels of [undefined, tsJsonKernels]) {
      const handler = new EventRecorder();
      handler.key = (text: JsonText) => {
        const index = text.find(table);
        assert.equal(index, text.indexIn(NAMES), `"${key}"${kernels ? " (packed)" : ""}`);
        if (kernels) assert.equal(index, found, `"${key}": packed and chained tables differ`);
        found = index;
      };
      new JsonTokenizer(handler, kernels ? { maxKeyUnits, kernels } : { maxKeyUnits }).push(encodeText(`{"${key}": 0}`));
    }
    return found;
  }

  test("find() answers as indexIn() does: exact names only, not prefixes, extensions or truncated keys", () => {
    for (const [index, name] of NAMES.entries()) assert.equal(find(name), index, name);
    for (const other of ["", "pos", "postz", "post_i", "post_idx", "Post", "widtH", "wit", "kinds", "q", "\u00e9", "p\u00e9", "\u{1f600}", "x_y\\u0000"]) {
      assert.equal(find(other), -1, other);
    }
    assert.equal(find("post_id", 4), -1, "a key truncated to post is not post");
  });

  test("only ASCII names of 1..255 characters", () => {
    assert.throws(() => nameTable(["caf\u00e9"]), RangeError);
    assert.throws(() => nameTable([""]), RangeError);
    assert.throws(() => nameTable(["x".repeat(256)]), RangeError);
  });
});
