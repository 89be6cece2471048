// Runs inside xst-art-asan (scripts/build-xst.sh --art asan: the SDK's xst with the C kernels and their
// XS bindings built with ASan + UBSan, the JSON ones as the global `jsonNatives`) for
// test/native/json-kernels.test.ts. Each document goes through the same consumer twice, once as it runs
// without kernels (the TypeScript StringReader and JsonText.find: the oracle) and once with the native
// kernels (hosts/moddable/native-json.ts over jsonNatives: the string scanner and the name matcher), and
// the two must agree exactly:
//   - the tokenizer's events (keys, strings with their truncation mark, numbers, ...) under four option
//     sets (the defaults; short strings truncated; short strings and keys rejected; the extractor's
//     "skip every string" default), and the error it ends with: class, code, offset, message;
//   - ReplyExtractor's records, rejected records (with their errors), summary or error;
//   - PostsReader's page or error (query_posts, the player's largest reply).
// Slicings: whole; for documents up to `splitAll` bytes every single cut point and one byte at a time;
// for longer ones 1 KiB, 61-byte and seeded uneven chunks. Then `mutations` seeded mutations of each
// document up to `mutateUpTo` bytes (bytes overwritten, truncation, control characters, bad UTF-8,
// bad escapes, lone and paired \u surrogates), each whole and in uneven chunks.
//   JSON_EQUIVALENCE = { texts: { name, text }[], generated: Generated[], splitAll, mutateFrom, mutateUpTo, mutations, seed }
// (the large replies are generated here: xst's parser takes no string literal that long)
// Prints `JSONEQ <json>` for each mismatch and `JSONEQ-DONE <json>` (counts) at the end.

import { JsonError } from "../../src/json/errors.js";
import { nameTable, type JsonText } from "../../src/json/text.js";
import { JsonTokenizer, type TokenizerOptions } from "../../src/json/tokenizer.js";
import { ReplyExtractor } from "../../src/makapix/reply-extractor.js";
import { PostsReader } from "../../src/makapix/reply-readers.js";
import type { JsonKernels } from "../../src/ports.js";
import { nativeJsonKernels, type JsonNatives } from "../../hosts/moddable/native-json.js";
import { xorshiftRandom } from "../support/bytes.js";
import { encodeText, EventRecorder, feed, type Slicing } from "../support/json-events.js";
import { makePosts, queryPostsOfSize, queryPostsReply, serviceJson } from "../support/makapix-replies.js";

/** A query_posts page of `posts` posts, or a reply of at least `bytes` bytes (test/support/makapix-replies.ts). */
export interface Generated {
  name: string;
  posts?: number;
  extraWords?: number;
  bytes?: number;
  seed: number;
}

const host = globalThis as unknown as {
  JSON_EQUIVALENCE: { texts: { name: string; text: string }[]; generated: Generated[]; splitAll: number; mutateFrom: number; mutateUpTo: number; mutations: number; seed: number };
  jsonNatives: JsonNatives;
  print(text: string): void;
};
const { texts: given, generated, splitAll, mutateFrom, mutateUpTo, mutations, seed } = host.JSON_EQUIVALENCE;
/** The whole loop in C (json_scanner.c), and the string scanner and name matcher alone in the TypeScript loop. */
const native = nativeJsonKernels(host.jsonNatives);
const stringKernels: JsonKernels = { createStringScanner: (text) => native.createStringScanner(text), findName: (units, length, table) => native.findName(units, length, table) };
const nativeStrings = Object.freeze(stringKernels);
const random = xorshiftRandom(seed);

/** Tokenizer options; `filter`: the recorder filters the keys of every object at an odd depth (see FilteringRecorder). */
interface OptionSet {
  options: TokenizerOptions;
  filter?: boolean;
}
const OPTION_SETS: readonly OptionSet[] = [
  { options: {} },
  { options: {}, filter: true },
  { options: { maxStringUnits: 8, defaultOverflow: "truncate" } },
  { options: { maxStringUnits: 5, maxKeyUnits: 3 } },
  { options: { maxStringUnits: 64, defaultStringLimit: 0, defaultOverflow: "truncate" } },
  { options: { maxStringUnits: 64, defaultStringLimit: 0, defaultOverflow: "truncate", maxDepth: 3 }, filter: true },
];
/** For every cut point: the defaults, and the filter with the extractor's "skip every string" default. */
const CUT_SETS: readonly OptionSet[] = [OPTION_SETS[0]!, OPTION_SETS[5]!];
/** For mutations: those, the filter with the defaults, and short strings rejected. */
const MUTATION_SETS: readonly OptionSet[] = [OPTION_SETS[0]!, OPTION_SETS[1]!, OPTION_SETS[3]!, OPTION_SETS[5]!];

