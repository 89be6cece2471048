// The panel wizard on its own: which candidates it offers for each panel, what it sets the panel up with
// and shows for each (the test pattern, labelled), and how it ends — confirmed, skipped, cancelled,
// timed out, a candidate the driver refuses, a store that fails.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PanelWizard, scanCandidates, wizardSteps, type WizardOutcome } from "../../../src/device/panel-wizard.js";
import { drawTestPattern, CORNER_COLORS } from "../../../src/display/test-patterns.js";
import type { PanelConfig, PanelDrive, PixelPush, RefreshStats } from "../../../src/ports.js";
import { createVirtualHost } from "../../support/virtual-host.js";

/** Records every begin and frame; `refuse(drive)` makes begin throw as a driver would. */
class WizardPanel implements PixelPush {
  readonly begins: PanelConfig[] = [];
  readonly frames: Uint8Array[] = [];
  brightness = -1;
  refuse: ((drive: PanelDrive | undefined) => string | undefined) | undefined;
  readonly stats: RefreshStats = { framesPushed: 0, refreshHz: 0 };
  begin(config: PanelConfig): void {
    const reason = this.refuse?.(config.drive);
    if (reason) throw new RangeError(reason);
    this.begins.push(config);
  }
  push(frame: Uint8Array): void {
    this.frames.push(frame.slice());
  }
  get drive(): PanelDrive | undefined {
    return this.begins.at(-1)?.drive;
  }
}

function setUp(options: { drive?: PanelDrive; height?: number; idleTimeoutMs?: number; finished?: (outcome: WizardOutcome) => void } = {}) {
  const host = createVirtualHost(1);
  const panel = new WizardPanel();
  const outcomes: WizardOutcome[] = [];
  const height = options.height ?? 32;
  const wizard = new PanelWizard({
    panel,
    timers: host.timers,
    config: { width: 64, height, colorDepth: 8, ...(options.drive ? { drive: options.drive } : {}) },
    brightness: 40,
    ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    finished: (outcome) => {
      outcomes.push(outcome);
      options.finished?.(outcome);
    },
  });
  return { host, panel, wizard, outcomes, height };
}

function expectedFrame(height: number, pattern: "bars" | "rows" | "stripes" | "sweep", label: string, tick = 0): Uint8Array {
  const frame = new Uint8Array(64 * height * 3);
  drawTestPattern(frame, 64, height, pattern, label, tick);
  return frame;
}

function pixel(frame: Uint8Array, width: number, x: number, y: number): number {
  const at = (y * width + x) * 3;
  return (frame[at]! << 16) | (frame[at + 1]! << 8) | frame[at + 2]!;
}

test("the steps: driver, scan, clock phase, clock speed; the scans a panel's height allows", () => {
  const steps = wizardSteps(32);
  assert.deepEqual(steps.map((s) => s.name), ["driver", "scan", "clockPhase", "clockHz"]);
  assert.deepEqual(steps[0]!.candidates.map((c) => c.drive.driver), ["shiftreg", "fm6126a", "fm6124", "mbi5124", "dp3246"]);
  assert.deepEqual(scanCandidates(16).map((c) => c.label), ["1/8", "1/4"]);
  assert.deepEqual(scanCandidates(32).map((c) => c.drive.scan), [16, 8, 4]);
  assert.deepEqual(scanCandidates(64).map((c) => c.drive.scan), [32, 16, 8]);
  assert.deepEqual(steps[3]!.candidates.map((c) => c.drive.clockHz), [20_000_000, 16_000_000, 10_000_000, 8_000_000]);
  assert.deepEqual(steps[3]!.candidates.map((c) => c.label), ["20MHZ", "16MHZ", "10MHZ", "8MHZ"].map((l) => l.replace("MHZ", "MHz")));
});

test("each candidate sets the panel up with its drive and shows the step's pattern, labelled", async () => {
  const r = setUp({ drive: { layout: "row" } });
  r.wizard.start();
  assert.deepEqual(r.panel.drive, { layout: "row", driver: "shiftreg" });
  assert.equal(r.panel.brightness, 40);
  assert.deepEqual(r.panel.frames.at(-1), expectedFrame(32, "bars", "1/5 PLAIN"));
  assert.equal(pixel(r.panel.frames.at(-1)!, 64, 0, 20), 0xffffff, "a white bar at the left");
  r.wizard.act("next");
  assert.deepEqual(r.panel.drive, { layout: "row", driver: "fm6126a" });
  assert.deepEqual(r.panel.frames.at(-1), expectedFrame(32, "bars", "2/5 FM6126A"));
  r.wizard.act("confirm");
  const status = r.wizard.status();
  assert.equal(status.step, "scan");
  assert.equal(status.candidate, "1/16");
  assert.deepEqual(r.panel.drive, { layout: "row", driver: "fm6126a", scan: 16 });
  const rows = r.panel.frames.at(-1)!;
  assert.deepEqual(rows, expectedFrame(32, "rows", "1/3 1/16"));
  assert.equal(pixel(rows, 64, 0, 0), CORNER_COLORS.topLeft);
  assert.equal(pixel(rows, 64, 63, 31), CORNER_COLORS.bottomRight);
  assert.equal(pixel(rows, 64, 32, 0), 0xffffff, "the frame's top edge");
  assert.equal(pixel(rows, 64, 32, 31), 0xffffff, "the frame's bottom edge");
  r.wizard.act("next");
  r.wizard.act("next");
  r.wizard.act("next");
  assert.equal(r.wizard.status().candidate, "1/16", "candidates wrap around");
  r.wizard.act("cancel");
  await r.host.timers.advance(1);
});

