// Render while decoding: the artwork pipeline with the real decoders on a body that arrives slowly (the
// test sends each slice at a virtual time of its choosing). The first frame is on the panel before the
// last byte arrives, frames follow at their delays as they are decoded, a stall holds the frame on the
// panel, and a failure after the first frame keeps the frames decoded so far.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ArtworkPipeline } from "../../../src/art/pipeline.js";
import { AVAILABLE_DECODERS } from "../../../src/art/decoders.js";
import { Compositor } from "../../../src/art/compositor.js";
import { createDecoder } from "../../../src/art/decoders.js";
import type { ArtworkPost, NativeFormat } from "../../../src/art/artwork.js";
import { Display } from "../../../src/display/display.js";
import { HttpClient } from "../../../src/net/http.js";
import type { PanelConfig, PixelPush, RefreshStats } from "../../../src/ports.js";
import { encodeGif } from "../../support/gif-encode.js";
import { actl, chunk, fctl, fdat, idatChunks, ihdr, pngFile, scanlines } from "../../support/png-encode.js";
import { zlibStored } from "../../support/deflate-encode.js";
import { base64ToBytes } from "../../support/webp-build.js";
import { WEBP_FIXTURES } from "../../support/webp-fixtures.js";
import { ScriptedHttpServer, type Exchange } from "../../support/scripted-http.js";
import { createVirtualHost, type VirtualHost } from "../../support/virtual-host.js";

const WIDTH = 64;
const HEIGHT = 32;
const FRAME_BYTES = WIDTH * HEIGHT * 3;

/** Eight colours: frame n of the test GIFs is solid colour n. */
const PALETTE = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 255, 255, 255, 0, 255, 128, 128, 128];
const NAMES = ["red", "green", "blue", "white", "yellow", "cyan", "magenta", "grey"];

/** What the panel was pushed, when. */
class TimedPanel implements PixelPush {
  config: PanelConfig | undefined;
  brightness = 0;
  readonly stats: RefreshStats = { framesPushed: 0, refreshHz: 0 };
  readonly pushes: { at: number; frame: Uint8Array }[] = [];
  constructor(readonly now: () => number) {}
  begin(config: PanelConfig): void {
    this.config = config;
  }
  push(frame: Uint8Array): void {
    this.pushes.push({ at: this.now(), frame: frame.slice() });
  }
  /** Each push as "time colour", the colour named by the pixel at (x, y). */
  timeline(x = WIDTH / 2, y = HEIGHT / 2): string[] {
    return this.pushes.map(({ at, frame }) => `${at} ${colourName(frame, x, y)}`);
  }
}

function colourName(frame: Uint8Array, x: number, y: number): string {
  const at = (y * WIDTH + x) * 3;
  for (let n = 0; n < NAMES.length; n++) {
    if (frame[at] === PALETTE[n * 3] && frame[at + 1] === PALETTE[n * 3 + 1] && frame[at + 2] === PALETTE[n * 3 + 2]) return NAMES[n]!;
  }
  return `rgb(${frame[at]},${frame[at + 1]},${frame[at + 2]})`;
}

/** Pixel i of frame n: solid colour n. */
const solid = (n: number) => (): number => n;

/** An 8×8 GIF of `frames` frames (pixel i of frame n in colour `pixel(n)(i)`), 100 ms each, looping forever. */
function solidGif(frames: number, pixel: (n: number) => (i: number) => number = solid): Uint8Array {
  return encodeGif({
    width: 8,
    height: 8,
    globalPalette: PALETTE,
    loop: 0,
    frames: Array.from({ length: frames }, (_, n) => ({ width: 8, height: 8, indices: Array.from({ length: 64 }, (_, i) => pixel(n)(i)), delayCs: 10 })),
  });
}

/**
 * Where each frame of `solidGif(frames)` ends in the file: a GIF of n frames without its trailer is the
 * first bytes of a longer one, so frame n − 1 ends where `solidGif(n)` puts its trailer.
 */
function gifFrameEnds(frames: number, pixel: (n: number) => (i: number) => number = solid): number[] {
  const whole = solidGif(frames, pixel);
  return Array.from({ length: frames }, (_, n) => {
    const shorter = solidGif(n + 1, pixel);
    const end = shorter.length - 1;
    assert.deepEqual(whole.subarray(0, end), shorter.subarray(0, end), "a shorter GIF is a prefix of the longer one");
    return end;
  });
}

function head(length: number | undefined, type = "application/octet-stream"): string {
  return `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\n${length === undefined ? "Connection: close\r\n" : `Content-Length: ${length}\r\n`}\r\n`;
}