/** The keys a filtering recorder keeps: some of every fixture's, so that kept and skipped values alternate. */
const FILTER = nameTable(["a", "b", "key", "post_id", "kind", "width", "success", "posts", "comments", "channels", "request_id", "name", "type", "body", "reactions", "nested", "deeper"]);

/**
 * Records the events with the tokenizer's offset and depth at each (what a consumer's errors report), and
 * with `filter` asks for the keys of FILTER only in every object at an odd depth: objects whose keys are
 * all kept sit inside filtered ones and the other way round, and a filtered object's skipped values hold
 * nested containers, strings, numbers, literals and errors.
 */
class FilteringRecorder extends EventRecorder {
  readonly #filter: boolean;
  tokenizer: JsonTokenizer | undefined;

  constructor(filter: boolean) {
    super();
    this.#filter = filter;
  }

  #mark(): void {
    this.events.push(`@${this.tokenizer!.offset}/${this.tokenizer!.depth}`);
  }

  override beginObject(): void {
    super.beginObject();
    this.#mark();
    if (this.#filter && (this.tokenizer!.depth & 1) === 1) this.tokenizer!.filterKeys(FILTER);
  }
  override endObject(): void {
    super.endObject();
    this.#mark();
  }
  override beginArray(): void {
    super.beginArray();
    this.#mark();
  }
  override endArray(): void {
    super.endArray();
    this.#mark();
  }
  override key(key: JsonText): void {
    super.key(key);
    this.#mark();
  }
  override string(value: JsonText): void {
    super.string(value);
    this.#mark();
  }
  override number(value: number): void {
    super.number(value);
    this.#mark();
  }
  override boolean(value: boolean): void {
    super.boolean(value);
    this.#mark();
  }
  override null(): void {
    super.null();
    this.#mark();
  }
}

function describeError(error: unknown): string {
  if (error instanceof JsonError) return `JsonError ${error.code}@${error.offset}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function tokenizerRun(bytes: Uint8Array, slicing: Slicing, { options, filter }: OptionSet, kernels: JsonKernels | undefined): string {
  const recorder = new FilteringRecorder(filter === true);
  const tokenizer = new JsonTokenizer(recorder, kernels ? { ...options, kernels } : options);
  recorder.tokenizer = tokenizer;
  let error = "";
  try {
    feed((chunk) => tokenizer.push(chunk), bytes, slicing);
    tokenizer.end();
  } catch (caught) {
    error = describeError(caught);
  }
  return JSON.stringify(recorder.events) + error;
}

function extractorRun(bytes: Uint8Array, slicing: Slicing, kernels: JsonKernels | undefined): string {
  const seen: string[] = [];
  const extractor = new ReplyExtractor(
    {
      post: (post) => seen.push(JSON.stringify(post)),
      comment: (comment) => seen.push(JSON.stringify(comment)),
      channel: (channel) => seen.push(JSON.stringify(channel)),
      rejected: (error) => seen.push(describeError(error)),
    },
    kernels ? { kernels } : {},
  );
  try {
    feed((chunk) => extractor.push(chunk), bytes, slicing);
    seen.push(JSON.stringify(extractor.finish()));
  } catch (caught) {
    seen.push(describeError(caught));
  }
  return seen.join("\n");
}

function pageRun(bytes: Uint8Array, slicing: Slicing, kernels: JsonKernels | undefined): string {
  const reader = new PostsReader({ write() {} }, 50, kernels);
  try {
    feed((chunk) => reader.data(chunk), bytes, slicing);
    return JSON.stringify(reader.finish());
  } catch (caught) {
    return describeError(caught);
  }
}

let cases = 0;
let mismatches = 0;
const errorCodes: { [code: string]: number } = {};

function compare(name: string, expected: string, actual: string): void {
  cases++;
  const code = /JsonError (\w+)@/.exec(expected);
  if (code) errorCodes[code[1]!] = (errorCodes[code[1]!] ?? 0) + 1;
  if (expected === actual) return;
  mismatches++;
  if (mismatches <= 20) host.print(`JSONEQ ${JSON.stringify({ name, expected: expected.slice(-600), actual: actual.slice(-600) })}`);
}

/**
 * One document in one slicing, TypeScript against the C loop: "full" with every option set, the string
 * kernels alone too, and PostsReader; "cut" (every cut point) CUT_SETS and the extractor; "mutation"
 * MUTATION_SETS, the extractor and PostsReader.
 */
function check(name: string, bytes: Uint8Array, slicing: Slicing, level: "full" | "cut" | "mutation"): void {
  const full = level === "full";
  const sets = full ? OPTION_SETS : level === "cut" ? CUT_SETS : MUTATION_SETS;
  sets.forEach((set, index) => {
    const expected = tokenizerRun(bytes, slicing, set, undefined);
    compare(`${name} tokenizer#${index}`, expected, tokenizerRun(bytes, slicing, set, native));
    if (full) compare(`${name} tokenizer#${index} string kernels`, expected, tokenizerRun(bytes, slicing, set, nativeStrings));
  });
  const extracted = extractorRun(bytes, slicing, undefined);
  compare(`${name} extractor`, extracted, extractorRun(bytes, slicing, native));
  if (full) compare(`${name} extractor string kernels`, extracted, extractorRun(bytes, slicing, nativeStrings));
  if (level !== "cut") compare(`${name} page`, pageRun(bytes, slicing, undefined), pageRun(bytes, slicing, native));
}

