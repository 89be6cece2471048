// `make demo DEMO_ARGS=--fresh` as a user meets it: the demo (a real child process) prints the panel
// page, the serial line and the demo website's Add device page; the provisioning CLI gives the device
// Wi-Fi over that line; the panel page in headless Chromium shows the registration code; the code is
// typed into the Add device page in the browser; the panel page then says the device plays and its
// LEDs change as art plays. Ctrl-C (SIGINT) stops everything: the demo exits 0 and its broker is gone.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.js";
import { waitFor } from "../support/wait.js";

const execFileAsync = promisify(execFile);
const demoScript = fileURLToPath(new URL("../../tools/demo.js", import.meta.url));
const cli = fileURLToPath(new URL("../../tools/provision.js", import.meta.url));
let demo: ChildProcess | undefined;
let browser: Browser | undefined;
let closeBrowser: (() => Promise<void>) | undefined;
/** The demo's broker, printed by the demo: killed here too when the demo had to be killed. */
let brokerPid = 0;

after(async () => {
  await closeBrowser?.();
  if (demo?.pid && demo.exitCode === null) {
    process.kill(demo.pid, "SIGKILL");
    if (brokerPid > 0 && alive(brokerPid)) process.kill(brokerPid, "SIGKILL");
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Runs in the page (no DOM types here).
const statusText = new Function('return document.getElementById("status").textContent;') as () => string;
const framesDrawn = new Function('return Number(document.getElementById("panel").dataset.frames);') as () => number;

test("make demo DEMO_ARGS=--fresh: Wi-Fi from the CLI, the code on the panel page, typed on the Add device page, then art; Ctrl-C leaves nothing", { timeout: 180_000 }, async () => {
  let output = "";
  demo = spawn(process.execPath, [demoScript, "--fresh", "--dwell", "2"], { stdio: ["ignore", "pipe", "pipe"] });
  demo.stdout!.on("data", (data: Buffer) => (output += data.toString()));
  demo.stderr!.on("data", (data: Buffer) => (output += data.toString()));
  const printed = (pattern: RegExp) => pattern.exec(output)?.[1];
  await waitFor("the demo's instructions", () => printed(/Add device page:\s+(\S+)/) !== undefined, 60_000, () => output);
  const panelUrl = printed(/Panel:\s+(\S+)/)!;
  const registerPage = printed(/Add device page:\s+(\S+)/)!;
  const provisionCommand = printed(/(make provision TCP=\S+ WIFI="[^"]+")/)!;
  const serial = /TCP=(\S+)/.exec(provisionCommand)![1]!;
  const wifi = /WIFI="([^"]+)"/.exec(provisionCommand)![1]!;
  brokerPid = Number(printed(/broker pid (\d+)/));
  assert.ok(brokerPid > 0 && alive(brokerPid));

  ({ browser, close: closeBrowser } = await launchBrowser());
  const panel = await browser.newPage();
  await panel.goto(panelUrl);
  const status = () => panel.evaluate(statusText);
  await waitForAsync("provisioning on the panel page", async () => (await status()).includes("provisioning"), 20_000, status);

  // What `make provision TCP=… WIFI=…` runs, as printed.
  const provisioned = await execFileAsync(process.execPath, [cli, "--tcp", serial, "--wifi", wifi], { timeout: 60_000 });
  assert.match(provisioned.stdout, /done/);

  await waitForAsync("a code on the panel page", async () => /code [A-Z0-9]{6}/.test(await status()), 30_000, status);
  const code = /code ([A-Z0-9]{6})/.exec(await status())![1]!;

  const website = await browser.newPage();
  await website.goto(registerPage);
  await website.fill("#code", code.toLowerCase());
  await website.fill("#name", "Browser panel");
  await website.click("button[type=submit]");
  await website.waitForSelector("#result.ok", { timeout: 20_000 });
  assert.match((await website.textContent("#result")) ?? "", /Added .Browser panel./);

  await waitForAsync("playing on the panel page", async () => (await status()).startsWith("playing"), 60_000, status);
  const frames = await panel.evaluate(framesDrawn);
  await waitForAsync("art drawn on the panel page", async () => (await panel.evaluate(framesDrawn)) > frames + 1, 30_000, status);

  const exited = new Promise<number | null>((resolve) => demo!.once("exit", (code) => resolve(code)));
  process.kill(demo.pid!, "SIGINT");
  assert.equal(await exited, 0, output.slice(-2000));
  await waitFor("the broker gone", () => !alive(brokerPid), 10_000);
});

async function waitForAsync(what: string, check: () => Promise<boolean>, timeoutMs: number, context: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${await context()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