function post(postId: number, nativeFormat: NativeFormat, extra: Partial<ArtworkPost> = {}): ArtworkPost {
  return { kind: "artwork", postId, storageKey: `k${postId}`, storageShard: "s", nativeFormat, ...extra };
}

interface Options {
  frameCaches?: 1 | 2;
  frameBudgetBytes?: number;
  memoryClass?: "small" | "large";
}

/** A vault whose answers the test writes: each request waits in `exchanges` until the test sends. */
function setup(options: Options = {}) {
  const host: VirtualHost = createVirtualHost(17);
  const exchanges: Exchange[] = [];
  new ScriptedHttpServer(host, { respond: (exchange) => exchanges.push(exchange) });
  const now = () => host.clock.monotonicMs();
  const panel = new TimedPanel(now);
  const display = new Display(panel, host.timers, now, { geometry: { width: WIDTH, height: HEIGHT, rotation: 0, mirror: false } });
  const pipeline = new ArtworkPipeline(host, new HttpClient(host, { backoffInitialMs: 10 }), display, {
    rendition: { vault: "http://vault.test", memoryClass: options.memoryClass ?? "small", decoders: AVAILABLE_DECODERS },
    frameBudgetBytes: options.frameBudgetBytes ?? 1 << 20,
    frameCaches: options.frameCaches ?? 2,
  });
  const events: string[] = [];
  const show = (artwork: ArtworkPost, name = "") => {
    const tag = name ? `${name} ` : "";
    pipeline.show(artwork, {
      shown: (info) => events.push(`${now()} ${tag}shown${info.animated ? " animated" : ""}`),
      animationFound: () => events.push(`${now()} ${tag}animation found`),
      loaded: () => events.push(`${now()} ${tag}loaded`),
      loopCompleted: () => events.push(`${now()} ${tag}loop`),
      failed: (reason) => events.push(`${now()} ${tag}failed: ${reason}`),
    });
  };
  const requested = () => exchanges.map((exchange) => exchange.request.split(" ")[1]!);
  return { host, panel, display, pipeline, events, show, exchanges, requested };
}

/** Panel frames of `file` decoded whole, in order: what the pipeline must show, frame by frame. */
function referenceFrames(format: NativeFormat, file: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const compositor = new Compositor({ geometry: { width: WIDTH, height: HEIGHT, rotation: 0, mirror: false }, onFrame: (frame) => frames.push(frame.slice()) });
  const decoder = createDecoder(format, compositor);
  decoder.push(file);
  decoder.finish();
  return frames;
}

/** A 4-frame APNG, 8×8 RGB, frame n solid colour n, 100 ms each, looping forever. */
function solidApng(): Uint8Array {
  const frame = (n: number) => zlibStored(scanlines({ width: 8, height: 8, colourType: 2, bitDepth: 8, samples: Array.from({ length: 192 }, (_, i) => PALETTE[n * 3 + (i % 3)]!) }));
  const chunks = [ihdr(8, 8, 8, 2), actl(4, 0), fctl({ sequence: 0, width: 8, height: 8, delayNum: 1, delayDen: 10 }), ...idatChunks(frame(0))];
  let sequence = 1;
  for (let n = 1; n < 4; n++) {
    chunks.push(fctl({ sequence: sequence++, width: 8, height: 8, delayNum: 1, delayDen: 10 }));
    chunks.push(fdat(sequence++, frame(n)));
  }
  chunks.push(chunk("IEND"));
  return pngFile(chunks);
}

for (const [format, file, memoryClass] of [
  ["gif", solidGif(4), "small"],
  ["png", solidApng(), "small"],
  ["webp", base64ToBytes(WEBP_FIXTURES["animatedLossless"]!.base64), "large"],
] as const) {
  test(`${format}: the first frame is on the panel before the last byte arrives, and the frames follow in order`, async () => {
    const { host, panel, events, show, exchanges } = setup({ memoryClass });
    const expected = referenceFrames(format, file);
    assert.equal(expected.length, 4);
    show(post(1, format, { frameCount: 4 }));
    await host.timers.advance(0);
    const exchange = exchanges[0]!;
    exchange.send(head(file.length));
    // Twelve slices, 50 ms apart: the last one at 550 ms.
    const slice = Math.ceil(file.length / 12);
    let lastByteAt = 0;
    for (let at = 0; at < file.length; at += slice) {
      exchange.send(file.subarray(at, at + slice));
      lastByteAt = host.clock.monotonicMs();
      await host.timers.advance(50);
    }
    await host.timers.advance(1_000);
    assert.ok(panel.pushes.length > 4, `${panel.pushes.length} pushes`);
    assert.ok(panel.pushes[0]!.at < lastByteAt, `first frame at ${panel.pushes[0]!.at} ms, last byte at ${lastByteAt} ms`);
    const shown = events.filter((event) => event.includes("shown"));
    assert.equal(shown.length, 1, events.join(" | "));
    assert.ok(Number(shown[0]!.split(" ")[0]) < lastByteAt, `shown at ${shown[0]}`);
    for (let n = 0; n < 6; n++) assert.deepEqual(panel.pushes[n]!.frame, expected[n % 4], `push ${n} is frame ${n % 4}`);
    assert.ok(events.some((event) => event.endsWith(" loop")), "loops once complete");
  });
}