function unevenCuts(length: number, most: number): number[] {
  const cuts: number[] = [];
  for (let at = 1 + Math.floor(random() * most); at < length; at += 1 + Math.floor(random() * most)) cuts.push(at);
  return cuts;
}

function regularCuts(length: number, size: number): number[] {
  const cuts: number[] = [];
  for (let at = size; at < length; at += size) cuts.push(at);
  return cuts;
}

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));
// What a mutation writes inside a string (at a lowercase letter, most often inside one).
const PAYLOADS: readonly number[][] = [
  [0x00], [0x09], [0x0a], [0x1f], [0x7f], [0x80], [0xbf], [0xc0, 0xaf], [0xc1, 0xbf], [0xc3], [0xc3, 0x28], [0xe0, 0x80, 0x80], [0xe0, 0xa0],
  [0xed, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xef, 0xbf, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5], [0xff],
  ascii("\\x"), ascii("\\u12G4"), ascii("\\u"), ascii("\\"), ascii("\\\""), ascii("\\/\\b\\f\\n\\r\\t"), ascii("\\uD83D\\uDE00"), ascii("\\uD83D"), ascii("\\uDE00"), ascii("\\uD83Dx"),
  ascii("\\uD83D\\n"), ascii("\\uD83D\\uD83D\\uDE00"), ascii("\\u00e9\\u0000"), ascii("\""), ascii("\\u00"),
];

function mutate(bytes: Uint8Array): Uint8Array {
  const kind = Math.floor(random() * 4);
  if (kind === 0) {
    // A byte overwritten anywhere.
    const copy = bytes.slice();
    const special = [0x00, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x80, 0xff, 0x2d, 0x2e, 0x30, 0x31, 0x65, 0x2b, 0x74, 0x6e, 0x20];
    copy[Math.floor(random() * copy.length)] = random() < 0.4 ? Math.floor(random() * 256) : special[Math.floor(random() * special.length)]!;
    return copy;
  }
  if (kind === 1) return bytes.slice(0, Math.floor(random() * bytes.length)); // truncated
  // A payload spliced in (kind 2) or written over (kind 3) at a lowercase letter.
  let at = Math.floor(random() * bytes.length);
  for (let tries = 0; tries < 64 && !(bytes[at]! >= 0x61 && bytes[at]! <= 0x7a); tries++) at = Math.floor(random() * bytes.length);
  const payload = PAYLOADS[Math.floor(random() * PAYLOADS.length)]!;
  const tail = kind === 2 ? at : Math.min(bytes.length, at + payload.length);
  const result = new Uint8Array(at + payload.length + bytes.length - tail);
  result.set(bytes.subarray(0, at));
  result.set(payload, at);
  result.set(bytes.subarray(tail), at + payload.length);
  return result;
}

const texts = [
  ...given,
  ...generated.map(({ name, posts, extraWords, bytes, seed: generatorSeed }) => ({
    name,
    text: bytes !== undefined ? queryPostsOfSize(bytes, generatorSeed) : serviceJson(queryPostsReply(makePosts(posts ?? 1, generatorSeed, { extraWords: extraWords ?? 0 }))),
  })),
];
let documents = 0;
let mutated = 0;
for (const { name, text } of texts) {
  const bytes = encodeText(text);
  documents++;
  check(`${name} whole`, bytes, "whole", "full");
  if (bytes.length <= splitAll) {
    check(`${name} bytes`, bytes, "bytes", "full");
    for (let cut = 1; cut < bytes.length; cut++) check(`${name} cut ${cut}`, bytes, [cut], "cut");
  } else {
    check(`${name} 1KiB`, bytes, regularCuts(bytes.length, 1024), "full");
    check(`${name} 61`, bytes, regularCuts(bytes.length, 61), "full");
    check(`${name} uneven`, bytes, unevenCuts(bytes.length, 97), "full");
  }
  // The shortest documents are each one error already: their cut points cover them.
  if (bytes.length > mutateUpTo || bytes.length < mutateFrom) continue;
  mutated++;
  for (let m = 0; m < mutations; m++) {
    const mutated = mutate(bytes);
    documents++;
    check(`${name} mutation ${m} whole`, mutated, "whole", "mutation");
    check(`${name} mutation ${m} uneven`, mutated, unevenCuts(mutated.length, 29), "mutation");
  }
}
host.print(`JSONEQ-DONE ${JSON.stringify({ texts: texts.length, mutated, documents, cases, mismatches, errorCodes })}`);
