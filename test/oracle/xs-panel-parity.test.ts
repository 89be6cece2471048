// The artwork pipeline gives the same panel frames inside XS as in Node: a subset of the panel corpus
// (test/oracle/panel-corpus.ts; every format, stills and animations, at most 1.5 MB of files) is
// embedded in a bundled workload (test/oracle/xs-panel-workload.ts) that runs createDecoder +
// Compositor in build/xsnap/bin/xsnap on the four geometries of panel-frames.test.ts and prints a hash
// of every panel frame. Node runs the same code (whose frames panel-frames.test.ts holds to the
// reference decoders) and every hash must match; a mismatch names the file, geometry and frame.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PANEL_BACKGROUND, PANEL_GEOMETRIES, decodeToPanels, describeGeometry } from "../support/panel-frames.js";
import { hashBytes } from "../support/webp-build.js";
import { bundleWorkload, projectRoot, runInXsnap } from "../xs/heap.js";
import { buildPanelCorpus, type PanelCorpusFile } from "./panel-corpus.js";

const BUDGET_BYTES = 1.5e6;
/** XS gets the files in socket-sized pieces; Node in one piece (the result must not depend on it). */
const XS_SLICE = 1024;

let directory = "";
let subset: PanelCorpusFile[] = [];

/**
 * The subset: each PNG colour type (bit depths 1 to 16, Adam7, colour keys), APNG with every dispose and
 * blend op, WebP lossless (palettes, alpha, 256×256) and lossy (alpha, filters, partitions, presets) and
 * animated, every BMP flavour, GIF disposal/interlace/transparency and a 256×256 animation. XS takes
 * ~40 ms per small file here (four panels rendered and hashed per frame), so the rest of the corpus
 * stays in Node.
 */
const SUBSET = [
  "sharp art37x23 palette1", "sharp art37x23 rgba16 adam7", "sharp grad29x31 greyalpha8 adam7", "sharp grad29x31 rgba8",
  "magick art37x23 grey2 adam7", "magick grad29x31 rgb8 key", "magick art37x23 palette key", "magick grad29x31 grey8 key adam7",
  "upng 17x9 3 frames 16 colours", "own apng sub-frames", "own apng default image not in animation", "own apng adam7 full frames",
  "lossless palette2 7×5 effort 0", "lossless palette16 64×64 effort 6", "lossless gradient 33×200 effort 4", "lossless palette200 128×128 effort 4",
  "lossless photo 256×256 effort 6", "lossy q50 7×5", "lossy q75 alpha 100×37", "lossy q75 alpha 128×128", "lossy simple filter",
  "lossy sharpness 7, 4 segments, 8 partitions", "lossy alpha uncompressed, filter gradient", "lossy preset drawing 96×64",
  "animated lossless 48×32 ×6", "animated mixed 64×40 ×4",
  "bmp3-24-13x9", "v5-32-alpha-13x9", "v5-16-565-13x9", "palette-8-13x9", "palette-4-13x9", "palette-1-13x9", "os2-core-13x9",
  "bmp3-24-64x32", "v5-32-alpha-64x32",
  "sharp-17x31-odd", "sharp-64x64-interlaced", "sharp-256x256", "im-disposal-mix", "im-previous", "im-background", "im-still-87a",
];

before(async () => {
  directory = mkdtempSync(join(tmpdir(), "xs-panel-parity-"));
  const corpus = await buildPanelCorpus(directory, { bmpSizes: [[13, 9], [64, 32]] });
  subset = SUBSET.map((name) => {
    const found = corpus.filter((file) => file.name === name);
    assert.equal(found.length, 1, `the panel corpus has ${found.length} files named "${name}"`);
    return found[0]!;
  });
});
after(() => rmSync(directory, { recursive: true, force: true }));

/** Hashes per file, per geometry, in frame order. */
type Hashes = Map<string, string[][]>;

function emptyHashes(): Hashes {
  return new Map(subset.map((file) => [file.name, PANEL_GEOMETRIES.map(() => [] as string[])]));
}