test("frames play at their delays as they arrive; a stall holds the frame on the panel and the next shows the moment it is decoded", async () => {
  const { host, panel, events, show, exchanges } = setup();
  const file = solidGif(4);
  const ends = gifFrameEnds(4);
  show(post(1, "gif", { frameCount: 4 }));
  await host.timers.advance(0);
  const exchange = exchanges[0]!;
  exchange.send(head(file.length));
  exchange.send(file.subarray(0, ends[0]));
  await host.timers.advance(50);
  exchange.send(file.subarray(ends[0], ends[1])); // frame 1 ready early: shown when frame 0 has had its 100 ms
  await host.timers.advance(350); // frame 1 is due to end at 200 ms; frame 2 comes 200 ms late
  exchange.send(file.subarray(ends[1], ends[2]));
  await host.timers.advance(50);
  exchange.send(file.subarray(ends[2])); // frame 3 and the trailer: the file is complete at 450 ms
  await host.timers.advance(560);
  assert.deepEqual(panel.timeline(), ["0 red", "100 green", "400 blue", "500 white", "600 red", "700 green", "800 blue", "900 white", "1000 red"]);
  assert.deepEqual(events, ["0 shown animated", "450 loaded", "600 loop", "1000 loop"]);
});

test("a decode error after frames were shown: those frames loop as the artwork, no fallback is fetched, nothing is reported failed", async () => {
  const { host, panel, events, show, exchanges, requested } = setup();
  const file = solidGif(4);
  const ends = gifFrameEnds(4);
  // Frame 2: its Graphic Control Extension (8 bytes), image descriptor (10), then the LZW minimum code
  // size, here made 12 (1–11 allowed): "corrupt".
  assert.deepEqual([file[ends[1]!], file[ends[1]! + 1], file[ends[1]! + 8]], [0x21, 0xf9, 0x2c]);
  file[ends[1]! + 18] = 12;
  show(post(1, "gif", { frameCount: 4 }));
  await host.timers.advance(0);
  exchanges[0]!.send(head(file.length));
  exchanges[0]!.send(file.subarray(0, ends[1]));
  await host.timers.advance(150);
  exchanges[0]!.send(file.subarray(ends[1]));
  await host.timers.advance(500);
  assert.deepEqual(requested(), ["/s/k1.gif"], "no other rendition fetched");
  assert.deepEqual(panel.timeline().slice(0, 6), ["0 red", "100 green", "200 red", "300 green", "400 red", "500 green"]);
  assert.deepEqual(events.slice(0, 3), ["0 shown animated", "150 loaded", "200 loop"]);
  assert.ok(!events.some((event) => event.includes("failed")), events.join(" | "));
});

test("a download cut after two frames is retried, and the retry carries on from the cached frames (never back to the first)", async () => {
  const { host, panel, events, show, exchanges } = setup();
  const file = solidGif(4);
  const ends = gifFrameEnds(4);
  show(post(1, "gif", { frameCount: 4 }));
  await host.timers.advance(0);
  exchanges[0]!.send(head(file.length));
  exchanges[0]!.send(file.subarray(0, ends[1]! + 3));
  exchanges[0]!.close(); // truncated: the client tries again after its backoff
  await host.timers.advance(150);
  assert.equal(exchanges.length, 2, "retried");
  exchanges[1]!.send(head(file.length));
  exchanges[1]!.send(file);
  await host.timers.advance(500);
  // Frame 2 is ready at 150 ms, while frame 1 still has 50 ms to go.
  assert.deepEqual(panel.timeline().slice(0, 6), ["0 red", "100 green", "200 blue", "300 white", "400 red", "500 green"]);
  assert.deepEqual(events.slice(0, 3), ["0 shown animated", "150 loaded", "400 loop"]);
});

