// Fuzzing the provisioning protocol (seeded: a failure names its case and reproduces). Random bytes,
// mutated valid frames (bit flips, truncation, duplication, splicing, insertion, deletion) in random
// slicing, and requests with random payloads sent to the real handler. Nothing may throw; only typed
// errors come out; no damaged frame is ever accepted; and a valid frame after the damage is decoded.

import { test } from "node:test";
import assert from "node:assert/strict";
import { FrameDecoder, FrameEncoder, MAX_PAYLOAD, ProvisioningFrameError, SYNC_0, SYNC_1, type FrameErrorKind } from "../../../src/device/provisioning-frame.js";
import { ERROR_CODES, FIELD, FieldReader, MESSAGE } from "../../../src/device/provisioning-messages.js";
import { concatBytes, xorshiftRandom } from "../../support/bytes.js";
import { containsText, provisioningRig, TEST_CREDENTIALS, TEST_KEY_BODY, TEST_PLAYER_KEY } from "../../support/provisioning.js";

const SENTINEL_ID = 0xbeef;

function frameBytes(type: number, id: number, payload: Uint8Array): Uint8Array {
  const encoder = new FrameEncoder();
  encoder.begin(type, id).set(payload);
  return encoder.finish(payload.length).slice();
}

function randomBytes(random: () => number, length: number, syncBias = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const r = random();
    // With a bias, sync pairs are common, so the header and CRC paths run, not only the skip loop.
    out[i] = r < syncBias ? SYNC_0 : r < syncBias * 1.5 && i > 0 && out[i - 1] === SYNC_0 ? SYNC_1 : Math.floor(random() * 256);
  }
  return out;
}

/** A decoder that records frames (as byte strings of type/id/payload) and error kinds, and fails on anything else. */
function recorder() {
  const frames: string[] = [];
  const kinds = new Map<FrameErrorKind, number>();
  const decoder = new FrameDecoder({
    frame: (f) => frames.push(`${f.type}/${f.requestId}/${Array.from(f.payload).join(",")}`),
    error: (e) => {
      if (!(e instanceof ProvisioningFrameError)) throw new Error("untyped error");
      kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
    },
  });
  return { decoder, frames, kinds };
}

function pushSliced(decoder: FrameDecoder, bytes: Uint8Array, random: () => number): void {
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * (random() < 0.5 ? 8 : 400));
    decoder.push(bytes.subarray(at, at + size));
    at += size;
  }
}

/** Valid request frames of every kind, as a PC sends them. */
function corpus(random: () => number): { bytes: Uint8Array; key: string }[] {
  const out: { bytes: Uint8Array; key: string }[] = [];
  for (let i = 0; i < 40; i++) {
    const size = i % 5 === 0 ? MAX_PAYLOAD : Math.floor(random() * 300);
    const payload = randomBytes(random, size, 0.05);
    const type = 1 + (i % 10);
    out.push({ bytes: frameBytes(type, i + 1, payload), key: `${type}/${i + 1}/${Array.from(payload).join(",")}` });
  }
  return out;
}

test("fuzz: 256 KiB of random bytes (plain, and thick with sync bytes) in random slices", () => {
  for (const [seed, bias] of [[11, 0], [12, 0.1], [13, 0.3]] as const) {
    const random = xorshiftRandom(seed);
    const { decoder, frames, kinds } = recorder();
    pushSliced(decoder, randomBytes(random, 256 * 1024 / 3, bias), random);
    const sentinel = frameBytes(MESSAGE.HELLO, SENTINEL_ID, new Uint8Array([1, 2, 3]));
    decoder.push(sentinel);
    decoder.idle();
    assert.ok(frames.includes(`1/${SENTINEL_ID}/1,2,3`), `seed ${seed}: the hello after the noise was decoded`);
    assert.ok(frames.length <= 1, `seed ${seed}: noise taken for a frame: ${frames.filter((f) => !f.startsWith("1/48879/")).join(" ")}`);
    if (bias > 0) assert.ok((kinds.get("header") ?? 0) > 100, `seed ${seed}: header path exercised (${kinds.get("header") ?? 0})`);
  }
});

