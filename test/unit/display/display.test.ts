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
