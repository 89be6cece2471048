// The GIF decoder and compositor against other implementations, on files made by other encoders
// (sharp/libvips+cgif and ImageMagick, generated into a temp dir):
// - every composited frame equals the reference canvas exactly (omggif decoding + browser disposal;
//   and libvips's own composited pages where libvips follows browsers);
// - delays and loop counts equal the reference's after browser rules;
// - each panel frame equals the reference canvas scaled by nearest neighbour with the same rule;
// - seeded mutations (truncation, byte flips) end in ImageDecodeError or success, never another error.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { Compositor } from "../../src/art/compositor.js";
import { GifDecoder } from "../../src/art/gif.js";
import { ImageDecodeError, type ImageHeader } from "../../src/art/image.js";
import { panelGeometry, type PanelGeometry } from "../../src/display/geometry.js";
import { xorshiftRandom } from "../support/bytes.js";
import { buildCorpus, referenceAnimation, type CorpusFile } from "../support/gif-corpus.js";
import { referencePanel } from "../support/panel-reference.js";

let directory = "";
let corpus: CorpusFile[] = [];

before(async () => {
  directory = mkdtempSync(join(tmpdir(), "gif-oracle-"));
  corpus = await buildCorpus(directory);
});
after(() => rmSync(directory, { recursive: true, force: true }));

interface Decoded {
  header: ImageHeader | undefined;
  /** With a panel at least as large as the source, the sampled canvas is the whole canvas. */
  canvases: Uint8Array[];
  panels: Uint8Array[];
  delays: number[];
}

/** Decodes through the compositor; `chunk` slices the input. */
function decode(bytes: Uint8Array, geometry: PanelGeometry, background = 0, chunk = bytes.length): Decoded {
  const result: Decoded = { header: undefined, canvases: [], panels: [], delays: [] };
  const compositor = new Compositor({
    geometry,
    background,
    onFrame: (frame, delayMs) => {
      result.canvases.push(compositor.sampledCanvas.rgba.slice());
      result.panels.push(frame.slice());
      result.delays.push(delayMs);
    },
  });
  const decoder = new GifDecoder({
    header: (header) => {
      result.header = header;
      compositor.header(header);
    },
    frameStart: (frame) => compositor.frameStart(frame),
    row: (y, x0, step, count, rgba) => compositor.row(y, x0, step, count, rgba),
    frameEnd: () => compositor.frameEnd(),
    end: () => compositor.end(),
  });
  for (let at = 0; at < bytes.length; at += chunk) decoder.push(bytes.subarray(at, at + chunk));
  decoder.finish();
  return result;
}

/** Transparent pixels compare equal whatever their colour channels hold. */
function normalise(rgba: Uint8Array): Uint8Array {
  const out = rgba.slice();
  for (let i = 0; i < out.length; i += 4) if (out[i + 3] === 0) out[i] = out[i + 1] = out[i + 2] = 0;
  return out;
}

function firstDifference(a: Uint8Array, b: Uint8Array, width: number): string {
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2] || a[i + 3] !== b[i + 3]) {
      const p = i / 4;
      return `pixel ${p % width},${Math.floor(p / width)}: ours ${Array.from(a.subarray(i, i + 4))} reference ${Array.from(b.subarray(i, i + 4))}`;
    }
  }
  return "equal";
}

const FULL: PanelGeometry = { width: 256, height: 256, rotation: 0, mirror: false };

test("the corpus covers what it should", () => {
  assert.ok(corpus.length >= 12, `${corpus.length} files`);
  for (const file of corpus) assert.ok(file.bytes.length > 20, file.name);
});

test("every composited frame equals the omggif + browser-disposal reference exactly; delays and loop counts too", () => {
  for (const file of corpus) {
    const reference = referenceAnimation(file.bytes);
    const ours = decode(file.bytes, FULL);
    assert.deepEqual([ours.header?.width, ours.header?.height], [reference.width, reference.height], file.name);
    assert.equal(ours.header?.loopCount, reference.loopCount, `${file.name} loop count`);
    assert.deepEqual(ours.delays, reference.frames.map((f) => f.delayMs), `${file.name} delays`);
    assert.equal(ours.canvases.length, reference.frames.length, file.name);
    ours.canvases.forEach((canvas, i) => {
      const expected = normalise(reference.frames[i]!.rgba);
      const actual = normalise(canvas);
      assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${file.name} frame ${i}: ${firstDifference(actual, expected, reference.width)}`);
    });
  }
});

test("composited frames equal libvips's own composited pages (files without background disposal)", async () => {
  let compared = 0;
  for (const file of corpus) {
    if (file.usesBackgroundDisposal) continue;
    const { data, info } = await sharp(file.bytes, { animated: true }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const ours = decode(file.bytes, FULL);
    const pageBytes = info.width * (info.pageHeight ?? info.height) * 4;
    assert.equal(ours.canvases.length, data.length / pageBytes, file.name);
    ours.canvases.forEach((canvas, i) => {
      const expected = normalise(new Uint8Array(data.subarray(i * pageBytes, (i + 1) * pageBytes)));
      const actual = normalise(canvas);
      assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${file.name} frame ${i}: ${firstDifference(actual, expected, info.width)}`);
      compared++;
    });
  }
  assert.ok(compared >= 15, `${compared} frames compared`);
});

