// The Moddable inflate binding's logic (hosts/moddable/native-inflate.ts) over a model of the SDK's
// native Inflate (test/support/fake-native-inflate.ts): output that outgrows the buffer across several
// native calls, any input slicing, the end of the stream, errors mapped to InflateError codes, the
// consumer's own errors passed through, reset() opening a fresh native stream. The real native class
// was checked in the Moddable simulator (hosts/moddable/README.md).

import { test } from "node:test";
import assert from "node:assert/strict";
import { NativeInflateFactory, NativeInflater } from "../../../hosts/moddable/native-inflate.js";
import { InflateError } from "../../../src/art/inflate-error.js";
import { PngDecoder } from "../../../src/art/png.js";
import { BitWriter, expandTokens, fixedBlock, zlibStored, zlibWrap, type Token } from "../../support/deflate-encode.js";
import { fakeNativeInflate } from "../../support/fake-native-inflate.js";
import { FrameRecorder } from "../../support/frame-recorder.js";
import { encodePng, randomImage, seededRandom } from "../../support/png-encode.js";

interface Collected {
  bytes: number[];
  writes: number;
  largest: number;
  buffers: Set<ArrayBufferLike>;
}

function collector(): Collected & { write(bytes: Uint8Array): void } {
  const collected = {
    bytes: [] as number[],
    writes: 0,
    largest: 0,
    buffers: new Set<ArrayBufferLike>(),
    write(bytes: Uint8Array) {
      for (const byte of bytes) collected.bytes.push(byte);
      collected.writes++;
      collected.largest = Math.max(collected.largest, bytes.length);
      collected.buffers.add(bytes.buffer);
    },
  };
  return collected;
}

function feed(inflater: NativeInflater, stream: Uint8Array, step: number, output = collector()): Collected {
  for (let at = 0; at < stream.length; at += step) inflater.push(stream.subarray(at, at + step), output);
  inflater.finish();
  return output;
}

function errorOf(action: () => void): InflateError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof InflateError, `expected an InflateError, got ${String(error)}`);
    return error;
  }
  assert.fail("accepted");
}

/** A fixed-code stream whose output (~3 KiB from 40 bytes of input) dwarfs its input. */
function expandingStream(): { stream: Uint8Array; expected: number[] } {
  const tokens: Token[] = [65, 66, 67, [258, 3], [258, 3], [258, 3], [258, 3], [258, 3], [258, 3], [258, 3], [258, 3], [258, 3], [258, 3], [258, 3], [258, 3], 68];
  const out = new BitWriter();
  fixedBlock(out, tokens, true);
  const expected = expandTokens(tokens);
  return { stream: zlibWrap(out.result(), Uint8Array.from(expected)), expected };
}

test("output larger than the buffer comes out in buffer-sized views of one reused buffer, any input slicing", () => {
  const { stream, expected } = expandingStream();
  for (const step of [stream.length, 5, 1]) {
    for (const readLimit of [Infinity, 3]) {
      const { Native, stats } = fakeNativeInflate({ readLimit });
      const inflater = new NativeInflater(Native, 64);
      const result = feed(inflater, stream, step);
      assert.deepEqual(result.bytes, expected, `step ${step}, readLimit ${readLimit}`);
      assert.equal(result.largest, 64);
      assert.equal(result.buffers.size, 1, "every view is of the same buffer");
      assert.ok(inflater.done);
      assert.ok(stats.pushes > expected.length / 64, "the native was called once per buffer of output");
    }
  }
});

test("a stored stream whose output ends exactly on a buffer boundary, and an empty one", () => {
  const data = Uint8Array.from({ length: 256 }, (_, i) => (i * 37) & 0xff);
  const { Native } = fakeNativeInflate();
  assert.deepEqual(feed(new NativeInflater(Native, 64), zlibStored(data), 100).bytes, Array.from(data));
  const empty = feed(new NativeInflater(Native, 64), zlibStored(new Uint8Array(0)), 1);
  assert.equal(empty.writes, 0);
});

test("bad data from the native is InflateError corrupt, and the stream stays failed", () => {
  const { stream } = expandingStream();
  const broken = Uint8Array.from(stream);
  broken[broken.length - 1]! ^= 1; // Adler-32
  const { Native, stats } = fakeNativeInflate();
  const inflater = new NativeInflater(Native, 64);
  const error = errorOf(() => feed(inflater, broken, 7));
  assert.equal(error.code, "corrupt");
  assert.match(error.message, /bad zlib data/);
  assert.equal(inflater.done, false);
  assert.equal(errorOf(() => inflater.push(Uint8Array.of(1), collector())), error);
  assert.equal(errorOf(() => inflater.finish()), error);
  assert.equal(stats.closed, stats.created);
});

