// The native art kernels (hosts/moddable/native/art_kernels.c, webp_kernels.c and their XS bindings)
// against their TypeScript twins, with the C built under AddressSanitizer and UndefinedBehaviorSanitizer:
// every file of the GIF and panel corpora (the WebP oracle corpus among them) and the WebP fixtures,
// seeded mutations of the GIF files and of the smaller WebP files (anywhere, and inside each coded region:
// ALPH, VP8L, VP8 modes and tokens), those files in odd chunks, and seeded synthetic animations (partial
// alpha, every blend and disposal, Adam7 column passes) go through the player's decode and
// compositing path once with each set of kernels inside xst-art-asan (scripts/build-xst.sh --art asan),
// and must give the same LZW indices, decoded rows and panel frames, and the same typed error, without
// a sanitizer report. The driver: test/native/art-kernels-workload.ts. Skipped without the SDK.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildPanelCorpus } from "../oracle/panel-corpus.js";
import { buildCorpus } from "../support/gif-corpus.js";
import { WEBP_FIXTURES } from "../support/webp-fixtures.js";
import { buildAsanXst, jsonChunks, runAsanWorkload } from "./asan-xst.js";

const MUTATIONS_PER_GIF = 12;
const MUTATIONS_PER_WEBP = 6;
/** Per coded region of a mutated WebP file (ALPH, VP8L, VP8 modes, VP8 tokens): mutations inside it. */
const TARGETED_PER_REGION = 3;
/** WebP files mutated: the small ones (a 256×256 frame costs seconds in xst under the sanitizers). */
const WEBP_MUTATION_MAX_BYTES = 12 * 1024;
const COMPOSITIONS = 40;

const xst = buildAsanXst();

test("native GIF, WebP and compositor kernels give the TypeScript kernels' indices, rows, panel frames and errors (ASan + UBSan)", { skip: xst ? false : "no Moddable SDK" }, async (t) => {
  const directory = mkdtempSync(join(tmpdir(), "art-kernels-"));
  try {
    const gifs = await buildCorpus(directory);
    const panel = await buildPanelCorpus(directory, { bmpSizes: [[7, 5]] });
    const files = [
      ...gifs.map((file) => ({ name: `gif ${file.name}`, format: "gif", bytes: file.bytes })),
      ...panel.filter((file) => file.format !== "gif").map((file) => ({ name: `${file.kind} ${file.name}`, format: file.format, bytes: file.bytes })),
      ...Object.entries(WEBP_FIXTURES).map(([name, fixture]) => ({ name: `webp fixture ${name}`, format: "webp", bytes: new Uint8Array(Buffer.from(fixture.base64, "base64")) })),
    ];
    const webpMutated = files.filter((file) => file.format === "webp" && file.bytes.length <= WEBP_MUTATION_MAX_BYTES).length;
    const input = {
      files: files.map(({ name, format, bytes }) => ({ name, format, chunks: jsonChunks(bytes) })),
      mutations: MUTATIONS_PER_GIF,
      webpMutations: MUTATIONS_PER_WEBP,
      webpTargeted: TARGETED_PER_REGION,
      webpMutationMaxBytes: WEBP_MUTATION_MAX_BYTES,
      compositions: COMPOSITIONS,
      seed: 1515,
    };
    const run = await runAsanWorkload(xst!, directory, { global: "ART_EQUIVALENCE", input, workload: "test/native/art-kernels-workload.ts", timeoutMs: 600_000 });
    const lines = run.lines;
    const results = lines.filter((line) => line.startsWith("ARTEQ ")).map((line) => JSON.parse(line.slice(6)) as { name: string; same: boolean; expected: { error: string | null; frames: number } });
    const doneLine = lines.find((line) => line.startsWith("ARTEQ-DONE "));
    assert.ok(doneLine, `the workload did not finish:\n${run.stdout.slice(-3000)}`);
    const done = JSON.parse(doneLine.slice(11)) as { targeted: number; calls: Record<string, number> };
    const mismatches = results.filter((result) => !result.same);
    assert.deepEqual(mismatches, [], "native and TypeScript kernels differ");
    // The check covers what it claims: every corpus file, mutations that fail and that decode frames.
    assert.equal(results.length, files.length + gifs.length * (1 + MUTATIONS_PER_GIF) + webpMutated * (MUTATIONS_PER_WEBP + 1) + done.targeted + COMPOSITIONS);
    // The native WebP decoding kernels ran (modes, tokens, VP8L pixels and transforms) and met bad data.
    for (const name of ["webpModes", "webpResiduals", "webpLosslessPixels", "webpLosslessTransform"]) assert.ok((done.calls[name] ?? 0) > 0, `${name} was never called`);
    assert.ok(done.targeted >= webpMutated * TARGETED_PER_REGION, `only ${done.targeted} targeted WebP mutations`);
    const pixelLoopErrors = results.filter((result) => /before the last pixel|back-reference/.test(result.expected.error ?? "")).length;
    assert.ok(pixelLoopErrors > 0, "no mutation reached a VP8L pixel-loop error");
    t.diagnostic(`${results.length} inputs compared, ${done.targeted} targeted WebP mutations, ${pixelLoopErrors} VP8L pixel-loop errors; native calls ${JSON.stringify(done.calls)}`);
    const lzwErrors = results.filter((result) => result.expected.error?.includes("LZW code")).length;
    assert.ok(lzwErrors > 0, "no mutation reached an LZW fault");
    const webpResults = results.filter((result) => result.name.includes("webp"));
    assert.ok(webpResults.filter((result) => result.name.includes("mutation") && result.expected.error === null && result.expected.frames > 0).length > 0, "no WebP mutation decoded");
    assert.ok(webpResults.filter((result) => result.name.includes("mutation") && result.expected.error !== null).length > 0, "no WebP mutation failed");
    assert.ok(results.filter((result) => result.expected.error === null && result.expected.frames > 0).length >= files.length, "too few inputs decoded");
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
