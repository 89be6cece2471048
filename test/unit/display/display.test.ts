// The display: status screens follow the panel's mounting (rotation, mirror), and playback stops.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Display } from "../../../src/display/display.js";
import { FrameCache } from "../../../src/display/frame-cache.js";
import type { PanelConfig, PixelPush, RefreshStats } from "../../../src/ports.js";
import { createVirtualHost } from "../../support/virtual-host.js";

class LastFramePanel implements PixelPush {
  config: PanelConfig | undefined;
  last = new Uint8Array(0);
  pushes = 0;
  brightness = 0;
  readonly stats: RefreshStats = { framesPushed: 0, refreshHz: 0 };
  begin(config: PanelConfig): void {
    this.config = config;
  }
  push(frame: Uint8Array): void {
    this.last = frame.slice();
    this.pushes++;
  }
}

function lit(frame: Uint8Array, width: number, x: number, y: number): boolean {
  const at = (y * width + x) * 3;
  return (frame[at]! | frame[at + 1]! | frame[at + 2]!) !== 0;
}

test("a status screen is drawn upright for the panel's rotation and mirror", () => {
  const host = createVirtualHost(1);
  const now = () => host.clock.monotonicMs();
  const upright = new LastFramePanel();
  new Display(upright, host.timers, now, { geometry: { width: 64, height: 32, rotation: 0, mirror: false } }).showStatus("LEFT TEXT");
  for (const [rotation, mirror, map] of [
    [180, false, (x: number, y: number) => [63 - x, 31 - y]],
    [0, true, (x: number, y: number) => [63 - x, y]],
  ] as const) {
    const turned = new LastFramePanel();
    new Display(turned, host.timers, now, { geometry: { width: 64, height: 32, rotation, mirror } }).showStatus("LEFT TEXT");
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 64; x++) {
        const [tx, ty] = map(x, y);
        assert.equal(lit(turned.last, 64, tx!, ty!), lit(upright.last, 64, x, y), `rotation ${rotation} mirror ${mirror} at ${x},${y}`);
      }
    }
  }
  const sideways = new LastFramePanel();
  new Display(sideways, host.timers, now, { geometry: { width: 64, height: 32, rotation: 90, mirror: false } }).showStatus("HI");
  assert.ok(sideways.last.some((byte) => byte !== 0), "a 90° panel shows the text too (32 wide, 64 tall)");
});

test("stop() halts an animation on its current frame with no timer left", async () => {
  const host = createVirtualHost(1);
  const panel = new LastFramePanel();
  const display = new Display(panel, host.timers, () => host.clock.monotonicMs(), { geometry: { width: 8, height: 8, rotation: 0, mirror: false } });
  const cache = new FrameCache(8 * 8 * 3, 1 << 16);
  cache.add(new Uint8Array(192).fill(1), 100);
  cache.add(new Uint8Array(192).fill(2), 100);
  cache.markComplete();
  let loops = 0;
  display.play(cache, { loopCompleted: () => loops++ });
  await host.timers.advance(450);
  assert.equal(loops, 2);
  display.stop();
  const pushes = panel.pushes;
  await host.timers.advance(1_000);
  assert.equal(panel.pushes, pushes);
  assert.equal(host.timers.pending, 0);
  assert.equal(display.playing, false);
});

test("a geometry listener that was removed hears no more changes (a display outlives its pipelines)", () => {
  const host = createVirtualHost(1);
  const display = new Display(new LastFramePanel(), host.timers, () => host.clock.monotonicMs(), { geometry: { width: 8, height: 8, rotation: 0, mirror: false } });
  const heard: string[] = [];
  const removeFirst = display.onGeometryChange(() => heard.push("first"));
  display.onGeometryChange(() => heard.push("second"));
  display.setRotation(90);
  removeFirst();
  removeFirst();
  display.setMirror("horizontal");
  assert.deepEqual(heard, ["first", "second", "second"]);
});