test("a stream cut short: finish() throws truncated", () => {
  const { stream } = expandingStream();
  const { Native, stats } = fakeNativeInflate();
  const inflater = new NativeInflater(Native, 64);
  inflater.push(stream.subarray(0, stream.length - 3), collector());
  assert.equal(errorOf(() => inflater.finish()).code, "truncated");
  assert.equal(stats.closed, 1, "the native stream is freed");
});

test("bytes after the end of the stream, in the same push or a later one, are corrupt", () => {
  const { stream } = expandingStream();
  const { Native } = fakeNativeInflate();
  const sameChunk = new NativeInflater(Native, 64);
  const withTail = Uint8Array.from([...stream, 0]);
  assert.match(errorOf(() => sameChunk.push(withTail, collector())).message, /after the end/);
  assert.equal(sameChunk.done, false);

  const later = new NativeInflater(Native, 64);
  later.push(stream, collector());
  assert.ok(later.done);
  later.push(new Uint8Array(0), collector()); // nothing: still fine
  assert.equal(errorOf(() => later.push(Uint8Array.of(0), collector())).code, "corrupt");
  assert.equal(later.done, false);
});

test("a preset dictionary is unsupported (header split across pushes too); a bad header is corrupt", () => {
  const { Native, stats } = fakeNativeInflate();
  // CMF 0x78, FLG 0xbb: FDICT set, check bits right.
  const fdict = Uint8Array.of(0x78, 0xbb, 0x01, 0x02, 0x03, 0x04, 0x4b, 0x04, 0x00);
  assert.equal(errorOf(() => feed(new NativeInflater(Native, 64), fdict, fdict.length)).code, "unsupported");
  assert.equal(stats.created, 0, "refused before a native stream was opened");
  assert.equal(errorOf(() => feed(new NativeInflater(Native, 64), fdict, 1)).code, "unsupported");
  assert.equal(stats.closed, stats.created, "the native stream opened for the first byte is freed");
  const badCheck = Uint8Array.of(0x78, 0xbc, 0x03, 0x00);
  assert.equal(errorOf(() => feed(new NativeInflater(Native, 64), badCheck, 1)).code, "corrupt");
});

test("an error thrown by the consumer passes through unchanged and frees the native stream", () => {
  const { stream } = expandingStream();
  const { Native, stats } = fakeNativeInflate();
  const inflater = new NativeInflater(Native, 64);
  const full = new RangeError("sink full");
  let writes = 0;
  assert.throws(
    () =>
      inflater.push(stream, {
        write() {
          if (++writes === 3) throw full;
        },
      }),
    (error) => error === full,
  );
  assert.equal(stats.closed, 1);
  assert.throws(() => inflater.finish(), (error) => error === full);
});

test("reset() starts a new stream on a new native object (the old one freed), after success or failure", () => {
  const { stream, expected } = expandingStream();
  const { Native, stats } = fakeNativeInflate();
  const inflater = new NativeInflater(Native, 64);
  inflater.push(stream.subarray(0, 10), collector());
  inflater.reset(); // mid-stream
  assert.equal(stats.closed, 1);
  assert.deepEqual(feed(inflater, stream, 9).bytes, expected);
  inflater.reset();
  errorOf(() => feed(inflater, Uint8Array.of(0x78, 0x9c, 0xff, 0xff), 4));
  inflater.reset();
  assert.deepEqual(feed(inflater, stream, stream.length).bytes, expected);
  assert.equal(stats.created, 4);
  assert.equal(stats.closed, 4);
});

test("the PNG decoder gives the same frames through the binding as through the TypeScript inflater", () => {
  const random = seededRandom(7);
  const image = randomImage(23, 17, 6, 8, random);
  const file = encodePng(image, { idatSize: 50 });
  const { Native } = fakeNativeInflate({ readLimit: 11 });
  for (const step of [file.length, 13]) {
    const viaTs = new FrameRecorder();
    const ts = new PngDecoder(viaTs);
    const viaNative = new FrameRecorder();
    const native = new PngDecoder(viaNative, { inflate: new NativeInflateFactory(Native, 32) });
    for (let at = 0; at < file.length; at += step) {
      ts.push(file.subarray(at, at + step));
      native.push(file.subarray(at, at + step));
    }
    ts.finish();
    native.finish();
    assert.equal(viaNative.frames.length, 1);
    assert.deepEqual(viaNative.frames[0]!.rgba, viaTs.frames[0]!.rgba);
  }
});
