// The virtual panel page in headless Chromium: it draws what the panel shows as round LEDs, its buttons
// reach the control endpoint, and the snapshot endpoint returns the same picture as a PNG.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import type { Browser } from "playwright-core";
import { PanelEmulator } from "../../hosts/node/panel-emulator.js";
import { startPanelServer, type PanelControl, type PanelServer } from "../../hosts/node/panel-server.js";
import { launchBrowser } from "../support/browser.js";

const WIDTH = 64;
const HEIGHT = 32;

/** A frame of two vertical colour bands: easy to recognise in a screenshot. */
function bands(left: [number, number, number], right: [number, number, number]): Uint8Array {
  const frame = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) frame.set(x < WIDTH / 2 ? left : right, (y * WIDTH + x) * 3);
  }
  return frame;
}

const FIRST = bands([255, 0, 0], [0, 0, 255]);
const SECOND = bands([0, 255, 0], [255, 255, 0]);

let panel: PanelEmulator;
let server: PanelServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const controls: PanelControl[] = [];

before(async () => {
  panel = new PanelEmulator();
  panel.begin({ width: WIDTH, height: HEIGHT, colorDepth: 8 });
  panel.push(FIRST);
  server = await startPanelServer(panel, async (control) => {
    controls.push(control);
    if (control.action === "next") panel.push(SECOND);
  });
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  await server?.close();
});

// Runs in the page (no DOM types here): the canvas counts the frames it drew.
const framesDrawn = new Function("count", 'return Number(document.getElementById("panel").dataset.frames) >= count;') as (count: number) => boolean;

/** The colour at the centre of the LED at (x, y) in a screenshot of the canvas. */
async function ledColour(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const pitch = info.width / WIDTH;
  const px = Math.floor(x * pitch + pitch / 2);
  const py = Math.floor(y * pitch + pitch / 2);
  const at = (py * info.width + px) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

test("the page shows the panel's LEDs, and 'Next' changes them to the next artwork", async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(framesDrawn, 1);
  const canvas = page.locator("#panel");
  let shot = await canvas.screenshot();
  assert.deepEqual(await ledColour(shot, 5, 5), [255, 0, 0]);
  assert.deepEqual(await ledColour(shot, 60, 20), [0, 0, 255]);
  // Between LEDs the panel is dark, as on a real one.
  const { data, info } = await sharp(shot).raw().toBuffer({ resolveWithObject: true });
  const pitch = info.width / WIDTH;
  const gap = (Math.floor(pitch * 5 + pitch / 2) * info.width + Math.floor(pitch * 6)) * info.channels;
  assert.ok(data[gap]! < 40 && data[gap + 2]! < 40, "dark gap between LEDs");

  await page.click("#next");
  await page.waitForFunction(framesDrawn, 2);
  shot = await canvas.screenshot();
  assert.deepEqual(await ledColour(shot, 5, 5), [0, 255, 0]);
  assert.deepEqual(await ledColour(shot, 60, 20), [255, 255, 0]);
  assert.deepEqual(controls, [{ action: "next" }]);
  await page.close();
});

test("brightness goes through the panel's light model; snapshots are PNGs of what it shows", async () => {
  panel.brightness = 50;
  const response = await fetch(`${server.url}snapshot.png`);
  assert.equal(response.headers.get("content-type"), "image/png");
  const { data, info } = await sharp(Buffer.from(await response.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, WIDTH);
  assert.equal(info.height, HEIGHT);
  // Brightness scales lightness (CIE 1931): full green at 50 % has L* 50, Y 0.184, sRGB ≈ 118, which
  // looks half as bright (a linear half, Y 0.5, would show as sRGB 188).
  assert.ok(data[1]! > 108 && data[1]! < 128, `green at 50 % shows as ${data[1]}`);
  panel.brightness = 100;
});

/** sRGB byte → linear light 0..1 (the inverse of what the emulator shows). */
function linear(byte: number): number {
  const encoded = byte / 255;
  return encoded <= 0.04045 ? encoded / 12.92 : ((encoded + 0.055) / 1.055) ** 2.4;
}

/** Mean linear light of each channel over the 4x4 block at (0, 0) of a snapshot, in 8-bit levels, and each LED's. */
async function blockLevels(): Promise<{ levels: number[]; distinct: number; leds: number[][] }> {
  const response = await fetch(`${server.url}snapshot.png`);
  const { data, info } = await sharp(Buffer.from(await response.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
  const levels = [0, 0, 0];
  const seen = new Set<number>();
  const leds: number[][] = [];
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const at = (y * info.width + x) * info.channels;
      const led = [0, 1, 2].map((c) => linear(data[at + c]!) * 255);
      for (let c = 0; c < 3; c++) levels[c]! += led[c]! / 16;
      leds.push(led);
      seen.add(data[at]! * 65536 + data[at + 1]! * 256 + data[at + 2]!);
    }
  }
  return { levels, distinct: seen.size, leds };
}

test("the Dither switch turns on the driver's ordered dithering: a dim colour keeps its level on average", async () => {
  // A dim orange whose channels fall between levels: L* 11.8 / 7.1 / 2.4 → 3.50 / 1.99 / 0.66 levels.
  const ideal = [30, 18, 6].map((value) => {
    const lightness = (value / 255) * 100;
    return (lightness > 8 ? ((lightness + 16) / 116) ** 3 : lightness / 903.3) * 255;
  });
  const dim = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let i = 0; i < dim.length; i += 3) dim.set([30, 18, 6], i);
  panel.push(dim);
  const plain = await blockLevels();
  assert.equal(plain.distinct, 1, "without dithering every LED of a flat colour is the same");

  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(framesDrawn, 1);
  await page.check("#dither");
  await page.waitForFunction(framesDrawn, 2);
  assert.equal(panel.dither, true);
  const dithered = await blockLevels();
  assert.ok(dithered.distinct > 1, "with dithering the LEDs of a 4x4 block differ");
  const error = (shown: number[]) => shown.reduce((sum, level, c) => sum + Math.abs(level - ideal[c]!), 0);
  assert.ok(
    error(dithered.levels) < error(plain.levels) / 2,
    `block error with dithering ${error(dithered.levels).toFixed(3)} levels, without ${error(plain.levels).toFixed(3)}`,
  );
  // Pushed as a still, the driver alternates two phases every refresh: each LED's mean is closer to the
  // ideal than one push's (within half a level), and the block mean stays exact.
  panel.push(dim, true);
  await page.waitForFunction(framesDrawn, 3);
  const still = await blockLevels();
  const ledError = (shown: number[][]) => shown.reduce((sum, led) => sum + led.reduce((s, level, c) => s + Math.abs(level - ideal[c]!), 0), 0) / 48;
  assert.ok(
    ledError(still.leds) < ledError(dithered.leds) * 0.75,
    `per-LED error of a still ${ledError(still.leds).toFixed(3)} levels, one push ${ledError(dithered.leds).toFixed(3)}`,
  );
  assert.ok(error(still.levels) < error(plain.levels) / 2, `block error of a still ${error(still.levels).toFixed(3)} levels`);
  await page.uncheck("#dither");
  await page.waitForFunction(framesDrawn, 4);
  assert.equal(panel.dither, false);
  assert.deepEqual(controls, [{ action: "next" }], "the switch is the emulator's own: nothing reaches the device");
  await page.close();
});
