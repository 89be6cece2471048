// Parse throughput and memory of a ~128 KiB query_posts reply (the largest reply the service sends
// after trimming), in the published style. Ours = ReplyExtractor fed 1 KiB chunks, delivering post
// records to a consumer that only counts them. Peers, measured in this same run: JSON.parse on the
// same engine (the text whole, already decoded) and, on Node, @streamparser/json's JSONParser
// (paths $.posts.*, keepStack false, fed the same chunks).
// XS: throughput in the standalone xsnap (build/xsnap/bin/xsnap); peak live heap with xsnap-heap
// (test/xs/heap.ts), sampled after every chunk from a fresh engine. Node: throughput only (V8's heap
// figures are too coarse for a few KiB).
import { JSONParser } from "@streamparser/json";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReplyExtractor } from "../src/makapix/reply-extractor.js";
import { encodeText } from "../test/support/json-events.js";
import { queryPostsOfSize } from "../test/support/makapix-replies.js";
import { bundleWorkload, measureInXs, projectRoot } from "../test/xs/heap.js";

const CHUNK = 1024;
const text = queryPostsOfSize(131072, 2026);
const bytes = encodeText(text);
const MB = 1e6;

function time(run: () => void, minimumMs: number): number {
  run();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (calls < 5 || elapsed < minimumMs) {
    run();
    calls++;
    elapsed = performance.now() - start;
  }
  return elapsed / calls;
}

// ---- Node ----
let posts = 0;
const extractor = new ReplyExtractor({ post: () => posts++ });
const nodeOurs = time(() => {
  extractor.reset();
  for (let start = 0; start < bytes.length; start += CHUNK) extractor.push(bytes.subarray(start, start + CHUNK));
  extractor.finish();
}, 1000);
const postsPerReply = extractor.finish().posts;
const nodeNative = time(() => JSON.parse(text), 500);
let streamed = 0;
const nodeStream = time(() => {
  const parser = new JSONParser({ paths: ["$.posts.*"], keepStack: false });
  parser.onValue = () => streamed++;
  for (let start = 0; start < bytes.length; start += CHUNK) parser.write(bytes.subarray(start, start + CHUNK));
  if (!parser.isEnded) throw new Error("@streamparser/json did not finish the document");
}, 1000);
if (streamed === 0 || posts === 0) throw new Error("a parser delivered no posts");

// ---- XS throughput (standalone xsnap) ----
const directory = mkdtempSync(join(tmpdir(), "json-bench-"));
let xs: { bytes: number; oursMs: number; nativeMs: number };
try {
  const script = join(directory, "throughput.js");
  writeFileSync(script, await bundleWorkload(join(projectRoot, "bench/workloads/json-throughput.ts")));
  const output = execFileSync(join(projectRoot, "build/xsnap/bin/xsnap"), [script], { encoding: "utf8", timeout: 120_000 });
  const line = output.split("\n").find((entry) => entry.startsWith("result "));
  if (!line) throw new Error(`xsnap printed no result:\n${output}`);
  xs = JSON.parse(line.slice("result ".length));
} finally {
  rmSync(directory, { recursive: true, force: true });
}

// ---- XS memory (xsnap-heap) ----
const heap = await measureInXs({ source: `globalThis.replyBytes = 131072; globalThis.sampleEvery = 1;\n${await bundleWorkload(join(projectRoot, "test/fixtures/xs-heap/json-reply.ts"))}` }, { timeoutMs: 120_000 });
const base = heap.mark("input ready").liveBytes;
const oursPeak = Math.max(...heap.marks.filter((mark) => ["extractor created", "during parse", "parsed"].includes(mark.label)).map((mark) => mark.liveBytes - base));
const nativeHeld = heap.delta("before JSON.parse", "JSON.parse value held").liveBytes;

const rate = (ms: number) => (bytes.length / MB / (ms / 1000)).toFixed(2);
const ratio = (ms: number, peerMs: number) => `${(peerMs / ms).toFixed(2)}×`;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

console.log(`\n### JSON: a ${bytes.length}-byte query_posts reply (${postsPerReply} posts), fed in 1 KiB chunks\n`);
console.log("| engine | parser | ms / reply | MB/s | speed vs JSON.parse | peak live heap | heap vs JSON.parse |");
console.log("|---|---|---:|---:|---:|---:|---:|");
console.log(`| XS | ReplyExtractor (ours) | ${xs.oursMs.toFixed(1)} | ${rate(xs.oursMs)} | ${ratio(xs.oursMs, xs.nativeMs)} | ${kib(oursPeak)} | ${(oursPeak / (nativeHeld + bytes.length)).toFixed(3)}× |`);
console.log(`| XS | JSON.parse | ${xs.nativeMs.toFixed(2)} | ${rate(xs.nativeMs)} | 1.00× | ${kib(nativeHeld)} value + ${kib(bytes.length)} text | 1.00× |`);
console.log(`| Node | ReplyExtractor (ours) | ${nodeOurs.toFixed(2)} | ${rate(nodeOurs)} | ${ratio(nodeOurs, nodeNative)} | — | — |`);
console.log(`| Node | JSON.parse | ${nodeNative.toFixed(2)} | ${rate(nodeNative)} | 1.00× | — | — |`);
console.log(`| Node | @streamparser/json | ${nodeStream.toFixed(2)} | ${rate(nodeStream)} | ${ratio(nodeStream, nodeNative)} | — | — |`);
console.log(`\nOurs vs @streamparser/json on Node: ${(nodeStream / nodeOurs).toFixed(2)}× its speed. XS heap: ours is the peak growth while parsing (fresh engine, first-use costs included); JSON.parse is the value it returns plus the whole text it needs.`);
