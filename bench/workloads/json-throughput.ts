// Run inside the standalone xsnap by bench/json.bench.ts: parse throughput in XS of a ~128 KiB
// query_posts reply, ReplyExtractor fed 1 KiB chunks vs XS's own JSON.parse on the same text.
import { ReplyExtractor } from "../../src/makapix/reply-extractor.js";
import { encodeText } from "../../test/support/json-events.js";
import { queryPostsOfSize } from "../../test/support/makapix-replies.js";

interface XsGlobals {
  print(line: string): void;
  replyBytes?: number;
}
const globals = globalThis as unknown as XsGlobals;
const CHUNK = 1024;

const text = queryPostsOfSize(globals.replyBytes ?? 131072, 2026);
const bytes = encodeText(text);
let posts = 0;
const extractor = new ReplyExtractor({ post: () => posts++ });

function ours(): void {
  extractor.reset();
  for (let start = 0; start < bytes.length; start += CHUNK) extractor.push(bytes.subarray(start, start + CHUNK));
  extractor.finish();
}

function native(): void {
  JSON.parse(text);
}

/** Mean milliseconds per call, over at least `minimumMs` and 3 calls, after one warm-up call. */
function time(run: () => void, minimumMs: number): number {
  run();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (calls < 3 || elapsed < minimumMs) {
    run();
    calls++;
    elapsed = performance.now() - start;
  }
  return elapsed / calls;
}

const oursMs = time(ours, 1500);
const nativeMs = time(native, 500);
globals.print(`result ${JSON.stringify({ bytes: bytes.length, posts: posts, oursMs, nativeMs })}`);
