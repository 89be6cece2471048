// Whole artwork pipeline against reference decoders, for every format: each file of the PNG/APNG,
// WebP (lossless, lossy, animated), BMP and GIF corpora (test/oracle/panel-corpus.ts) goes through
// createDecoder + Compositor for 64x32, 64x64 and 128x64 panels and a 128x64 panel turned 270° and
// mirrored; every panel frame must equal the reference decoder's canvas after that frame, composited onto
// the background and sampled by nearest neighbour by the plain model in test/support/panel-reference.ts.
// Exact for lossless formats; lossy WebP within the WebP oracle's tolerance (≤ 1 per channel, mean ≤ 0.05).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PANEL_BACKGROUND, PANEL_GEOMETRIES, decodeToPanels, describeGeometry } from "../support/panel-frames.js";
import { referencePanel } from "../support/panel-reference.js";
import { buildPanelCorpus, type PanelCorpusFile } from "./panel-corpus.js";

const LOSSY_MAX = 1;
const LOSSY_MEAN = 0.05;

let directory = "";
let corpus: PanelCorpusFile[] = [];
const tally = { files: 0, frames: 0, panels: 0, lossyMax: 0, byKind: new Map<string, number>() };

before(async () => {
  directory = mkdtempSync(join(tmpdir(), "panel-frames-"));
  corpus = await buildPanelCorpus(directory);
});
after(() => rmSync(directory, { recursive: true, force: true }));

/** Where two panel frames first differ, for the failure message. */
function firstDifference(ours: Uint8Array, expected: Uint8Array, width: number): string {
  for (let i = 0; i < ours.length; i += 3) {
    if (ours[i] !== expected[i] || ours[i + 1] !== expected[i + 1] || ours[i + 2] !== expected[i + 2]) {
      const p = i / 3;
      return `first at physical pixel ${p % width},${Math.floor(p / width)}: ours ${Array.from(ours.subarray(i, i + 3))} reference ${Array.from(expected.subarray(i, i + 3))}`;
    }
  }
  return "equal";
}

async function checkFiles(kinds: string[]): Promise<void> {
  const files = corpus.filter((file) => kinds.includes(file.kind));
  assert.ok(files.length > 0, `no ${kinds.join("/")} files in the corpus`);
  for (const file of files) {
    const reference = await file.reference();
    const panels: Uint8Array[][] = PANEL_GEOMETRIES.map(() => []);
    decodeToPanels(file.format, file.bytes, PANEL_GEOMETRIES, PANEL_BACKGROUND, (g, index, panel) => {
      assert.equal(index, panels[g]!.length, `${file.name}: frame index`);
      panels[g]!.push(panel.slice());
    });
    PANEL_GEOMETRIES.forEach((geometry, g) => {
      const where = `${file.kind} "${file.name}" on ${describeGeometry(geometry)}`;
      assert.equal(panels[g]!.length, reference.canvases.length, `${where}: frame count`);
      panels[g]!.forEach((panel, i) => {
        const expected = referencePanel(reference.canvases[i]!, reference.width, reference.height, geometry, PANEL_BACKGROUND);
        if (!file.lossy) {
          if (!Buffer.from(panel).equals(Buffer.from(expected))) assert.fail(`${where}, frame ${i}: ${firstDifference(panel, expected, geometry.width)}`);
        } else {
          let max = 0;
          let sum = 0;
          for (let k = 0; k < panel.length; k++) {
            const d = Math.abs(panel[k]! - expected[k]!);
            sum += d;
            if (d > max) max = d;
          }
          const mean = sum / panel.length;
          assert.ok(max <= LOSSY_MAX && mean <= LOSSY_MEAN, `${where}, frame ${i}: max ${max}, mean ${mean.toFixed(3)}`);
          tally.lossyMax = Math.max(tally.lossyMax, max);
        }
        tally.panels++;
      });
    });
    tally.files++;
    tally.frames += reference.canvases.length;
    tally.byKind.set(file.kind, (tally.byKind.get(file.kind) ?? 0) + 1);
  }
}

test("PNG stills (every colour type and bit depth, Adam7, colour keys): panel frames equal sharp's, sampled", () => checkFiles(["png"]));

test("APNG (every dispose and blend op, sub-frames): panel frames equal upng-js's frames composited, sampled", () => checkFiles(["apng"]));

test("WebP lossless, lossy and animated: panel frames equal sharp's (lossy within the WebP oracle's tolerance)", () =>
  checkFiles(["webp lossless", "webp lossy", "webp animated"]));

test("BMP (every ImageMagick flavour): panel frames equal ImageMagick's pixels, sampled", () => checkFiles(["bmp"]));

test("GIF (disposal, interlace, transparency, sub-rectangles): panel frames equal omggif + browser disposal, sampled", () => checkFiles(["gif"]));

test("the comparison covered every format, stills and animations, on every geometry", () => {
  for (const kind of ["png", "apng", "webp lossless", "webp lossy", "webp animated", "bmp", "gif"]) assert.ok((tally.byKind.get(kind) ?? 0) > 0, `no ${kind} file compared`);
  assert.equal(tally.files, corpus.length);
  assert.equal(tally.panels, tally.frames * PANEL_GEOMETRIES.length);
  const kinds = [...tally.byKind].map(([kind, n]) => `${n} ${kind}`).join(", ");
  console.log(
    `panel frames: ${tally.files} files (${kinds}), ${tally.frames} frames × ${PANEL_GEOMETRIES.length} geometries (${PANEL_GEOMETRIES.map(describeGeometry).join(", ")}) = ${tally.panels} panel frames equal the reference; lossy WebP max diff ${tally.lossyMax}`,
  );
});
