// The native JSON kernels (hosts/moddable/native: the tokenizer's loop json_scanner.c, the string scanner
// and name matcher json_kernels.c, their XS binding) against their TypeScript twins (the tokenizer's own
// loop in src/json/tokenizer.ts, StringReader, JsonText.find), with the C built under AddressSanitizer and
// UndefinedBehaviorSanitizer: the JSON fixtures of the unit tests (edge cases of strings, numbers,
// literals, structure and filtered keys; query_posts pages from test/support/makapix-replies.ts;
// get_comments, get_playset and failure replies as in test/unit/makapix/reply-extractor.test.ts; the
// bench's 128 KiB reply), each in many slicings (every cut point of the short ones) and with seeded
// mutations, go through the tokenizer (events with their offsets and depths, keys filtered or not),
// ReplyExtractor and PostsReader once with each twin inside xst-art-asan (scripts/build-xst.sh --art
// asan), and must give the same events, records and typed errors (code, offset, message), without a
// sanitizer report. The driver: test/native/json-kernels-workload.ts. Skipped without the SDK.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { makePosts, queryPostsReply, serviceJson } from "../support/makapix-replies.js";
import { buildAsanXst, runAsanWorkload } from "./asan-xst.js";

const MUTATIONS = 40;
/** Documents shorter than this (bytes) are not mutated: each is one error already, and every cut point of it is checked. */
const MUTATE_FROM = 24;

/** Short documents that reach every branch of the string reader (and its neighbours). */
const EDGE_CASES: readonly string[] = [
  '""',
  '"plain ascii, long enough to be copied as a run: abcdefghijklmnopqrstuvwxyz"',
  '"\\" \\\\ \\/ \\b \\f \\n \\r \\t"',
  '"\\u0041\\u00e9\\u4e2d\\uFFFF\\u0000"',
  '"\\uD83D\\uDE00 pair, \\uD83D lone high, \\uDE00 lone low, \\uD83D\\n high then escape, \\uD83D\\uD83D\\uDE00 two highs"',
  '"\\uD83Dx" ',
  '"\\uDBFF\\uDFFF\\uD800\\uDC00"',
  '"é ü 猫 🐱 дом \u{10FFFF} \u07FF \u0800 \uFFFD"',
  '{"key": "value", "k\\u00e9y": ["a", "bb", "ccc", "dddddddddddd", "\u{1f431}\u{1f431}\u{1f431}\u{1f431}\u{1f431}"], "long key name that is truncated": 1}',
  '{"a": [1, -0, 0.5, 1e3, -12.5E-3, 123456789012345678, true, false, null, {}, []], "b": {"c": {"d": "deep"}}}',
  '["12345", "123456", "1234\u{1f431}", "\u{1f431}\u{1f431}\u{1f431}", "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"]',
  '"unterminated',
  '"bad \\q escape"',
  '"bad \\u12x4 escape"',
  '"control \u0001 char"',
  '{"k": "v",}',
  '[1, 2',
  // Numbers, literals and structure (the C loop's own paths), top level and nested.
  "123",
  " -0 ",
  "1.5e300",
  "12345678901234567890",
  "[1e-400, 1e22, 1e23, 123456789012345.6, 0.000001234, -12.5E+3, 0.1, 9007199254740993, 1E400, -0.0e-0]",
  "1234567890123456789012345678901234567890123",
  "[1e99999999, -1e-99999999, 0e5]",
  "-",
  "[-]",
  "1.",
  "[1.e5]",
  "1e",
  "[1e+]",
  "[01]",
  "-01",
  "[tru",
  "[true,false,null,nulL]",
  "fals",
  "nul",
  "trux",
  "",
  "   ",
  '"a" x',
  "{} {}",
  "[}",
  "{]",
  '{"a":[1}',
  '{"a":}',
  '{"a" 1}',
  '{"a":1 "b":2}',
  "{,}",
  "[1,]",
  "[[[[[[[[1]]]]]]]]",
  '{"a": {"b": {"c": {"d": {}}}}}',
  // Filtered objects (the recorder keeps a few keys): skipped values of every kind, nested, with errors in them.
  '{"a": {"x": [1, {"y": "z"}], "b": 2}, "x": {"a": 1, "q": [true, null, "s\\n", -1.5e3, {}], "b": {"key": 3}}, "key": "v", "zz": -1.5e3, "b": [1, {"a": 2, "q": "r"}], "": 0, "long key that is cut": {"a": 1}}',
  '{"x": [1, 2, {"y": 01}]}',
  '{"x": "bad \\q"}',
  '{"x": tru}',
  '{"x": [[[[[[[[[1]]]]]]]]]}',
  '{"x": 1',
  '{"x": 1e',
  '{"a": 1, "x": {"a": 2',
  '{"x": {"y": [1, 2}, "a": 1}',
  '{"x": 12345678901234567890123456789012345678901, "a": 1}',
  serviceJson({ request_id: "r9", success: false, error: "Rate limit exceeded", error_code: "rate_limit_exceeded" }),
  serviceJson({
    request_id: "r3",
    success: true,
    comments: [
      { comment_id: "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b", post_id: 7, author_handle: null, body: "\u00e9".repeat(700), depth: 0, parent_id: null, created_at: "2026-01-02T03:04:05.123456+00:00", deleted: false },
      { comment_id: "c2", post_id: 7, author_handle: "bo", body: "hi \u{1f44b}", depth: 1, parent_id: "0b7e6c1a", created_at: "2026-01-02T03:04:05Z", deleted: false },
    ],
    next_cursor: null,
    has_more: false,
  }),
  serviceJson({
    request_id: "r4",
    success: true,
    playset_name: "followed_artists",
    channels: [
      { type: "user", name: "by_user", identifier: "uSqId", display_name: "Ann \u00e9", weight: 2 },
      { type: "hashtag", identifier: "cats", display_name: "#cats", weight: 0.5 },
      { name: "no type" },
    ],
    exposure_mode: "equal",
    pick_mode: "recency",
  }),
  serviceJson(queryPostsReply(makePosts(2, 7, { extraWords: 2 }))),
];