test("fuzz: 3,000 mutated frames (flips, truncation, duplication, splicing, insertion, deletion): no false frame, the next frame survives", () => {
  const random = xorshiftRandom(2026);
  const frames = corpus(random);
  const valid = new Set(frames.map((f) => f.key));
  const counts = new Map<string, number>();
  for (let round = 0; round < 3000; round++) {
    const a = frames[Math.floor(random() * frames.length)]!.bytes;
    const b = frames[Math.floor(random() * frames.length)]!.bytes;
    const kind = ["flip", "truncate", "duplicate", "splice", "insert", "delete"][round % 6]!;
    let mutated: Uint8Array;
    if (kind === "flip") {
      mutated = a.slice();
      const flips = 1 + Math.floor(random() * 3);
      for (let i = 0; i < flips; i++) mutated[Math.floor(random() * mutated.length)]! ^= 1 << Math.floor(random() * 8);
    } else if (kind === "truncate") {
      mutated = a.slice(0, Math.floor(random() * a.length));
    } else if (kind === "duplicate") {
      const from = Math.floor(random() * a.length);
      const to = from + Math.floor(random() * (a.length - from));
      mutated = concatBytes([a.subarray(0, to), a.subarray(from)]);
    } else if (kind === "splice") {
      mutated = concatBytes([a.subarray(0, Math.floor(random() * a.length)), b.subarray(Math.floor(random() * b.length))]);
    } else if (kind === "insert") {
      const at = Math.floor(random() * a.length);
      mutated = concatBytes([a.subarray(0, at), randomBytes(random, 1 + Math.floor(random() * 20), 0.2), a.subarray(at)]);
    } else {
      const at = Math.floor(random() * a.length);
      mutated = concatBytes([a.subarray(0, at), a.subarray(at + 1 + Math.floor(random() * 4))]);
    }
    const { decoder, frames: seen } = recorder();
    const sentinel = frameBytes(MESSAGE.INFO, SENTINEL_ID, new Uint8Array([round & 0xff]));
    pushSliced(decoder, concatBytes([mutated, sentinel]), random);
    decoder.idle(); // the line goes quiet: a frame cut short is given up
    const sentinelKey = `2/${SENTINEL_ID}/${round & 0xff}`;
    assert.equal(seen.filter((f) => f === sentinelKey).length, 1, `round ${round} (${kind}): the frame after the damage`);
    for (const f of seen) assert.ok(f === sentinelKey || valid.has(f), `round ${round} (${kind}): a damaged frame was accepted`);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    assert.equal(decoder.pending, 0);
  }
  assert.equal(counts.size, 6);
});

test("fuzz: 3,000 requests with random payloads and noise to the real handler: only typed replies, no key material", async () => {
  const random = xorshiftRandom(99);
  const rig = provisioningRig({ window: 256 });
  rig.target.credentials = TEST_CREDENTIALS;
  rig.target.log = [`key ${TEST_PLAYER_KEY}`, TEST_CREDENTIALS.key];
  const replies: { type: number; id: number; code: number }[] = [];
  const reader = new FieldReader();
  const pc = new FrameDecoder({
    frame: (f) => {
      let code = 0;
      reader.begin(f.payload);
      if (f.type === MESSAGE.ERROR) while (reader.next()) if (reader.tag === FIELD.ERROR_CODE) code = reader.uint();
      replies.push({ type: f.type, id: f.requestId, code });
    },
    error: () => assert.fail("the device sent a damaged frame"),
  });
  rig.serial.onSent = (bytes) => pc.push(bytes);
  const sent: number[] = [];
  for (let i = 0; i < 3000; i++) {
    // Random fields: real tags with random sizes, random tags, lengths that lie.
    const parts: Uint8Array[] = [];
    const fields = Math.floor(random() * 6);
    for (let f = 0; f < fields; f++) {
      const size = Math.floor(random() * (random() < 0.8 ? 12 : 200));
      const tag = random() < 0.8 ? 1 + Math.floor(random() * 26) : Math.floor(random() * 256);
      const declared = random() < 0.9 ? size : Math.floor(random() * 65536);
      parts.push(new Uint8Array([tag, declared >> 8, declared & 0xff]), randomBytes(random, size));
    }
    const payload = concatBytes(parts).subarray(0, MAX_PAYLOAD);
    // Factory reset never: its confirm text is not random. Every other type, including unknown ones and replies.
    const type = Math.floor(random() * 256);
    const id = i + 1;
    const noise = random() < 0.3 ? randomBytes(random, Math.floor(random() * 40), 0.1) : new Uint8Array(0);
    const bytes = concatBytes([noise, frameBytes(type, id, payload)]);
    rig.line.deliver(bytes, 1 + Math.floor(random() * 64));
    if ((type & MESSAGE.REPLY) === 0) sent.push(id);
    if (i % 50 === 0) await rig.host.timers.advance(400); // quiet line: partial noise frames are given up
  }
  await rig.host.timers.advance(400);
  const answered = new Set(replies.map((r) => r.id));
  assert.ok(!rig.host.log.has("reply dropped"), "every reply fitted the write queue");
  const unanswered = sent.filter((id) => !answered.has(id));
  // Noise in front of a request may pose as a frame and swallow it, but the request is found inside it
  // once that candidate fails (its CRC, or the quiet line): every request is answered.
  assert.deepEqual(unanswered, [], `${unanswered.length} of ${sent.length} requests unanswered`);
  assert.ok(rig.handler.lineStats.framesDropped > 20 && rig.handler.lineStats.skippedBytes > 10_000, "the noise was noisy");
  for (const r of replies) {
    if (r.type === MESSAGE.ERROR) assert.ok(r.code >= 1 && r.code <= ERROR_CODES.length, `reply to ${r.id}: code ${r.code}`);
    else assert.ok((r.type & MESSAGE.REPLY) !== 0, `reply to ${r.id}: type ${r.type}`);
  }
  const everything = rig.serial.allSent();
  assert.ok(!containsText(everything, TEST_PLAYER_KEY), "full player key sent");
  assert.ok(!containsText(everything, TEST_KEY_BODY.slice(0, 40)), "private key sent");
  assert.ok(replies.some((r) => r.type === MESSAGE.ERROR && r.code === 1), "unknown commands answered");
  assert.ok(replies.some((r) => r.type === MESSAGE.ERROR && r.code === 2), "bad payloads answered");
  // After all that, a client still gets its answer.
  rig.serial.onSent = (bytes) => rig.client.receive(bytes);
  const info = await rig.client.hello("after the fuzz");
  assert.equal(info.hasCredentials, true);
  assert.equal(rig.target.resets, 0);
});
