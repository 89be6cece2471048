// BMP decoder against ImageMagick: files ImageMagick writes in every flavour it has (BMP3 24-bit, V5
// 32-bit with alpha and 16-bit 5-6-5 bit fields, 8/4/1-bit palettes, OS/2 core) decode to exactly the
// RGBA ImageMagick reads back. Then every file, mutated by a seeded fuzzer, gives either a picture or
// an ImageDecodeError — never another exception.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BmpDecoder } from "../../src/art/bmp.js";
import { ImageDecodeError } from "../../src/art/image.js";
import { FrameRecorder } from "../support/frame-recorder.js";
import { BMP_SIZES, BMP_VARIANTS, buildBmpCorpus } from "./bmp-corpus.js";
import { xorshiftRandom } from "../support/bytes.js";

function decodeOurs(bytes: Uint8Array): FrameRecorder {
  const sink = new FrameRecorder();
  const decoder = new BmpDecoder(sink);
  for (let at = 0; at < bytes.length; at += 61) decoder.push(bytes.subarray(at, at + 61));
  decoder.finish();
  return sink;
}


const work = mkdtempSync(join(tmpdir(), "bmp-oracle-"));
const corpus: { name: string; bytes: Uint8Array }[] = [];

test("every BMP flavour ImageMagick writes decodes to ImageMagick's own pixels", async (t) => {
  t.after(() => rmSync(work, { recursive: true, force: true }));
  for (const file of await buildBmpCorpus(work)) {
    const ours = decodeOurs(file.bytes);
    assert.equal(ours.image!.width, file.width);
    assert.equal(ours.image!.height, file.height);
    const frame = ours.frames[0]!.rgba;
    let mismatches = 0;
    for (let i = 0; i < frame.length; i++) if (frame[i] !== file.reference[i]) mismatches++;
    assert.equal(mismatches, 0, `${file.name}: ${mismatches} bytes differ from ImageMagick`);
    corpus.push(file);
  }
  assert.equal(corpus.length, BMP_VARIANTS.length * BMP_SIZES.length);
});

test("seeded mutations of every corpus file: a picture or an ImageDecodeError, nothing else", () => {
  assert.ok(corpus.length > 0, "the corpus test ran first");
  const random = xorshiftRandom(20261125);
  const counts = { decoded: 0, typedErrors: 0 } as { decoded: number; typedErrors: number; [code: string]: number };
  for (const { name, bytes } of corpus) {
    for (let round = 0; round < 40; round++) {
      const mutated = bytes.slice(0, random() < 0.3 ? Math.floor(random() * bytes.length) : bytes.length);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips && mutated.length > 0; f++) {
        // Headers are where a BMP decoder can be fooled; aim most flips there.
        const at = random() < 0.7 ? Math.floor(random() * Math.min(mutated.length, 140)) : Math.floor(random() * mutated.length);
        mutated[at] = Math.floor(random() * 256);
      }
      try {
        decodeOurs(mutated);
        counts.decoded++;
      } catch (error) {
        assert.ok(error instanceof ImageDecodeError, `${name} round ${round}: ${String(error)}`);
        counts.typedErrors++;
        counts[error.code] = (counts[error.code] ?? 0) + 1;
      }
    }
  }
  console.log(`# bmp mutations: ${JSON.stringify(counts)}`);
  assert.ok(counts.typedErrors > 100, "mutations produced typed errors");
});