/** A 2×2 display's frames, pushed with the time they reached the panel; frame n is filled with n. */
function timedDisplay(budgetFrames = 16) {
  const host = createVirtualHost(1);
  /** Time that passes without timers firing: a long decoder call on the device. */
  const busy = { ms: 0 };
  const pushes: string[] = [];
  const panel = new LastFramePanel();
  const recording: PixelPush = {
    begin: (config) => panel.begin(config),
    push: (frame, still) => {
      panel.push(frame);
      pushes.push(`${host.clock.monotonicMs() + busy.ms} ${frame[0]}${still ? " still" : ""}`);
    },
    get brightness() {
      return panel.brightness;
    },
    set brightness(value: number) {
      panel.brightness = value;
    },
    stats: panel.stats,
  };
  const display = new Display(recording, host.timers, () => host.clock.monotonicMs() + busy.ms, { geometry: { width: 2, height: 2, rotation: 0, mirror: false } });
  const cache = new FrameCache(12, budgetFrames * 12);
  const add = (n: number, delayMs = 100) => {
    const buffer = cache.bufferForNextFrame();
    if (buffer) buffer.fill(n);
    cache.add(buffer ?? new Uint8Array(0), delayMs);
    display.framesChanged(cache);
  };
  return { host, display, cache, pushes, add, busy };
}

test("a cache still filling: playback holds the last frame, shows the next the moment it is added, and loops only once the cache is complete", async () => {
  const { host, display, cache, pushes, add } = timedDisplay();
  let loops = 0;
  add(1);
  display.play(cache, { loopCompleted: () => loops++ });
  await host.timers.advance(40);
  add(2); // early: due at 100
  await host.timers.advance(260); // frame 2 had its time at 200; nothing follows yet
  assert.equal(host.timers.pending, 0, "waiting for a frame sets no timer");
  add(3); // late: shown at once
  await host.timers.advance(100);
  assert.equal(loops, 0, "the end of the frames so far is not the end of a loop");
  cache.markComplete();
  display.framesChanged(cache);
  await host.timers.advance(299);
  assert.deepEqual(pushes, ["0 1", "100 2", "300 3", "400 1", "500 2", "600 3"]);
  assert.equal(loops, 1);
});

test("frames merged into the frame on the panel (the budget is full) lengthen its time", async () => {
  const { host, display, cache, pushes, add } = timedDisplay(3);
  add(1);
  add(2);
  add(3);
  display.play(cache, { loopCompleted: () => undefined });
  await host.timers.advance(250);
  add(4); // full: 1 and 2 merge; 4 merges into 3, on the panel since 200: it now lasts 200 ms
  add(5);
  await host.timers.advance(149);
  assert.deepEqual(pushes, ["0 1", "100 2", "200 3"]);
  await host.timers.advance(1);
  assert.deepEqual(pushes, ["0 1", "100 2", "200 3", "400 5"]);
});

test("a frame on the panel merged into its predecessor (the budget is full) still gets the time it was shown with", async () => {
  const { host, display, cache, pushes, add } = timedDisplay(2);
  add(1);
  add(2);
  display.play(cache, { loopCompleted: () => undefined });
  await host.timers.advance(150);
  add(3); // full: 2, on the panel since 100, merges into 1; 3 is kept
  await host.timers.advance(49);
  assert.deepEqual(pushes, ["0 1", "100 2"]);
  await host.timers.advance(1);
  assert.deepEqual(pushes, ["0 1", "100 2", "200 3"]);
});

test("a frame decoded inside a long decoder call, after the frame on the panel was due, is shown at once (the due timer cannot fire until the call returns)", async () => {
  const { host, display, cache, pushes, add, busy } = timedDisplay();
  add(1);
  display.play(cache, { loopCompleted: () => undefined });
  await host.timers.advance(50);
  busy.ms = 120; // the decoder has been running since 50 ms: it is 170 ms, frame 1 was due at 100
  add(2);
  assert.deepEqual(pushes, ["0 1", "170 2"]);
  busy.ms = 0;
});

