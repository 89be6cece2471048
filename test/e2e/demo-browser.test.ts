// The demo as a user meets it: the panel page in headless Chromium, fed by the virtual device, which is
// connected over mTLS to Mosquitto and the demo service. Clicking "Next" sends swap_next through the
// service; the screenshot must then show the next artwork — checked against sharp's own decoding of
// that artwork's file from the vault, scaled to the panel by nearest neighbour.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import sharp from "sharp";
import type { Browser } from "playwright-core";
import { NodeLog } from "../../hosts/node/host.js";
import { startPanelServer, type PanelServer } from "../../hosts/node/panel-server.js";
import { createVirtualDevice, type VirtualDevice } from "../../hosts/node/virtual-device.js";
import type { ArtworkPost } from "../../tools/demo-service/catalogue-data.js";
import { sendAsWebsite } from "../../tools/demo-controls.js";
import type { DemoService } from "../../tools/demo-service/service.js";
import { startServiceOn } from "../../tools/demo-stack.js";
import { expectedPanel } from "../support/vault-reference.js";
import { waitFor } from "../support/wait.js";
import { startBroker, type TestBroker } from "../../tools/local-broker.js";
import { launchBrowser } from "../support/browser.js";

const SIZE = 64;
let broker: TestBroker;
let service: DemoService;
let device: VirtualDevice;
let panelServer: PanelServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let hashtag: string;
const key = randomUUID();

before(async () => {
  broker = await startBroker();
  service = await startServiceOn(broker, {
    controlPort: false,
  });
  // A hashtag whose public artworks are all opaque stills: a screenshot then has one right answer.
  const stills = (tag: string) =>
    service.catalogue.posts.filter((post): post is ArtworkPost => post.kind === "artwork" && post.visibility === "public" && post.hashtags.includes(tag));
  hashtag = ["landscape", "pattern", "sprites"].find((tag) => stills(tag).length >= 2 && stills(tag).every((post) => post.frameCount === 1 && !post.alphaActual && !post.transparencyActual))!;
  assert.ok(hashtag, "the demo catalogue has a hashtag of opaque stills");
  device = createVirtualDevice({
    playerKey: key,
    broker: { host: "localhost", port: broker.playerPort },
    tls: broker.issuePlayer(key),
    vault: { url: service.vaultUrls.https, ca: broker.caPem },
    panelSize: "64x64",
    initialChannel: { name: "hashtag", hashtag },
    // Nothing moves on by itself during the test: only the click does.
    scheduler: { dwellOverrideMs: 600_000 },
    log: new NodeLog("warn", () => undefined),
  });
  device.display.setBrightness(100);
  panelServer = await startPanelServer(device.panel, (control) => sendAsWebsite(service, key, control));
  device.start();
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  await device?.stop();
  await panelServer?.close();
  await service?.stop();
  await broker?.stop();
});

// Runs in the page (no DOM types here): the canvas counts the frames it drew.
const framesDrawn = new Function("count", 'return Number(document.getElementById("panel").dataset.frames) >= count;') as (count: number) => boolean;

/** LED centre colours of a canvas screenshot. */
async function ledColours(png: Buffer): Promise<Uint8Array> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const pitch = info.width / SIZE;
  const out = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const at = (Math.floor(y * pitch + pitch / 2) * info.width + Math.floor(x * pitch + pitch / 2)) * info.channels;
      out.set(data.subarray(at, at + 3), (y * SIZE + x) * 3);
    }
  }
  return out;
}

function differingLeds(a: Uint8Array, b: Uint8Array, tolerance: number): number {
  let count = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (Math.abs(a[i]! - b[i]!) > tolerance || Math.abs(a[i + 1]! - b[i + 1]!) > tolerance || Math.abs(a[i + 2]! - b[i + 2]!) > tolerance) count++;
  }
  return count;
}

test("clicking Next on the panel page shows the next artwork of the channel", async () => {
  const posts = () => device.player.scheduler.current?.postId;
  await waitFor("the first artwork", () => posts() !== undefined && device.panel.stats.framesPushed >= 2);
  const first = posts()!;
  const page = await browser.newPage();
  await page.goto(panelServer.url);
  const canvas = page.locator("#panel");
  await page.waitForFunction(framesDrawn, 1);

  await page.click("#next");
  await waitFor("swap_next to reach the device", () => posts() !== first);
  const second = service.catalogue.posts.find((post): post is ArtworkPost => post.kind === "artwork" && post.postId === posts())!;
  assert.ok(second.hashtags.includes(hashtag), "the next artwork comes from the same channel");

  // 1. The firmware's panel frame equals an independent decoding of the artwork file.
  const expected = await expectedPanel(service, second, SIZE);
  await waitFor("the panel frame of the new artwork", () => differingLeds(device.panel.lastFrame, expected, 0) === 0, 10_000);

  // 2. The page shows what the panel shows (after the panel's light model).
  await page.waitForTimeout(300);
  const shot = await canvas.screenshot();
  const leds = await ledColours(shot);
  // An unlit LED is drawn dark grey (#141414), so it still reads as an LED against the black panel.
  const shown = device.panel.shownFrame.slice();
  for (let i = 0; i < shown.length; i += 3) if ((shown[i]! | shown[i + 1]! | shown[i + 2]!) === 0) shown.fill(0x14, i, i + 3);
  const wrong = differingLeds(leds, shown, 2);
  assert.equal(wrong, 0, `${wrong} of ${SIZE * SIZE} LEDs on the page differ from the panel`);
  const command = service.commands(key).find((sent) => sent.commandType === "swap_next");
  assert.equal(command?.ack?.status, "ok");
  await page.close();
});
