// Runs inside xst-art-asan (scripts/build-xst.sh --art asan: the SDK's xst with the SDK's own zlib
// inflate, miniz, linked in as the global `inflateNatives`, built with ASan) for
// test/native/png-inflate.test.ts. Each PNG goes through the player's PNG decoder twice: with the
// TypeScript inflater (src/art/inflate.ts, the oracle) and with miniz through the Moddable host's
// Inflater port (hosts/moddable/native-inflate.ts over test/native/xst-inflate.ts), as the device runs
// it, pushed in chunks of each given size. Compared:
//   - the error: ImageDecodeError code, or none (messages differ: miniz says only "bad zlib data").
//     One known difference, miniz's: a distance that reaches before the start of the data. miniz
//     (its 32 KiB wrapping window, as the SDK runs it) does not check it: it copies from the part of its
//     window not written yet (uninitialised C heap) and fails later, at the Adler-32 check ("corrupt"),
//     or, when the file also ends early, at the end of the file ("truncated"). Such an input must fail
//     with either, and its completed frames must still match;
//   - every row of every completed frame (y, x0, step, count, RGBA), hashed; rows of a frame that fails
//     are not compared: miniz hands out its output in 1 KiB blocks, so it may deliver fewer rows
//     before its error than the TypeScript inflater, which streams every byte.
// Inputs: the files given, and for each `mutations` seeded mutations: bytes of the zlib data
// (IDAT/fdAT) overwritten with the chunk CRCs made right again (so the inflaters meet the damage,
// not the CRC check), some of them truncated.
//   PNG_INFLATE = { files: { name, chunks: number[][] }[], splits: number[], mutations, seed }
// Prints `PNGINF <json>` per input and split, and `PNGINF-DONE <json>` at the end.

import { createDecoder } from "../../src/art/decoders.js";
import { ImageDecodeError, type ImageSink } from "../../src/art/image.js";
import { tsInflate } from "../../src/art/inflate.js";
import type { InflateFactory } from "../../src/ports.js";
import { NativeInflateFactory } from "../../hosts/moddable/native-inflate.js";
import { xorshiftRandom } from "../support/bytes.js";
import { crc32 } from "../support/png-encode.js";
import { xstInflateClass, type InflateNatives } from "./xst-inflate.js";

const host = globalThis as unknown as {
  PNG_INFLATE: { files: { name: string; chunks: number[][] }[]; splits: number[]; mutations: number; seed: number };
  inflateNatives: InflateNatives;
  print(text: string): void;
};
const { files, splits, mutations, seed } = host.PNG_INFLATE;
const miniz = new NativeInflateFactory(xstInflateClass(host.inflateNatives));

/** FNV-1a of the completed frames' rows (the open frame's rows are kept apart until frameEnd). */
class RowDigest implements ImageSink {
  done = 0x811c9dc5;
  open = 0x811c9dc5;
  frames = 0;
  rows = 0;
  #mix(h: number, n: number): number {
    return Math.imul(h ^ n, 0x01000193) >>> 0;
  }
  header(): void {}
  frameStart(): void {
    this.open = this.done;
  }
  row(y: number, x0: number, step: number, count: number, rgba: Uint8Array): void {
    let h = this.#mix(this.#mix(this.#mix(this.#mix(this.open, y), x0), step), count);
    for (let i = 0, end = count * 4; i < end; i++) h = this.#mix(h, rgba[i]!);
    this.open = h;
    this.rows++;
  }
  frameEnd(): void {
    this.done = this.open;
    this.frames++;
  }
  end(): void {}
}

interface Outcome {
  error: string | null;
  /** Not compared (see above), printed to explain a difference. */
  message: string | null;
  digest: number;
  frames: number;
}

function decode(bytes: Uint8Array, split: number, inflate: InflateFactory): Outcome {
  const sink = new RowDigest();
  let error: string | null = null;
  let message: string | null = null;
  try {
    const decoder = createDecoder("png", sink, { inflate });
    for (let at = 0; at < bytes.length; at += split) decoder.push(bytes.subarray(at, Math.min(bytes.length, at + split)));
    decoder.finish();
  } catch (caught) {
    error = caught instanceof ImageDecodeError ? caught.code : `not an ImageDecodeError: ${String(caught)}`;
    message = String(caught);
  }
  return { error, message, digest: sink.done, frames: sink.frames };
}

/** Overwrites 1-3 bytes of IDAT/fdAT data and puts every CRC right; sometimes truncates. */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const out = bytes.slice();
  const data: [number, number][] = [];
  for (let at = 8; at + 12 <= out.length; ) {
    const length = ((out[at]! << 24) | (out[at + 1]! << 16) | (out[at + 2]! << 8) | out[at + 3]!) >>> 0;
    const type = String.fromCharCode(out[at + 4]!, out[at + 5]!, out[at + 6]!, out[at + 7]!);
    if (at + 12 + length > out.length) break;
    if (type === "IDAT" && length > 0) data.push([at + 8, length]);
    if (type === "fdAT" && length > 4) data.push([at + 12, length - 4]);
    at += 12 + length;
  }
  if (data.length > 0) {
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const [from, length] = data[Math.floor(random() * data.length)]!;
      out[from + Math.floor(random() * length)] = Math.floor(random() * 256);
    }
  }
  for (let at = 8; at + 12 <= out.length; ) {
    const length = ((out[at]! << 24) | (out[at + 1]! << 16) | (out[at + 2]! << 8) | out[at + 3]!) >>> 0;
    if (at + 12 + length > out.length) break;
    const crc = crc32(out.subarray(at + 4, at + 8 + length));
    out.set([crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255], at + 8 + length);
    at += 12 + length;
  }
  return random() < 0.2 ? out.subarray(0, Math.floor(out.length * (0.3 + 0.6 * random()))) : out;
}

const random = xorshiftRandom(seed);
let compared = 0;
let differing = 0;
function compare(name: string, bytes: Uint8Array, split: number): void {
  const expected = decode(bytes, split, tsInflate);
  const actual = decode(bytes, split, miniz);
  const farDistance = expected.message !== null && expected.message.includes("reaches before the start of the data");
  const sameError = expected.error === actual.error || (farDistance && (actual.error === "corrupt" || actual.error === "truncated"));
  const same = sameError && expected.digest === actual.digest && expected.frames === actual.frames;
  compared++;
  if (!same) differing++;
  host.print(`PNGINF ${JSON.stringify({ name, split, same, farDistance, expected, actual })}`);
}

for (const file of files) {
  const bytes = new Uint8Array(file.chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of file.chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  for (const split of splits) compare(file.name, bytes, split);
  for (let m = 0; m < mutations; m++) compare(`${file.name} mutation ${m}`, mutate(bytes, random), splits[m % splits.length]!);
}
host.print(`PNGINF-DONE ${JSON.stringify({ compared, differing })}`);