const xst = buildAsanXst();

test("the native JSON loop and string scanner give the TypeScript tokenizer's events, offsets, records and errors (ASan + UBSan)", { skip: xst ? false : "no Moddable SDK" }, async (t) => {
  const directory = mkdtempSync(join(tmpdir(), "json-kernels-"));
  try {
    const texts = EDGE_CASES.map((text, index) => ({ name: `edge ${index}`, text }));
    const generated = [
      { name: "page of 5 posts", posts: 5, extraWords: 4, seed: 99 },
      { name: "50-post page (bench)", posts: 50, extraWords: 3, seed: 1234 },
      { name: "128 KiB reply (bench)", bytes: 131072, seed: 2026 },
    ];
    const input = { texts, generated, splitAll: 2000, mutateFrom: MUTATE_FROM, mutateUpTo: 70000, mutations: MUTATIONS, seed: 1515 };
    const run = await runAsanWorkload(xst!, directory, { global: "JSON_EQUIVALENCE", input, workload: "test/native/json-kernels-workload.ts", timeoutMs: 600_000 });
    const lines = run.lines;
    const mismatches = lines.filter((line) => line.startsWith("JSONEQ ")).map((line) => JSON.parse(line.slice(7)) as unknown);
    const doneLine = lines.find((line) => line.startsWith("JSONEQ-DONE "));
    assert.ok(doneLine, `the workload did not finish:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    const done = JSON.parse(doneLine.slice(12)) as { texts: number; mutated: number; documents: number; cases: number; mismatches: number; errorCodes: { [code: string]: number } };
    assert.deepEqual(mismatches, [], "native and TypeScript string readers differ");
    assert.equal(done.mismatches, 0);
    // The check covers what it claims: every document and mutation ran, and the mutations reached every
    // error a string can raise (and the tokenizer's own).
    assert.equal(done.texts, texts.length + generated.length);
    t.diagnostic(doneLine);
    const mutable = texts.filter(({ text }) => Buffer.byteLength(text) >= MUTATE_FROM).length;
    assert.ok(done.mutated >= mutable + 2, `the pages were not mutated: ${doneLine}`);
    assert.equal(done.documents, done.texts + done.mutated * MUTATIONS);
    for (const code of ["syntax", "utf8", "too_long", "truncated", "depth", "type"]) assert.ok((done.errorCodes[code] ?? 0) > 0, `no case ended in a "${code}" error: ${JSON.stringify(done.errorCodes)}`);
    assert.ok(done.cases > 10000, `only ${done.cases} cases`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
