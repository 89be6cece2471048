// The demo's first-boot modes: the virtual device runs the whole firmware (src/device/player-firmware.ts,
// as the ESP32 app does) instead of starting with credentials in hand.
//   --fresh            a new device against the local demo service: it asks for Wi-Fi over its serial
//                      line (give it with `make provision`), shows a registration code on the panel, and
//                      plays once the code is typed on the demo website's "Add device" page.
//   --register URL     a player of a real Makapix service (e.g. https://makapix.club/api): it shows a code
//                      to type on that website, then plays its art. Trusts the PC's root CAs, as a board
//                      trusts the ones in its build. Its settings stay in --data DIR (default
//                      .tmp/virtual-player) so it stays registered across runs.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { NodeLog } from "../hosts/node/host.js";
import { startPanelServer, type PanelServer } from "../hosts/node/panel-server.js";
import { startVirtualFirmware, type VirtualFirmware } from "../hosts/node/virtual-firmware.js";
import type { BootInfo } from "../src/device/boot.js";
import type { PanelSize } from "../src/device/config.js";
import type { FirmwareBoard } from "../src/device/player-firmware.js";
import type { PanelDrive } from "../src/ports.js";
import { redactKey } from "../src/makapix/topics.js";
import { sendAsWebsite } from "./demo-controls.js";
import type { DemoService } from "./demo-service/service.js";

/** The network the virtual device "sees": what the owner gives it over serial. */
export const DEMO_WIFI = Object.freeze({ ssid: "makapix-demo", password: "pixel-art" });

export interface FirmwareDemoOptions {
  panelSize: PanelSize;
  /** The local demo service (--fresh), or undefined for a real service at `apiUrl`. */
  service: DemoService | undefined;
  apiUrl?: string;
  /** Where the settings live; undefined: a new folder, removed at exit. */
  dataDirectory: string | undefined;
  panelPort: number;
  serialPort: number;
  dwellSeconds: number;
  localBroker?: { host: string; port: number };
  /** The emulated panel's own electronics (--panel-drive): the panel wizard then has something to find. */
  panelElectronics?: PanelDrive;
}

export interface FirmwareDemo {
  stop(): Promise<void>;
}

function boardFor(options: FirmwareDemoOptions): FirmwareBoard {
  const panel = { size: options.panelSize, colorDepth: 8, brightness: 80 };
  const session = { scheduler: { dwellOverrideMs: options.dwellSeconds * 1000 } };
  const service = options.service;
  if (service) {
    return {
      board: "virtual",
      memoryClass: "large",
      panel,
      broker: options.localBroker ?? { host: "localhost", port: 8883 },
      vault: { url: service.vaultUrls.https, ca: service.vaultCaPem },
      api: { baseUrl: service.apiUrls.https, ca: service.vaultCaPem },
      session,
    };
  }
  // A real service: its HTTPS certificates chain to public roots; the broker's CA comes with the credentials.
  const publicRoots = rootCertificates.join("\n");
  return {
    board: "virtual",
    memoryClass: "large",
    panel,
    broker: { host: "makapix.club", port: 8883 },
    vault: { url: "https://vault.makapix.club", ca: publicRoots },
    api: { baseUrl: options.apiUrl ?? "https://makapix.club/api", ca: publicRoots },
    session,
  };
}

/** The panel page's status line: the boot state, and the code or the last failure. */
function statusOf(info: BootInfo): { session: string; message: string } {
  return { session: info.state, message: info.code ? `code ${info.code}` : info.lastError ?? "" };
}

export async function startFirmwareDemo(options: FirmwareDemoOptions): Promise<FirmwareDemo> {
  const temporary = options.dataDirectory === undefined;
  const dataDirectory = options.dataDirectory ?? mkdtempSync(join(tmpdir(), "makapix-fresh-device-"));
  let panelServer: PanelServer | undefined;
  const device: VirtualFirmware = await startVirtualFirmware({
    dataDirectory,
    board: boardFor(options),
    wifiNetworks: { [DEMO_WIFI.ssid]: DEMO_WIFI.password },
    serialPort: options.serialPort,
    ...(options.panelElectronics ? { panelElectronics: options.panelElectronics } : {}),
    log: new NodeLog("info", (line) => console.log(`[device] ${line}`)),
    stateChanged: (info) => panelServer?.setStatus(statusOf(info)),
    // For a real service the PC is online and its user should only have to type a code: the demo
    // gives the Wi-Fi itself. --fresh leaves it to the provisioning CLI, as with a new board.
    ...(options.service ? {} : { initialWifi: { ...DEMO_WIFI } }),
  });
  const playerKey = () => device.firmware.store.settings.credentials?.playerKey;
  panelServer = await startPanelServer(
    device.panel,
    async (control) => {
      const key = playerKey();
      const service = options.service;
      if (!key) throw new Error("the device is not registered yet");
      if (!service) throw new Error("the page's controls need the local demo service; use the website's");
      await sendAsWebsite(service, key, control);
    },
    options.panelPort,
  );

  // The states the device went through before the page existed: the page starts from the current one.
  panelServer.setStatus(statusOf(device.firmware.machine.info()));
  console.log(`\n  Panel:    ${panelServer.url}`);
  console.log(`  Serial:   tcp ${device.serial.address} (the device's USB serial line)`);
  if (options.service) {
    console.log(`\n  1. Give the device Wi-Fi over its serial line:`);
    console.log(`       make provision TCP=${device.serial.address} WIFI="${DEMO_WIFI.ssid}:${DEMO_WIFI.password}"`);
    console.log(`  2. The panel shows a 6-character code: type it on the demo website's Add device page:`);
    console.log(`       ${options.service.registerPageUrl}`);
    console.log(`  3. The device fetches its certificate, connects and plays.`);
    console.log(`  Panel wizard (driver chip, scan, clock phase and speed; any time):`);
    console.log(`       make wizard TCP=${device.serial.address}\n`);
  } else {
    const key = playerKey();
    if (key) console.log(`\n  Registered as ${redactKey(key)}: connecting to the service.\n`);
    else console.log(`\n  The panel shows a 6-character code: type it on ${options.apiUrl ?? "makapix.club"}'s "Add device" page.\n`);
  }

  return {
    stop: async () => {
      await device.stop();
      await panelServer?.close();
      if (temporary) rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}
