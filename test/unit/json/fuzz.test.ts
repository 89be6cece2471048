// Seeded fuzzing with JSON.parse as the oracle. Random values (deterministic PRNG) are serialized
// three ways (JSON.stringify, indented, and the service's ", " / ": " style with \u-escaped
// non-ASCII); the tokenizer's events, rebuilt into a value, must equal JSON.parse's reading of the
// same text, whatever the slicing. Then random mutations of those bytes: we must either agree with
// JSON.parse (same value) or fail with a JsonError, and must fail whenever JSON.parse does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JsonError } from "../../../src/json/errors.js";
import type { JsonValue } from "../../../src/json/value.js";
import { JsonValueParser } from "../../../src/json/value.js";
import { utf8Decode } from "../../../src/util/utf8.js";
import { encodeText, feed, type Slicing } from "../../support/json-events.js";
import { Random, serviceJson } from "../../support/makapix-replies.js";

const STRING_PIECES = ["a", "Z", " ", "0", '"', "\\", "/", "\n", "\t", "\u0000", "\u001f", "\u007f", "\u00e9", "\u20ac", "\u732b", "\ufffd", "\u{1f600}", "\u{10ffff}", "key", "\u2028"];

function randomString(random: Random, allowLoneSurrogates: boolean): string {
  let s = "";
  const length = random.int(random.chance(0.1) ? 60 : 8);
  for (let i = 0; i < length; i++) {
    // A lone surrogate is followed by "." so that a lone high half never meets a lone low half: in
    // Node they would join into one character, in a Moddable app (code-point strings) they stay two.
    if (allowLoneSurrogates && random.chance(0.03)) s += String.fromCharCode(random.chance(0.5) ? 0xd800 + random.int(0x400) : 0xdc00 + random.int(0x400)) + ".";
    else s += random.pick(STRING_PIECES);
  }
  return s;
}

function randomNumber(random: Random): number {
  switch (random.int(8)) {
    case 0:
      return random.int(1000) - 500;
    case 1:
      return (random.next() - 0.5) * 10 ** (random.int(40) - 20);
    case 2:
      return random.pick([0, -0, 5e-324, 1.7976931348623157e308, 2 ** 53 + 2, -(2 ** 31), 0.1, 1e21, 1e-7, 123456789012345680000]);
    case 3:
      return random.next() * 10 ** (random.int(600) - 300);
    case 4:
      return Math.floor(random.next() * 2 ** 53) * (random.chance(0.5) ? -1 : 1);
    default:
      return Math.round(random.next() * 100000) / 100;
  }
}

function randomValue(random: Random, depth: number): unknown {
  const kind = depth >= 6 ? random.int(4) : random.int(7);
  switch (kind) {
    case 0:
      return randomNumber(random);
    case 1:
      return randomString(random, true);
    case 2:
      return random.pick([true, false, null]);
    case 3:
      return random.chance(0.5) ? randomNumber(random) : randomString(random, false);
    case 4:
    case 5: {
      const object: Record<string, unknown> = {};
      const count = random.int(6);
      // Keys stay well-formed: two lone surrogates would both become U+FFFD and collide.
      for (let i = 0; i < count; i++) object[randomString(random, false)] = randomValue(random, depth + 1);
      return object;
    }
    default: {
      const array: unknown[] = [];
      const count = random.int(6);
      for (let i = 0; i < count; i++) array.push(randomValue(random, depth + 1));
      return array;
    }
  }
}

