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
  // Half the light of full green: sRGB ≈ 188 (not 128: the eye's response is not linear).
  assert.ok(data[1]! > 170 && data[1]! < 200, `green at 50 % shows as ${data[1]}`);
  panel.brightness = 100;
});
