// The one-command virtual device demo (`make demo`): a local Mosquitto configured like the Makapix
// service (mTLS, ACL), the demo Makapix service with its generated catalogue and vault, and the player
// firmware on the Node host with the panel emulator. Prints the URL of the panel page, where the art
// plays and a control strip sends the website's real commands. Ctrl-C stops everything it started.
//
//   node build/tools/demo.js [--port N] [--panel 64x64|64x32|128x64|128x32]
//   node build/tools/demo.js --broker HOST:PORT --ca ca.pem --cert cert.pem --key key.pem [--vault URL]
//        the virtual device on a real broker with real credentials (player key = certificate CN);
//        the page's controls then act on the device directly.
//   node build/tools/demo.js --fresh [--data DIR] [--serial-port N] [--panel-drive driver=fm6126a,scan=8,clockPhase=true,clockHz=10000000]
//        a new device against the local demo service: Wi-Fi over serial, a code, registration, art;
//        --panel-drive gives the emulated panel its own electronics, for the panel wizard to find
//   node build/tools/demo.js --register https://makapix.club/api [--data DIR]
//        the virtual device as a player of a real service: it shows a code to type on its website

import { randomUUID, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { NodeLog } from "../hosts/node/host.js";
import { startPanelServer, type PanelControl, type PanelServer } from "../hosts/node/panel-server.js";
import { createVirtualDevice, type VirtualDevice } from "../hosts/node/virtual-device.js";
import { readPanelConfig, type PanelSize } from "../src/device/config.js";
import { readPanelDrive } from "../src/device/panel-drive.js";
import type { PanelDrive } from "../src/ports.js";
import { redactKey } from "../src/makapix/topics.js";
import { sendAsWebsite } from "./demo-controls.js";
import { startFirmwareDemo, type FirmwareDemo } from "./demo-firmware.js";
import type { DemoService } from "./demo-service/service.js";
import { startServiceOn } from "./demo-stack.js";
import { startBroker, type TestBroker } from "./local-broker.js";

const PRODUCTION_VAULT = "https://vault.makapix.club";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

interface Target {
  host: string;
  port: number;
  tls: { ca: string; certificate: string; key: string };
  playerKey: string;
  vault: { url: string; ca?: string };
}

function realBrokerTarget(address: string): Target {
  const [host, port] = address.split(":");
  const paths = { ca: argument("ca"), cert: argument("cert"), key: argument("key") };
  if (!host || !port || !paths.ca || !paths.cert || !paths.key) throw new Error("--broker HOST:PORT needs --ca, --cert and --key (PEM files)");
  const certificate = readFileSync(paths.cert, "utf8");
  const playerKey = /CN=([0-9a-f-]{36})/.exec(new X509Certificate(certificate).subject)?.[1];
  if (!playerKey) throw new Error("the certificate's CN is not a player key");
  const tls = { ca: readFileSync(paths.ca, "utf8"), certificate, key: readFileSync(paths.key, "utf8") };
  return { host, port: Number(port), tls, playerKey, vault: { url: argument("vault") ?? PRODUCTION_VAULT } };
}

/** Without a demo service (a real broker), the page drives the device's controls directly. */
async function actLocally(device: VirtualDevice, control: PanelControl): Promise<void> {
  // The player's own controls: what the website's commands do, presence updates included.
  const { controls, api } = device.player;
  switch (control.action) {
    case "next":
      return controls.step(1);
    case "back":
      return controls.step(-1);
    case "pause":
      return controls.setPaused(control.paused === true);
    case "brightness":
      return controls.setBrightness(control.value ?? 100);
    case "channel": {
      const name = control.channel ?? "promoted";
      if (name === "hashtag") return controls.playChannel({ name, hashtag: control.argument ?? "" });
      if (name === "by_user") return controls.playChannel({ name, userHandle: control.argument ?? "" });
      return controls.playChannel({ name: name as "promoted" });
    }
    case "show": {
      const post = await api.getPost(control.postId ?? 0);
      if (post.kind !== "artwork") throw new Error(`post ${post.postId} is a playlist`);
      return controls.showArtwork({ postId: post.postId, storageKey: post.storageKey, storageShard: post.storageShard ?? "", nativeFormat: post.nativeFormat ?? "png" });
    }
  }
}

async function main(): Promise<void> {
  const panelSize = (argument("panel") ?? "64x64") as PanelSize;
  // Checked before anything starts, so a typo leaves no broker behind.
  readPanelConfig({ panel: { size: panelSize }, memoryClass: "large" });
  let broker: TestBroker | undefined;
  let service: DemoService | undefined;
  let target: Target;
  const address = argument("broker");
  const fresh = process.argv.includes("--fresh");
  const registerUrl = argument("register");
  if (fresh || registerUrl) return firmwareMode(panelSize, fresh, registerUrl);
  if (address) {
    target = realBrokerTarget(address);
  } else {
    console.log("[demo] starting Mosquitto with a fresh dev CA (mTLS listener for players, password listener for the service)…");
    broker = await startBroker();
    console.log(`[demo] broker pid ${String(broker.pid)}: players on localhost:${broker.playerPort} (mTLS)`);
    service = await startServiceOn(broker, { controlPort: false, log: (line) => console.log(line) });
    const playerKey = randomUUID();
    target = { host: "localhost", port: broker.playerPort, tls: broker.issuePlayer(playerKey), playerKey, vault: { url: service.vaultUrls.https, ca: broker.caPem } };
    console.log(`[demo] demo service up: ${service.catalogue.posts.length} posts, vault ${service.vaultUrls.https}`);
  }

  const key = target.playerKey;
  const device = createVirtualDevice({
    playerKey: key,
    broker: { host: target.host, port: target.port },
    tls: target.tls,
    vault: target.vault,
    panelSize,
    initialChannel: { name: "promoted" },
    scheduler: { dwellOverrideMs: Number(argument("dwell") ?? 10) * 1000 },
    log: new NodeLog("info", (line) => console.log(`[device] ${line}`)),
  });
  const liveService = service;
  const panelServer: PanelServer = await startPanelServer(
    device.panel,
    async (control) => {
      if (liveService) await sendAsWebsite(liveService, key, control);
      else await actLocally(device, control);
    },
    Number(argument("port") ?? 0),
  );
  device.player.observe({
    sessionChanged: (state, error) => panelServer.setStatus({ session: state, message: error ? `${error.kind}: ${error.message}` : "" }),
  });
  device.player.scheduler.observe({ artworkShown: (artwork) => panelServer.setStatus({ post: artwork.postId }) });
  device.start();
  console.log(`[demo] virtual device ${redactKey(key)} connecting to ${target.host}:${target.port}`);
  console.log(`\n  Panel: ${panelServer.url}\n`);

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log("\n[demo] stopping: offline status, DISCONNECT, panel page, service, broker");
    void (async () => {
      await device.stop();
      await panelServer.close();
      await service?.stop();
      await broker?.stop();
      process.exit(0);
    })();
  };
  // Ctrl-C, a closed terminal or a service manager's stop all end the same way: nothing left running.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, shutdown);
}