test("the subset covers every format, stills and animations, within the size budget", () => {
  const names = new Set(subset.map((file) => file.name));
  assert.equal(names.size, subset.length, "file names must be unique: the XS output is keyed by them");
  for (const kind of ["png", "apng", "webp lossless", "webp lossy", "webp animated", "bmp", "gif"]) assert.ok(subset.some((file) => file.kind === kind), `no ${kind} file`);
  const bytes = subset.reduce((sum, file) => sum + file.bytes.length, 0);
  assert.ok(bytes <= BUDGET_BYTES, `${bytes} bytes of files`);
});

test("every panel frame decoded inside XS equals the one decoded in Node", async () => {
  const node = emptyHashes();
  for (const file of subset) {
    decodeToPanels(file.format, file.bytes, PANEL_GEOMETRIES, PANEL_BACKGROUND, (g, _frame, panel) => node.get(file.name)![g]!.push(hashBytes(panel)));
  }

  const input = {
    background: PANEL_BACKGROUND,
    slice: XS_SLICE,
    geometries: PANEL_GEOMETRIES,
    files: subset.map((file) => ({ name: file.name, format: file.format, base64: Buffer.from(file.bytes).toString("base64") })),
  };
  const workload = await bundleWorkload(join(projectRoot, "test/oracle/xs-panel-workload.ts"));
  const started = performance.now();
  const run = await runInXsnap(`globalThis.PANEL_WORKLOAD = ${JSON.stringify(input)};\n${workload}`, { timeoutMs: 180_000 });
  const seconds = (performance.now() - started) / 1000;

  const xs = emptyHashes();
  const problems: string[] = [];
  let done = false;
  for (const line of run.stdout.split("\n")) {
    if (line.startsWith("PANEL ")) {
      const [name, g, frame, hash] = JSON.parse(line.slice(6)) as [string, number, number, string];
      const list = xs.get(name)?.[g];
      if (!list || frame !== list.length) problems.push(`unexpected output ${line}`);
      else list.push(hash);
    } else if (line.startsWith("PANEL-ERROR ")) {
      const [name, message] = JSON.parse(line.slice(12)) as [string, string];
      problems.push(`"${name}" threw in XS: ${message}`);
    } else if (line === `PANEL-DONE ${subset.length}`) done = true;
  }
  if (!done || run.code !== 0) {
    const why = run.timedOut ? "timed out" : `exit ${run.signal ?? run.code}`;
    assert.fail(`the XS run stopped early (${why}, ${done ? "" : "no PANEL-DONE"}): ${run.stderr.trim()}\n${run.stdout.split("\n").slice(-15).join("\n")}`);
  }

  let frames = 0;
  let panels = 0;
  for (const file of subset) {
    const ours = node.get(file.name)!;
    const theirs = xs.get(file.name)!;
    frames += ours[0]!.length;
    PANEL_GEOMETRIES.forEach((geometry, g) => {
      const where = `${file.kind} "${file.name}" on ${describeGeometry(geometry)}`;
      if (theirs[g]!.length !== ours[g]!.length) problems.push(`${where}: ${theirs[g]!.length} frames in XS, ${ours[g]!.length} in Node`);
      ours[g]!.forEach((hash, i) => {
        const inXs = theirs[g]![i];
        if (inXs === hash) panels++;
        else if (inXs !== undefined) problems.push(`${where}, frame ${i}: XS ${inXs}, Node ${hash}`);
      });
    });
  }
  assert.ok(problems.length === 0, `${problems.length} differences between XS and Node:\n${problems.slice(0, 30).join("\n")}`);
  const bytes = subset.reduce((sum, file) => sum + file.bytes.length, 0);
  const kinds = new Map<string, number>();
  for (const file of subset) kinds.set(file.kind, (kinds.get(file.kind) ?? 0) + 1);
  console.log(
    `xs panel parity: ${subset.length} files (${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ")}; ${(bytes / 1e6).toFixed(2)} MB), ${frames} frames × ${PANEL_GEOMETRIES.length} geometries = ${panels} panel frames hash the same in XS and Node; XS run ${seconds.toFixed(1)} s`,
  );
  assert.equal(panels, frames * PANEL_GEOMETRIES.length);
});
