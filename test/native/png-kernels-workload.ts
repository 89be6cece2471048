// Runs inside xst-art-asan (scripts/build-xst.sh --art asan: the SDK's xst with the PNG kernels,
// hosts/moddable/native/png_kernels.c, built with ASan + UBSan as the global `pngNatives`, and the SDK's
// own zlib inflate, miniz, built with ASan as `inflateNatives`) for test/native/png-kernels.test.ts.
// Each PNG goes through the player's PNG decoder three times, pushed in chunks of each given size:
//   oracle: the TypeScript inflater (src/art/inflate.ts) and PNG kernels (src/art/png-kernels.ts);
//   kernels: the TypeScript inflater and the C kernels (hosts/moddable/native-png.ts over pngNatives):
//     must give exactly the oracle's rows (every row delivered, in order, hashed) and error (class,
//     code and message), or none;
//   device: miniz through the Moddable host's Inflater port (hosts/moddable/native-inflate.ts over
//     test/native/xst-inflate.ts) and the C kernels, as the device runs it: compared with the oracle on
//     the ImageDecodeError code, or none (messages differ: miniz says only "bad zlib data"), and on
//     the rows of every completed frame; rows of a frame that fails are not compared: miniz hands out
//     its output in 1 KiB blocks, so it may deliver fewer rows before its error than the TypeScript
//     inflater, which streams every byte.
//     One known difference, miniz's: a distance that reaches before the start of the data. miniz
//     (its 32 KiB wrapping window, as the SDK runs it) does not check it: it copies from the part of its
//     window not written yet (uninitialised C heap) and fails later, at the Adler-32 check ("corrupt"),
//     or, when the file also ends early, at the end of the file ("truncated"). Such an input must fail
//     with either, and its completed frames must still match.
// Inputs: the files given, and for each `mutations` seeded mutations: bytes of the zlib data
// (IDAT/fdAT) overwritten with the chunk CRCs made right again (so the inflaters and the row filters
// meet the damage, not the CRC check: unknown filter types, garbage rows), some of them truncated.
//   PNG_KERNELS = { files: { name, chunks: number[][] }[], splits: number[], mutations, seed }
// Prints `PNGK <json>` per input and split, and `PNGK-DONE <json>` at the end.

import { createDecoder } from "../../src/art/decoders.js";
import { tsInflate } from "../../src/art/inflate.js";
import type { InflateFactory, PngKernels } from "../../src/ports.js";
import { tsPngKernels } from "../../src/art/png-kernels.js";
import { NativeInflateFactory } from "../../hosts/moddable/native-inflate.js";
import { nativePngKernels, type PngNatives } from "../../hosts/moddable/native-png.js";
import { concatBytes, xorshiftRandom } from "../support/bytes.js";
import { crc32 } from "../support/png-encode.js";
import { decodeInSlices, RowDigest } from "./decode-outcome.js";
import { xstInflateClass, type InflateNatives } from "./xst-inflate.js";

const host = globalThis as unknown as {
  PNG_KERNELS: { files: { name: string; chunks: number[][] }[]; splits: number[]; mutations: number; seed: number };
  inflateNatives: InflateNatives;
  pngNatives: PngNatives;
  print(text: string): void;
};
const { files, splits, mutations, seed } = host.PNG_KERNELS;
const miniz = new NativeInflateFactory(xstInflateClass(host.inflateNatives));
const cKernels = nativePngKernels(host.pngNatives);

interface Outcome {
  error: string | null;
  /** Not compared (see above), printed to explain a difference. */
  message: string | null;
  digest: number;
  all: number;
  frames: number;
}

function decode(bytes: Uint8Array, split: number, inflate: InflateFactory, kernels: PngKernels): Outcome {
  const sink = new RowDigest();
  const { error, message } = decodeInSlices(() => createDecoder("png", sink, { inflate, kernels: { png: kernels } }), bytes, split);
  return { error, message, digest: sink.done, all: sink.all, frames: sink.frames };
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
  const expected = decode(bytes, split, tsInflate, tsPngKernels);
  const kernels = decode(bytes, split, tsInflate, cKernels);
  const device = decode(bytes, split, miniz, cKernels);
  const sameKernels = expected.error === kernels.error && expected.message === kernels.message && expected.all === kernels.all && expected.frames === kernels.frames;
  const farDistance = expected.message !== null && expected.message.includes("reaches before the start of the data");
  const sameError = expected.error === device.error || (farDistance && (device.error === "corrupt" || device.error === "truncated"));
  const same = sameKernels && sameError && expected.digest === device.digest && expected.frames === device.frames;
  compared++;
  if (!same) differing++;
  host.print(`PNGK ${JSON.stringify({ name, split, same, sameKernels, farDistance, expected, kernels, device })}`);
}

for (const file of files) {
  const bytes = concatBytes(file.chunks);
  for (const split of splits) compare(file.name, bytes, split);
  for (let m = 0; m < mutations; m++) compare(`${file.name} mutation ${m}`, mutate(bytes, random), splits[m % splits.length]!);
}
host.print(`PNGK-DONE ${JSON.stringify({ compared, differing })}`);