/** "driver=fm6126a,scan=8,clockPhase=true,clockHz=10000000" → a checked PanelDrive. */
function parsePanelDrive(text: string): PanelDrive {
  const fields: Record<string, unknown> = {};
  for (const pair of text.split(",")) {
    const [key, value] = pair.split("=");
    if (!key || value === undefined) throw new Error(`--panel-drive: "${pair}" is not key=value`);
    fields[key.trim()] = value === "true" ? true : value === "false" ? false : /^\d+$/.test(value) ? Number(value) : value.trim();
  }
  return readPanelDrive(fields, "--panel-drive");
}

/** --fresh / --register: the whole firmware from first boot (tools/demo-firmware.ts). */
async function firmwareMode(panelSize: PanelSize, fresh: boolean, registerUrl: string | undefined): Promise<void> {
  if (fresh && registerUrl) throw new Error("--fresh uses the local demo service and --register a real one: pick one");
  const drive = argument("panel-drive");
  const panelDrive = drive === undefined ? undefined : parsePanelDrive(drive);
  let broker: TestBroker | undefined;
  let service: DemoService | undefined;
  if (fresh) {
    console.log("[demo] starting Mosquitto with a fresh dev CA and the demo service (the device registers with it)…");
    broker = await startBroker();
    console.log(`[demo] broker pid ${String(broker.pid)}: players on localhost:${broker.playerPort} (mTLS)`);
    service = await startServiceOn(broker, { controlPort: false, log: (line) => console.log(line) });
  }
  let demo: FirmwareDemo | undefined;
  const shutdown = () => {
    console.log("\n[demo] stopping: device, panel page, service, broker");
    void (async () => {
      await demo?.stop();
      await service?.stop();
      await broker?.stop();
      process.exit(0);
    })();
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, shutdown);
  try {
    demo = await startFirmwareDemo({
      panelSize,
      service,
      ...(registerUrl ? { apiUrl: registerUrl } : {}),
      dataDirectory: argument("data") ?? (registerUrl ? ".tmp/virtual-player" : undefined),
      panelPort: Number(argument("port") ?? 0),
      serialPort: Number(argument("serial-port") ?? 0),
      dwellSeconds: Number(argument("dwell") ?? 10),
      ...(broker ? { localBroker: { host: "localhost", port: broker.playerPort } } : {}),
      ...(panelDrive ? { panelElectronics: panelDrive } : {}),
    });
  } catch (error) {
    await service?.stop();
    await broker?.stop();
    throw error;
  }
}

main().catch((error: Error) => {
  console.error(`[demo] ${error.message}`);
  process.exit(1);
});