test("confirming every step stores the drive found; skipping a step keeps what was set", async () => {
  const r = setUp({ drive: { clockHz: 13_000_000, latchBlanking: 2 } });
  r.wizard.start();
  r.wizard.act("next"); // FM6126A
  r.wizard.act("confirm");
  r.wizard.act("next"); // 1/8: a four-scan 64×32 outdoor panel
  r.wizard.act("confirm");
  r.wizard.act("next"); // rising edge
  r.wizard.act("confirm");
  assert.equal(r.wizard.status().step, "clockHz");
  // The sweep moves: a frame every 100 ms, each one pixel on.
  const before = r.panel.frames.length;
  await r.host.timers.advance(300);
  assert.equal(r.panel.frames.length, before + 3);
  assert.deepEqual(r.panel.frames.at(-1), expectedFrame(32, "sweep", "1/4 20MHz", 3));
  r.wizard.act("skip");
  assert.deepEqual(r.outcomes, [{ state: "saved", drive: { clockHz: 13_000_000, latchBlanking: 2, driver: "fm6126a", scan: 8, clockPhase: true } }]);
  assert.equal(r.wizard.status().state, "saved");
  assert.equal(r.wizard.running, false);
  assert.equal(r.host.timers.pending, 0, "no animation or idle timer after the end");
  const frames = r.panel.frames.length;
  r.wizard.act("next");
  assert.equal(r.panel.frames.length, frames, "an ended wizard ignores actions");
});

test("it starts at the candidate the panel runs with, so an immediate confirm keeps it", () => {
  const r = setUp({ drive: { driver: "dp3246", scan: 8, clockPhase: true, clockHz: 8_000_000 } });
  r.wizard.start();
  assert.equal(r.wizard.status().candidate, "DP3246");
  for (let i = 0; i < 4; i++) r.wizard.act("confirm");
  assert.deepEqual(r.outcomes[0]!.drive, { driver: "dp3246", scan: 8, clockPhase: true, clockHz: 8_000_000 });
});

test("cancel and the idle timeout end it with nothing to store; an action restarts the idle time", async () => {
  const cancelled = setUp();
  cancelled.wizard.start();
  cancelled.wizard.act("confirm");
  cancelled.wizard.act("cancel");
  assert.deepEqual(cancelled.outcomes.map((o) => o.state), ["cancelled"]);
  assert.deepEqual(cancelled.outcomes[0]!.drive, { driver: "shiftreg" }, "what was confirmed so far, for the record; the owner stores nothing");
  assert.equal(cancelled.host.timers.pending, 0);

  const idle = setUp({ idleTimeoutMs: 10_000 });
  idle.wizard.start();
  await idle.host.timers.advance(9_000);
  idle.wizard.act("next");
  await idle.host.timers.advance(9_000);
  assert.equal(idle.wizard.status().state, "running", "the action restarted the idle time");
  await idle.host.timers.advance(1_000);
  assert.deepEqual(idle.outcomes.map((o) => o.state), ["timed out"]);
  assert.equal(idle.host.timers.pending, 0);
});

test("a candidate the driver refuses is reported and passed over; a failed store makes the wizard 'failed'", () => {
  const r = setUp({
    finished: () => {
      throw new Error("nvs set fail");
    },
  });
  r.panel.refuse = (drive) => (drive?.driver === "fm6124" ? "out of DMA memory" : undefined);
  r.wizard.start();
  r.wizard.act("next");
  r.wizard.act("next");
  const status = r.wizard.status();
  assert.equal(status.candidate, "FM6124");
  assert.equal(status.problem, "FM6124: out of DMA memory");
  r.wizard.act("next");
  assert.equal(r.wizard.status().problem, undefined);
  for (let i = 0; i < 4; i++) r.wizard.act("confirm");
  const end = r.wizard.status();
  assert.equal(end.state, "failed");
  assert.equal(end.problem, "not saved: nvs set fail");
});