test("a still announced as one frame is shown as a still; a second frame decoded later tells the listener it animates", async () => {
  const { host, events, show, exchanges } = setup();
  const file = solidGif(2);
  const ends = gifFrameEnds(2);
  show(post(1, "gif")); // no frameCount from the service, and a GIF does not declare one
  await host.timers.advance(0);
  exchanges[0]!.send(head(file.length));
  exchanges[0]!.send(file.subarray(0, ends[0]));
  await host.timers.advance(300);
  exchanges[0]!.send(file.subarray(ends[0]));
  await host.timers.advance(100);
  assert.deepEqual(events, ["0 shown", "300 animation found", "300 loaded", "400 loop"]);
});

test("a rotation change during a progressive load: the load starts again for the new orientation, and `shown` is not reported twice", async () => {
  for (const frameCaches of [2, 1] as const) {
    const { host, panel, display, events, show, exchanges } = setup({ frameCaches });
    // Frame n: the left half colour n, the right half grey (7), so a turn shows.
    const halves = (n: number) => (i: number) => (i % 8 < 4 ? n : 7);
    const file = solidGif(3, halves);
    show(post(1, "gif", { frameCount: 3 }));
    await host.timers.advance(0);
    exchanges[0]!.send(head(file.length));
    exchanges[0]!.send(file.subarray(0, gifFrameEnds(3, halves)[1]));
    await host.timers.advance(50);
    assert.equal(panel.timeline(16, 16)[0], "0 red", `${frameCaches} caches: frame 0 at 0°, left half red`);
    display.setRotation(180);
    await host.timers.advance(50);
    assert.equal(exchanges.length, 2, "the file is fetched again for the new orientation");
    const before = panel.pushes.length;
    exchanges[1]!.send(head(file.length));
    exchanges[1]!.send(file);
    await host.timers.advance(400);
    const turned = panel.timeline(47, 16).slice(before);
    assert.deepEqual(turned.slice(0, 4), ["100 red", "200 green", "300 blue", "400 red"], `${frameCaches} caches: drawn turned (left half now on the right), from frame 0`);
    assert.deepEqual(events.filter((event) => !event.endsWith("loop")), ["0 shown animated", "100 loaded"], `${frameCaches} caches`);
  }
});

test("one frame cache (small class): the old artwork stops, the new one's frames show as they decode, thinned to the budget, within one cache", async () => {
  const budget = 4 * FRAME_BYTES; // the small class: four 64×32 frames
  const { host, panel, pipeline, events, show, exchanges } = setup({ frameCaches: 1, frameBudgetBytes: budget });
  const first = solidGif(2);
  show(post(1, "gif", { frameCount: 2 }), "a");
  await host.timers.advance(0);
  exchanges[0]!.send(head(first.length));
  exchanges[0]!.send(first);
  await host.timers.advance(250);
  const file = solidGif(8);
  const ends = gifFrameEnds(8);
  show(post(2, "gif", { frameCount: 8 }), "b");
  const stoppedAt = panel.pushes.length;
  await host.timers.advance(0);
  exchanges[1]!.send(head(file.length));
  await host.timers.advance(300);
  assert.equal(panel.pushes.length, stoppedAt, "the old artwork stopped: its cache is lent to the new one");
  const cacheBytes: number[] = [];
  // One frame every 100 ms, from 550 ms.
  for (let n = 0; n < 8; n++) {
    exchanges[1]!.send(file.subarray(n === 0 ? 0 : ends[n - 1], n === 7 ? file.length : ends[n]));
    cacheBytes.push(pipeline.frameCacheBytes);
    await host.timers.advance(100);
    cacheBytes.push(pipeline.frameCacheBytes);
  }
  await host.timers.advance(1_000);
  assert.ok(Math.max(...cacheBytes) <= budget, `frame caches ${Math.max(...cacheBytes)} B over one budget of ${budget} B`);
  const timeline = panel.timeline().slice(stoppedAt, stoppedAt + 11);
  // Frames 0–3 fill the cache; frame 4 merges pairs (0+1, 2+3); 5 merges into 4, 7 into 6. The first pass
  // shows each kept frame when it is decoded; 5 lengthens 4, so 6 waits for it. Then 200 ms per kept frame.
  assert.deepEqual(timeline, [
    "550 red", "650 green", "750 blue", "850 white", "950 yellow", "1150 magenta",
    "1350 red", "1550 blue", "1750 yellow", "1950 magenta", "2150 red",
  ]);
  assert.deepEqual(events.filter((event) => event.includes("b ")), ["550 b shown animated", "1250 b loaded", "1350 b loop", "2150 b loop"]);
});
