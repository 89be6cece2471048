// The provisioning frame on a noisy serial line: frames come through any slicing, boot messages and
// noise between them are skipped, and a damaged frame (header, CRC, length, cut short) is reported as
// a typed error without losing the good frame behind it.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FrameDecoder,
  FrameEncoder,
  HEADER_BYTES,
  MAX_PAYLOAD,
  ProvisioningFrameError,
  type FrameErrorKind,
} from "../../../src/device/provisioning-frame.js";
import { concatBytes, xorshiftRandom } from "../../support/bytes.js";

interface Seen {
  frames: { type: number; id: number; payload: number[] }[];
  errors: { kind: FrameErrorKind; id: number | undefined }[];
}

function collector(): { decoder: FrameDecoder; seen: Seen } {
  const seen: Seen = { frames: [], errors: [] };
  const decoder = new FrameDecoder({
    frame: (f) => seen.frames.push({ type: f.type, id: f.requestId, payload: Array.from(f.payload) }),
    error: (e) => {
      assert.ok(e instanceof ProvisioningFrameError);
      seen.errors.push({ kind: e.kind, id: e.requestId });
    },
  });
  return { decoder, seen };
}

function frame(type: number, id: number, payload: readonly number[], version?: number): Uint8Array {
  const encoder = new FrameEncoder();
  encoder.begin(type, id, version).set(payload);
  return encoder.finish(payload.length).slice();
}

function text(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

test("frames come through in any slicing, with boot messages and noise between them", () => {
  const random = xorshiftRandom(7);
  const frames = [frame(1, 1, []), frame(3, 2, [1, 2, 3]), frame(5, 0xffff, Array.from({ length: MAX_PAYLOAD }, (_, i) => i & 0xff))];
  const stream = concatBytes([text("ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET)\r\n"), frames[0]!, text("I (312) wifi: ready\n"), frames[1]!, [0xa5, 0xa5, 0x00], frames[2]!]);
  for (let trial = 0; trial < 40; trial++) {
    const { decoder, seen } = collector();
    for (let at = 0; at < stream.length; ) {
      const size = 1 + Math.floor(random() * (trial < 10 ? 3 : 200));
      decoder.push(stream.subarray(at, at + size));
      at += size;
    }
    assert.deepEqual(seen.frames.map((f) => [f.type, f.id, f.payload.length]), [[1, 1, 0], [3, 2, 3], [5, 0xffff, MAX_PAYLOAD]]);
    assert.deepEqual(seen.frames[1]!.payload, [1, 2, 3]);
    assert.equal(decoder.pending, 0);
    assert.ok(decoder.skippedBytes >= 70, `skipped ${decoder.skippedBytes}`);
  }
});

test("a corrupted header is dropped and the next frame is still decoded", () => {
  const { decoder, seen } = collector();
  const bad = frame(2, 9, [7, 7]);
  bad[6] ^= 0x01; // the length: the header check catches it before the decoder waits for 256 more bytes
  decoder.push(concatBytes([bad, frame(2, 10, [8])]));
  assert.deepEqual(seen.errors.map((e) => e.kind), ["header"]);
  assert.deepEqual(seen.frames.map((f) => f.id), [10]);
});

test("a payload bit flip is a CRC error naming the request; the frame behind it is decoded", () => {
  const { decoder, seen } = collector();
  const bad = frame(4, 33, [1, 2, 3, 4]);
  bad[HEADER_BYTES + 2] ^= 0x40;
  decoder.push(concatBytes([bad, frame(4, 34, [5])]));
  assert.deepEqual(seen.errors, [{ kind: "crc", id: 33 }]);
  assert.deepEqual(seen.frames.map((f) => f.id), [34]);
});

test("a frame announcing more than the maximum is refused as too large, by request id", () => {
  const { decoder, seen } = collector();
  const encoder = new FrameEncoder();
  encoder.begin(5, 77);
  const big = encoder.finish(0).slice();
  // Rewrite the length to MAX_PAYLOAD + 1 and fix the header check, as a peer with a bigger limit would send.
  big[6] = (MAX_PAYLOAD + 1) >> 8;
  big[7] = (MAX_PAYLOAD + 1) & 0xff;
  const fixed = frame(5, 77, []);
  // Find the header check for that header by trying all 256 values (the decoder says which is right).
  let found = false;
  for (let check = 0; check < 256 && !found; check++) {
    big[8] = check;
    const probe = collector();
    probe.decoder.push(big.subarray(0, HEADER_BYTES));
    found = probe.seen.errors.some((e) => e.kind === "too_large");
  }
  assert.ok(found);
  decoder.push(concatBytes([big, fixed]));
  assert.deepEqual(seen.errors, [{ kind: "too_large", id: 77 }]);
  assert.deepEqual(seen.frames.map((f) => f.id), [77]);
});

test("a frame cut short by a reset: the next frame is found in its bytes, or after the line goes quiet", () => {
  const whole = frame(2, 1, Array.from({ length: 600 }, (_, i) => i & 0xff));
  const next = frame(2, 2, [42]);
  // Cut after its header: the decoder waits for 600 bytes; the short frame is inside them.
  const { decoder, seen } = collector();
  decoder.push(concatBytes([whole.subarray(0, 20), next]));
  assert.equal(seen.frames.length, 0, "still waiting for the long frame's bytes");
  decoder.idle();
  assert.deepEqual(seen.frames.map((f) => f.id), [2]);
  assert.deepEqual(seen.errors.map((e) => e.kind), ["truncated"]);
  assert.equal(decoder.pending, 0);
  // Cut with a short announced length: the CRC fails and the decoder resumes inside it, no idle needed.
  const short = frame(2, 3, [1, 2, 3, 4, 5, 6, 7, 8]);
  const second = collector();
  second.decoder.push(concatBytes([short.subarray(0, 12), next, next]));
  assert.deepEqual(second.seen.frames.map((f) => f.id), [2, 2]);
  assert.deepEqual(second.seen.errors.map((e) => e.kind), ["crc"]);
});

test("another protocol version is recognised and reported, not mistaken for noise", () => {
  const { decoder, seen } = collector();
  decoder.push(concatBytes([frame(1, 5, [], 2), frame(1, 6, [])]));
  assert.deepEqual(seen.errors, [{ kind: "version", id: 5 }]);
  assert.deepEqual(seen.frames.map((f) => f.id), [6]);
});

test("the encoder refuses a payload over the maximum", () => {
  const encoder = new FrameEncoder();
  encoder.begin(1, 1);
  assert.throws(() => encoder.finish(MAX_PAYLOAD + 1), RangeError);
  assert.equal(encoder.finish(MAX_PAYLOAD).length, HEADER_BYTES + MAX_PAYLOAD + 4);
});