test("pause while waiting for a frame: a frame added meanwhile is shown on resume, with the pause not counted", async () => {
  const { host, display, cache, pushes, add } = timedDisplay();
  add(1);
  display.play(cache, { loopCompleted: () => undefined });
  add(2);
  await host.timers.advance(150);
  display.setPaused(true);
  await host.timers.advance(1_000);
  add(3);
  await host.timers.advance(1_000);
  // Paused, the frame on the panel stays: pushed again once, as a still (docs/hub75.md, temporal dithering).
  assert.deepEqual(pushes, ["0 1", "100 2", "150 2 still"]);
  display.setPaused(false); // frame 2 had 50 of its 100 ms before the pause
  await host.timers.advance(49);
  assert.deepEqual(pushes, ["0 1", "100 2", "150 2 still"]);
  await host.timers.advance(1);
  assert.deepEqual(pushes, ["0 1", "100 2", "150 2 still", "2200 3"]);
});

test("a file's plays used up: the last frame stays, and a pause and resume report no further loop", async () => {
  const { host, display, cache, pushes, add } = timedDisplay();
  add(1);
  add(2);
  cache.loopCount = 1;
  cache.markComplete();
  let loops = 0;
  display.play(cache, { loopCompleted: () => loops++ });
  await host.timers.advance(500);
  display.setPaused(true);
  display.setPaused(false);
  await host.timers.advance(500);
  // The last frame stays, pushed again as a still once its time is up (not again for the pause).
  assert.deepEqual(pushes, ["0 1", "100 2", "200 2 still"]);
  assert.equal(loops, 1);
  assert.equal(host.timers.pending, 0);
});

test("stills: a single-frame artwork, a frame shown a second or more and a status screen go out as stills; animation frames do not", async () => {
  const { host, display, cache, pushes, add } = timedDisplay();
  add(1, 0);
  cache.markComplete();
  display.play(cache, { loopCompleted: () => undefined });
  await host.timers.advance(5_000);
  assert.deepEqual(pushes, ["0 1 still"], "a complete single frame is a still from its first push, pushed once");
  const animation = new FrameCache(12, 16 * 12);
  for (const [n, delayMs] of [[1, 100], [2, 999], [3, 1000]] as const) {
    const buffer = animation.bufferForNextFrame()!;
    buffer.fill(n);
    animation.add(buffer, delayMs);
  }
  animation.markComplete();
  pushes.length = 0;
  display.play(animation, { loopCompleted: () => undefined });
  await host.timers.advance(2_100);
  assert.deepEqual(pushes, ["5000 1", "5100 2", "6099 3 still", "7099 1"]);
  const panelPushes: boolean[] = [];
  const statusPanel: PixelPush = {
    begin: () => undefined,
    push: (_frame, still) => void panelPushes.push(still === true),
    brightness: 0,
    stats: { framesPushed: 0, refreshHz: 0 },
  };
  new Display(statusPanel, host.timers, () => host.clock.monotonicMs(), { geometry: { width: 8, height: 8, rotation: 0, mirror: false } }).showStatus("HI");
  assert.deepEqual(panelPushes, [true]);
});

test("stills: a single frame still decoding goes out as an animation frame, then again as a still once the file is complete", async () => {
  const { host, display, cache, pushes, add } = timedDisplay();
  add(1);
  display.play(cache, { loopCompleted: () => undefined });
  await host.timers.advance(300);
  assert.deepEqual(pushes, ["0 1"]);
  cache.markComplete();
  display.framesChanged(cache);
  display.framesChanged(cache);
  await host.timers.advance(1_000);
  assert.deepEqual(pushes, ["0 1", "300 1 still"]);
  display.setPaused(true);
  assert.deepEqual(pushes, ["0 1", "300 1 still"], "already a still: a pause pushes nothing");
});