test("the libvips pages differ from browsers exactly where 'restore to background' meets an opaque frame", async () => {
  // Documents why the files above are skipped: libvips fills with the background colour, browsers clear.
  const file = corpus.find((f) => f.name === "im-disposal-mix")!;
  const { data, info } = await sharp(file.bytes, { animated: true }).raw().toBuffer({ resolveWithObject: true });
  const pageBytes = info.width * (info.pageHeight ?? info.height) * 4;
  const ours = decode(file.bytes, FULL);
  const at = (20 + 10 * info.width) * 4; // inside frame 2's region, disposed before frame 3
  assert.deepEqual(Array.from(data.subarray(3 * pageBytes + at, 3 * pageBytes + at + 4)), [0, 0, 128, 255]);
  assert.deepEqual(Array.from(ours.canvases[3]!.subarray(at, at + 4)), [0, 0, 0, 0]);
});

test("panel frames equal the reference canvas scaled by nearest neighbour, on every panel and orientation", () => {
  const geometries = [
    panelGeometry("64x32"),
    panelGeometry("64x64", 90, true),
    panelGeometry("128x64", 180),
    panelGeometry("128x32", 270, true),
    panelGeometry("64x64"),
  ];
  let frames = 0;
  for (const file of corpus) {
    const reference = referenceAnimation(file.bytes);
    for (const geometry of geometries) {
      const ours = decode(file.bytes, geometry, 0x203040);
      ours.panels.forEach((panel, i) => {
        const expected = referencePanel(reference.frames[i]!.rgba, reference.width, reference.height, geometry, 0x203040);
        assert.ok(Buffer.from(panel).equals(Buffer.from(expected)), `${file.name} frame ${i} on ${geometry.width}x${geometry.height} r${geometry.rotation}${geometry.mirror ? " mirrored" : ""}`);
        frames++;
      });
    }
  }
  assert.ok(frames > 100, `${frames} panel frames`);
});

test("slicing the corpus files (1 byte, random sizes) changes nothing", () => {
  const random = xorshiftRandom(99);
  for (const file of corpus) {
    if (file.bytes.length > 40_000) continue; // the 256x256 files take long byte by byte; random sizes below cover them
    const whole = decode(file.bytes, panelGeometry("64x64"));
    const bytewise = decode(file.bytes, panelGeometry("64x64"), 0, 1);
    assert.deepEqual(bytewise.panels, whole.panels, file.name);
  }
  for (const file of corpus) {
    const whole = decode(file.bytes, panelGeometry("64x32"));
    const decoder = (chunks: number[]) => {
      const panels: Uint8Array[] = [];
      const compositor = new Compositor({ geometry: panelGeometry("64x32"), onFrame: (frame) => panels.push(frame.slice()) });
      const gif = new GifDecoder(compositor);
      let at = 0;
      for (const size of chunks) {
        gif.push(file.bytes.subarray(at, at + size));
        at += size;
      }
      gif.push(file.bytes.subarray(at));
      gif.finish();
      return panels;
    };
    const sizes: number[] = [];
    for (let total = 0; total < file.bytes.length; ) {
      const size = Math.floor(random() * 700);
      sizes.push(size);
      total += size;
    }
    assert.deepEqual(decoder(sizes), whole.panels, file.name);
  }
});

test("seeded mutations of every corpus file: only ImageDecodeError or success", () => {
  const random = xorshiftRandom(20240611);
  const counts: Record<string, number> = { ok: 0 };
  let mutants = 0;
  for (const file of corpus) {
    for (let round = 0; round < 60; round++) {
      let bytes = file.bytes.slice();
      const kind = round % 3;
      if (kind === 0 || kind === 2) bytes = bytes.slice(0, Math.floor(random() * bytes.length));
      if (kind === 1 || kind === 2) {
        const flips = 1 + Math.floor(random() * 8);
        for (let i = 0; i < flips && bytes.length > 0; i++) {
          // Favour the structure-heavy start of the file half of the time.
          const at = Math.floor(random() * (random() < 0.5 ? Math.min(bytes.length, 900) : bytes.length));
          bytes[at] = bytes[at]! ^ (1 << Math.floor(random() * 8));
        }
      }
      mutants++;
      try {
        decode(bytes, panelGeometry("64x64"), 0, 1 + Math.floor(random() * 300));
        counts.ok!++;
      } catch (error) {
        if (!(error instanceof ImageDecodeError)) {
          assert.fail(`${file.name} mutant ${round} threw ${String(error)}\n${(error as Error).stack ?? ""}`);
        }
        counts[error.code] = (counts[error.code] ?? 0) + 1;
      }
    }
  }
  const typed = mutants - counts.ok!;
  console.log(`gif mutations: ${mutants} mutants, ${typed} typed errors, ${counts.ok} decoded: ${JSON.stringify(counts)}`);
  assert.ok(typed > mutants / 3, "most mutants should be refused");
  assert.ok((counts.truncated ?? 0) > 0 && (counts.corrupt ?? 0) + (counts.too_large ?? 0) + (counts.bad_signature ?? 0) > 0);
});