/** JSON.parse's result with lone surrogates replaced by U+FFFD, which is what the tokenizer delivers. */
function wellFormed(value: unknown): unknown {
  if (typeof value === "string") {
    let out = "";
    for (const character of value) {
      const code = character.charCodeAt(0);
      out += character.length === 1 && code >= 0xd800 && code <= 0xdfff ? "\ufffd" : character;
    }
    return out;
  }
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[wellFormed(key) as string] = wellFormed((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function randomSlicing(random: Random, length: number): Slicing {
  const style = random.int(4);
  if (style === 0) return "whole";
  if (style === 1 && length < 400) return "bytes";
  const cuts: number[] = [];
  let at = 0;
  while (true) {
    at += 1 + random.int(style === 2 ? 8 : 200);
    if (at >= length) break;
    cuts.push(at);
  }
  return cuts;
}

const LIMITS = { maxDepth: 32, maxStringUnits: 4096, maxKeyUnits: 4096 };

function parseOurs(bytes: Uint8Array, slicing: Slicing): JsonValue {
  const parser = new JsonValueParser(LIMITS);
  feed((chunk) => parser.push(chunk), bytes, slicing);
  return parser.finish();
}

function serialize(random: Random, value: unknown): string {
  switch (random.int(3)) {
    case 0:
      return JSON.stringify(value);
    case 1:
      return JSON.stringify(value, null, random.chance(0.5) ? 2 : "\t");
    default:
      // The service style; its serializer takes plain JSON data, which this value is.
      return serviceJson(value as Parameters<typeof serviceJson>[0]);
  }
}

test("random values: the rebuilt value equals JSON.parse's, for every slicing", () => {
  const random = new Random(20260401);
  for (let round = 0; round < 400; round++) {
    const text = serialize(random, randomValue(random, 0));
    const bytes = encodeText(text);
    const expected = wellFormed(JSON.parse(text));
    const slicing = randomSlicing(random, bytes.length);
    let actual: JsonValue;
    try {
      actual = parseOurs(bytes, slicing);
    } catch (error) {
      assert.fail(`round ${round}: ${String(error)} for ${text.slice(0, 200)}`);
    }
    assert.deepEqual(actual, expected, `round ${round}: ${text.slice(0, 200)}`);
  }
});

test("one document split at every byte gives the same value", () => {
  const random = new Random(7);
  let text = "";
  while (text.length < 300) text = serviceJson(randomValue(random, 0) as Parameters<typeof serviceJson>[0]);
  const bytes = encodeText(text);
  const expected = wellFormed(JSON.parse(text));
  for (let cut = 0; cut <= bytes.length; cut++) assert.deepEqual(parseOurs(bytes, [cut]), expected);
  assert.deepEqual(parseOurs(bytes, "bytes"), expected);
});

// Bytes that matter to a JSON parser, plus random ones.
const INTERESTING = encodeText('{}[],:"\\ \n0123456789eE.-+tfnulrsaxu').slice();

function mutate(random: Random, bytes: Uint8Array): Uint8Array {
  let out = bytes.slice();
  const count = 1 + random.int(3);
  for (let m = 0; m < count && out.length > 0; m++) {
    const at = random.int(out.length);
    const byte = random.chance(0.7) ? INTERESTING[random.int(INTERESTING.length)]! : random.int(256);
    switch (random.int(5)) {
      case 0: // replace
        out[at] = byte;
        break;
      case 1: {
        // insert
        const larger = new Uint8Array(out.length + 1);
        larger.set(out.subarray(0, at));
        larger[at] = byte;
        larger.set(out.subarray(at), at + 1);
        out = larger;
        break;
      }
      case 2: {
        // delete
        const smaller = new Uint8Array(out.length - 1);
        smaller.set(out.subarray(0, at));
        smaller.set(out.subarray(at + 1), at);
        out = smaller;
        break;
      }
      case 3: // truncate
        out = out.slice(0, at);
        break;
      default: {
        // duplicate a slice
        const end = Math.min(out.length, at + 1 + random.int(12));
        const larger = new Uint8Array(out.length + end - at);
        larger.set(out.subarray(0, end));
        larger.set(out.subarray(at), end);
        out = larger;
      }
    }
  }
  return out;
}

test("random mutations: a JsonError, or agreement with JSON.parse", () => {
  const random = new Random(99);
  let agreed = 0;
  let rejectedByBoth = 0;
  for (let round = 0; round < 1500; round++) {
    const source = encodeText(serialize(random, randomValue(random, 0)));
    const bytes = mutate(random, source);
    let oracle: { ok: true; value: unknown } | { ok: false };
    try {
      oracle = { ok: true, value: wellFormed(JSON.parse(utf8Decode(bytes, 0, bytes.length))) };
    } catch {
      oracle = { ok: false }; // not UTF-8, or not JSON
    }
    let ours: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      ours = { ok: true, value: parseOurs(bytes, randomSlicing(random, bytes.length)) };
    } catch (error) {
      ours = { ok: false, error };
    }
    const label = `round ${round}: ${JSON.stringify(utf8DecodeLoose(bytes)).slice(0, 200)}`;
    if (!ours.ok) {
      assert.ok(ours.error instanceof JsonError, `${label}: threw ${String(ours.error)}`);
      // Where JSON.parse accepts, only our deliberate limits may refuse (duplicate keys, sizes).
      if (oracle.ok) assert.ok(["duplicate", "too_long", "depth"].includes(ours.error.code), `${label}: JSON.parse accepts but we said ${String(ours.error)}`);
      else rejectedByBoth++;
    } else {
      assert.ok(oracle.ok, `${label}: we accepted what JSON.parse rejects`);
      assert.deepEqual(ours.value, oracle.value, label);
      agreed++;
    }
  }
  // The mutations must exercise both outcomes, or this test proves little.
  assert.ok(agreed > 100 && rejectedByBoth > 500, `agreed ${agreed}, rejected by both ${rejectedByBoth}`);
});

function utf8DecodeLoose(bytes: Uint8Array): string {
  let s = "";
  for (const byte of bytes) s += byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16)}`;
  return s;
}
