// The push tokenizer: events for every slicing of the input, escapes and surrogates, numbers as
// JSON.parse reads them, and hostile input (deep nesting, huge strings and numbers, invalid UTF-8,
// trailing garbage, truncation), each failing with a typed error at the right byte.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { JsonError } from "../../../src/json/errors.js";
import { JsonTokenizer } from "../../../src/json/tokenizer.js";
import { nameTable, type JsonText } from "../../../src/json/text.js";
import { encodeText, EventRecorder, tokenize } from "../../support/json-events.js";

const DOCUMENT = '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n", {}], "b\\"": {"c": []}, "\u00e9\u732b\u{1f431}": 0}';
const DOCUMENT_EVENTS = ["{", "k:a", "[", "n:1", "n:-2500", "true", "false", "null", "s:x\u00e9\n", "{", "}", "]", 'k:b"', "{", "k:c", "[", "]", "}", "k:\u00e9\u732b\u{1f431}", "n:0", "}"];

function bytesOf(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

function quoted(inner: number[]): Uint8Array {
  return bytesOf(0x22, ...inner, 0x22);
}

describe("slicing", () => {
  test("whole, one byte at a time, and cut at every offset give the same events", () => {
    assert.deepEqual(tokenize(DOCUMENT), DOCUMENT_EVENTS);
    assert.deepEqual(tokenize(DOCUMENT, "bytes"), DOCUMENT_EVENTS);
    const length = encodeText(DOCUMENT).length;
    for (let cut = 0; cut <= length; cut++) assert.deepEqual(tokenize(DOCUMENT, [cut]), DOCUMENT_EVENTS, `cut at ${cut}`);
    for (let first = 1; first < length; first += 3) {
      for (let second = first; second < length; second += 5) assert.deepEqual(tokenize(DOCUMENT, [first, second]), DOCUMENT_EVENTS);
    }
  });

  test("top-level scalars, finished by end()", () => {
    assert.deepEqual(tokenize("123"), ["n:123"]);
    assert.deepEqual(tokenize("123", "bytes"), ["n:123"]);
    assert.deepEqual(tokenize(" -0 "), ["n:-0"]);
    assert.deepEqual(tokenize('"s"'), ["s:s"]);
    assert.deepEqual(tokenize("null"), ["null"]);
    assert.deepEqual(tokenize("\t\r\n true \n"), ["true"]);
  });
});

describe("strings", () => {
  test("every escape", () => {
    assert.deepEqual(tokenize('["\\" \\\\ \\/ \\b \\f \\n \\r \\t"]'), ["[", 's:" \\ / \b \f \n \r \t', "]"]);
    assert.deepEqual(tokenize('"\\u0041\\u00e9\\u20AC\\u0000\\uffff"'), ["s:A\u00e9\u20ac\u0000\uffff"]);
  });

  test("surrogate pairs from escapes and from 4-byte UTF-8", () => {
    assert.deepEqual(tokenize('"\\ud83d\\ude00"', "bytes"), ["s:\u{1f600}"]);
    assert.deepEqual(tokenize('"\\uD83D\\uDE00"'), ["s:\u{1f600}"]);
    assert.deepEqual(tokenize('"a\u{1f600}b"', "bytes"), ["s:a\u{1f600}b"]);
  });

  test("lone surrogates become U+FFFD", () => {
    assert.deepEqual(tokenize('"\\ud83d"'), ["s:\ufffd"]);
    assert.deepEqual(tokenize('"\\ude00x"'), ["s:\ufffdx"]);
    assert.deepEqual(tokenize('"\\ud83dx"'), ["s:\ufffdx"]);
    assert.deepEqual(tokenize('"\\ud83d\\n"'), ["s:\ufffd\n"]);
    assert.deepEqual(tokenize('"\\ud83d\\u0041"'), ["s:\ufffdA"]);
    assert.deepEqual(tokenize('"\\ud83d\\ud83d\\ude00"', "bytes"), ["s:\ufffd\u{1f600}"]);
    assert.deepEqual(tokenize('"\\ud83d\u{1f600}"'), ["s:\ufffd\u{1f600}"]);
  });

  test("raw UTF-8 of every length, split anywhere", () => {
    const text = '"$\u00a2\u20ac\u{10348}\u{10ffff}"';
    for (let cut = 0; cut < encodeText(text).length; cut++) assert.deepEqual(tokenize(text, [cut]), ["s:$\u00a2\u20ac\u{10348}\u{10ffff}"]);
  });

  test("invalid escapes and control characters are syntax errors", () => {
    assert.deepEqual(tokenize('"\\x"'), ["error:syntax@2"]);
    assert.deepEqual(tokenize('"\\u12G4"'), ["error:syntax@5"]);
    assert.deepEqual(tokenize('"\\U0041"'), ["error:syntax@2"]);
    assert.deepEqual(tokenize('"a\nb"'), ["error:syntax@2"]);
    assert.deepEqual(tokenize(quoted([0x61, 0x00])), ["error:syntax@2"]);
    assert.deepEqual(tokenize(quoted([0x7f])), ["s:\u007f"]);
  });

  test("invalid UTF-8 is a utf8 error at the offending byte", () => {
    const cases: [number[], number][] = [
      [[0xc0, 0x80], 1], // overlong 2-byte
      [[0xc1, 0xbf], 1],
      [[0xe0, 0x80, 0x80], 2], // overlong 3-byte
      [[0xed, 0xa0, 0x80], 2], // encoded surrogate
      [[0xf0, 0x80, 0x80, 0x80], 2], // overlong 4-byte
      [[0xf4, 0x90, 0x80, 0x80], 2], // above U+10FFFF
      [[0xf5, 0x80, 0x80, 0x80], 1],
      [[0xff], 1],
      [[0x80], 1], // continuation without a lead
      [[0xc3, 0x41], 2], // missing continuation
      [[0xe2, 0x82], 3], // cut short by the closing quote
    ];
    for (const [inner, offset] of cases) {
      assert.deepEqual(tokenize(quoted(inner)), [`error:utf8@${offset}`], inner.map((b) => b.toString(16)).join(" "));
      assert.deepEqual(tokenize(quoted(inner), "bytes"), [`error:utf8@${offset}`]);
    }
  });

  test("non-ASCII bytes outside strings are syntax errors", () => {
    assert.deepEqual(tokenize(bytesOf(0x5b, 0xc3, 0xa9, 0x5d)), ["[", "error:syntax@1"]);
    assert.deepEqual(tokenize(bytesOf(0xef, 0xbb, 0xbf, 0x31)), ["error:syntax@0"]); // a BOM is not JSON whitespace
  });

  test("an over-long string is truncated or rejected, as the consumer chose", () => {
    const long = "x".repeat(100000);
    assert.deepEqual(tokenize(`["${long}"]`, "whole", { maxStringUnits: 16 }), ["[", "error:too_long@18"]);
    const truncated = tokenize(`["${long}", "ok"]`, "whole", { maxStringUnits: 16, defaultOverflow: "truncate" });
    assert.deepEqual(truncated, ["[", "s~:" + "x".repeat(16), "s:ok", "]"]);
    const skipped = tokenize(`["${long}", "ok"]`, [5000, 70000], { maxStringUnits: 16, defaultStringLimit: 0, defaultOverflow: "truncate" });
    assert.deepEqual(skipped, ["[", "s~:", "s~:", "]"]);
  });

  test("truncation never splits a surrogate pair, and nothing after the cut is kept", () => {
    const options = { maxStringUnits: 3, defaultOverflow: "truncate" as const };
    assert.deepEqual(tokenize('"ab\u{1f600}c"', "whole", options), ["s~:ab"]);
    assert.deepEqual(tokenize('"ab\\ud83d\\ude00c"', "bytes", options), ["s~:ab"]);
    assert.deepEqual(tokenize('"abc\u00e9"', "whole", options), ["s~:abc"]);
    assert.deepEqual(tokenize('"a\u{1f600}"', "whole", options), ["s:a\u{1f600}"]);
  });

  test("keys beyond maxKeyUnits arrive truncated and equal no name", () => {
    let seen: { text: string; truncated: boolean; equals: boolean } | undefined;
    const handler = new EventRecorder();
    handler.key = (key: JsonText) => {
      seen = { text: key.toString(), truncated: key.truncated, equals: key.equals("abcd") };
    };
    const tokenizer = new JsonTokenizer(handler, { maxKeyUnits: 4 });
    tokenizer.push(encodeText('{"abcdef": 1}'));
    tokenizer.end();
    assert.deepEqual(seen, { text: "abcd", truncated: true, equals: false });
  });
});

describe("numbers", () => {
  const valid = [
    "0", "-0", "1", "-1", "10", "123456789012345", "999999999999999", "1234567890123456789", "9007199254740993",
    "1.5", "0.1", "0.30000000000000004", "-0.0", "1e5", "1E+5", "1e-5", "-1.25e-3", "123.456e2", "0.000001",
    "5e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "1e400", "-1e400", "1e-400", "0e99999",
    "12345678901234567890e-10", "3.141592653589793", "1e22", "1e23", "4.35", "0.0000000000000000000000001",
  ];

  test("values equal JSON.parse's, split anywhere", () => {
    for (const text of valid) {
      const expected = JSON.parse(text) as number;
      const label = Object.is(expected, -0) ? "n:-0" : "n:" + String(expected);
      assert.deepEqual(tokenize(text), [label], text);
      assert.deepEqual(tokenize(`[${text}]`, "bytes"), ["[", label, "]"], text);
      assert.deepEqual(tokenize(`{"k":${text}}`, [3, 6]), ["{", "k:k", label, "}"], text);
    }
  });

  test("malformed numbers are errors", () => {
    const invalid = ["01", "-", "1.", ".5", "+1", "1e", "1e+", "--1", "1.e5", "0x1", "-a", "NaN", "Infinity", "1.5.", "00", "-01", "1e5.5"];
    for (const text of invalid) {
      const events = tokenize(`[${text}]`);
      assert.match(events[events.length - 1]!, /^error:syntax@/, `[${text}] gave ${events.join(" ")}`);
      const top = tokenize(text);
      assert.match(top[top.length - 1]!, /^error:(syntax|truncated)@/, `${text} gave ${top.join(" ")}`);
    }
  });

  test("a number longer than 40 characters is too_long", () => {
    assert.deepEqual(tokenize("1".repeat(40)), ["n:" + String(Number("1".repeat(40)))]);
    assert.deepEqual(tokenize("[" + "1".repeat(100000) + "]"), ["[", "error:too_long@41"]);
  });
});

describe("structure", () => {
  test("literals", () => {
    assert.deepEqual(tokenize("[true,false,null]", "bytes"), ["[", "true", "false", "null", "]"]);
    assert.deepEqual(tokenize("[trux]"), ["[", "error:syntax@4"]);
    assert.deepEqual(tokenize("[nul l]"), ["[", "error:syntax@4"]);
    assert.deepEqual(tokenize("[truefalse]"), ["[", "true", "error:syntax@5"]);
    assert.deepEqual(tokenize("tru"), ["error:truncated@3"]);
  });

  test("misplaced punctuation is a syntax error at its byte", () => {
    const cases: [string, string[]][] = [
      ["{,}", ["{", "error:syntax@1"]],
      ["[1,]", ["[", "n:1", "error:syntax@3"]],
      ['{"a"}', ["{", "k:a", "error:syntax@4"]],
      ['{"a":1,}', ["{", "k:a", "n:1", "error:syntax@7"]],
      ["[1 2]", ["[", "n:1", "error:syntax@3"]],
      ["{1:2}", ["{", "error:syntax@1"]],
      ["]", ["error:syntax@0"]],
      ["[}", ["[", "error:syntax@1"]],
      ['{"a":1]', ["{", "k:a", "n:1", "error:syntax@6"]],
      ["[,1]", ["[", "error:syntax@1"]],
      ['{"a"::1}', ["{", "k:a", "error:syntax@5"]],
      ["['x']", ["[", "error:syntax@1"]],
    ];
    for (const [text, events] of cases) assert.deepEqual(tokenize(text), events, text);
  });

  test("trailing data after the value is rejected, trailing whitespace is not", () => {
    assert.deepEqual(tokenize("{} x"), ["{", "}", "error:syntax@3"]);
    assert.deepEqual(tokenize("{}{}"), ["{", "}", "error:syntax@2"]);
    assert.deepEqual(tokenize("1 2"), ["n:1", "error:syntax@2"]);
    assert.deepEqual(tokenize('"a""b"'), ["s:a", "error:syntax@3"]);
    assert.deepEqual(tokenize("{} \n\t "), ["{", "}"]);
  });

  test("every proper prefix of a document is truncated", () => {
    const bytes = encodeText(DOCUMENT);
    for (let length = 0; length < bytes.length; length++) {
      const events = tokenize(bytes.subarray(0, length));
      assert.equal(events[events.length - 1], `error:truncated@${length}`, `prefix of ${length} bytes`);
    }
    assert.deepEqual(tokenize("   "), ["error:truncated@3"]);
  });

  test("nesting is bounded", () => {
    const ok = "[".repeat(32) + "]".repeat(32);
    assert.equal(tokenize(ok).length, 64);
    assert.deepEqual(tokenize("[".repeat(33)).slice(-1), ["error:depth@32"]);
    assert.deepEqual(tokenize("[".repeat(100000)).slice(-1), ["error:depth@32"]);
    assert.deepEqual(tokenize('{"a":'.repeat(5000)).slice(-1), ["error:depth@160"]);
    assert.deepEqual(tokenize("[[[[", "whole", { maxDepth: 3 }).slice(-1), ["error:depth@3"]);
    assert.throws(() => new JsonTokenizer(new EventRecorder(), { maxDepth: 33 }), RangeError);
  });
});

describe("the consumer's controls", () => {
  test("limitNextString applies to the next value only", () => {
    class Limiting extends EventRecorder {
      tokenizer: JsonTokenizer | undefined;
      override key(key: JsonText): void {
        super.key(key);
        if (key.equals("short")) this.tokenizer!.limitNextString(2, "truncate");
        if (key.equals("strict")) this.tokenizer!.limitNextString(2, "reject");
      }
    }
    const recorder = new Limiting();
    const tokenizer = new JsonTokenizer(recorder, { maxStringUnits: 8 });
    recorder.tokenizer = tokenizer;
    tokenizer.push(encodeText('{"short": "abcdef", "n": 5, "free": "abcdef", "short": 1, "x": "abcdef"}'));
    tokenizer.end();
    assert.deepEqual(recorder.events, ["{", "k:short", "s~:ab", "k:n", "n:5", "k:free", "s:abcdef", "k:short", "n:1", "k:x", "s:abcdef", "}"]);
    tokenizer.reset();
    assert.throws(() => tokenizer.push(encodeText('{"strict": "abc"}')), { code: "too_long", offset: 14 });
    assert.throws(() => tokenizer.limitNextString(tokenizer.stringCapacity + 1, "truncate"), RangeError);
  });

  test("errors are sticky until reset, including the handler's own", () => {
    const tokenizer = new JsonTokenizer(new EventRecorder());
    assert.throws(() => tokenizer.push(encodeText("[1,,")), JsonError);
    assert.throws(() => tokenizer.push(encodeText("2]")), { code: "syntax", offset: 3 });
    assert.throws(() => tokenizer.end(), { code: "syntax" });
    tokenizer.reset();
    tokenizer.push(encodeText("[2]"));
    tokenizer.end();

    const failing = new EventRecorder();
    failing.number = () => {
      throw new Error("consumer broke");
    };
    const second = new JsonTokenizer(failing);
    assert.throws(() => second.push(encodeText("[1,")), /consumer broke/);
    assert.throws(() => second.push(encodeText("2]")), /consumer broke/);
  });

  test("filterKeys: an object's other keys and their values give no events, in any slicing, and are still checked", () => {
    class Filtering extends EventRecorder {
      tokenizer: JsonTokenizer | undefined;
      objects = 0;
      constructor(readonly filtered: (object: number) => boolean) {
        super();
      }
      override beginObject(): void {
        super.beginObject();
        if (this.filtered(this.objects++)) this.tokenizer!.filterKeys(nameTable(["a", "n"]));
      }
    }
    // The first object only: in the first document the outer one (the object kept under "a" delivers all its keys).
    const run = (text: string, slicing: "whole" | "bytes" = "whole", maxDepth = 32): string[] => {
      const recorder = new Filtering((object) => object === 0);
      const tokenizer = new JsonTokenizer(recorder, { maxDepth, maxStringUnits: 8, defaultOverflow: "reject" });
      recorder.tokenizer = tokenizer;
      try {
        const bytes = encodeText(text);
        if (slicing === "whole") tokenizer.push(bytes);
        else for (let i = 0; i < bytes.length; i++) tokenizer.push(bytes.subarray(i, i + 1));
        tokenizer.end();
      } catch (error) {
        recorder.events.push(`error:${(error as JsonError).code}@${(error as JsonError).offset}`);
      }
      return recorder.events;
    };
    const document = '{"x": {"a": [1, {"n": 2}], "s": "longer than eight"}, "a": {"x": 1, "a": [true]}, "y": -1.5e3, "n": null, "z": [[], {}], "": 0}';
    const events = ["{", "k:a", "{", "k:x", "n:1", "k:a", "[", "true", "]", "}", "k:n", "null", "}"];
    assert.deepEqual(run(document), events);
    assert.deepEqual(run(document, "bytes"), events);
    // A skipped string is never kept, so no limit applies to it; everything else is checked as usual.
    assert.deepEqual(run('{"x": "longer than eight", "a": 1}'), ["{", "k:a", "n:1", "}"]);
    assert.deepEqual(run('{"x": [1, 01]}'), ["{", "error:syntax@11"]);
    assert.deepEqual(run('{"x": "bad \\q"}'), ["{", "error:syntax@12"]);
    assert.deepEqual(run('{"x": [[[1]]]}', "whole", 3), ["{", "error:depth@8"]);
    assert.deepEqual(run('{"x": 12'), ["{", "error:truncated@8"]);
    // The filter ends with its object: a later object at the same depth keeps every key.
    assert.deepEqual(run('[{"x": 1, "n": 0}, {"x": 2}]'), ["[", "{", "k:n", "n:0", "}", "{", "k:x", "n:2", "}", "]"]);
  });

  test("offsets count from the first byte since reset, across chunks", () => {
    const tokenizer = new JsonTokenizer(new EventRecorder());
    tokenizer.push(encodeText("[1, 2,"));
    assert.throws(() => tokenizer.push(encodeText(" 3, x]")), { code: "syntax", offset: 10 });
  });
});
