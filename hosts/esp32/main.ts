// The firmware as an ESP32 app: the SDK bindings of every port (hosts/moddable), the HUB75 panel with
// the board's pins, Wi-Fi through the SDK `wifi` module, SNTP through the SDK `sntp` module, the
// factory-reset button where the board has one, a restart for the serial reboot command, and the boot
// machine (src/device/boot.ts) doing the rest: set-up screen, Wi-Fi, clock, registration, session, and
// recovery from each.
// The board settings come from the build configuration (hosts/esp32/manifest.json: memoryClass, hub75
// pins, resetButton; the SDK's config.sntp); what the owner sets lives in the settings store on the
// Preference storage. Registration, certificate renewal (boot-renewal.ts) and the art shown while
// registering (boot-preview.ts) need the API's CA in the build (config.makapix.apiCa); without it
// registration reports what is missing (src/device/player-firmware.ts), nothing renews and no art plays
// before registration. Everything past the ports is src/device/player-firmware.ts, as in the simulator
// and the virtual device.
// Serial provisioning (docs/provisioning.md) runs on the line the build names (config.provisioningSerial):
// the SDK's `embedded:io/serial` options for a UART (UART0 on the DevKit's USB bridge, which also carries
// `trace` output: the protocol skips it as noise; in a debug build xsbug holds UART0 and the line is not
// opened, logged), or "usb-serial-jtag" for boards whose USB port is the chip's own (MatrixPortal S3),
// which the SDK's serial does not reach: our binding of the USB Serial/JTAG controller (./usb-serial).

import System from "system";
import config from "mc/config";
import type { PanelSize } from "../../src/device/config.js";
import { memoryClassProfile, type MemoryClass } from "../../src/device/memory-class.js";
import { startPlayerFirmware } from "../../src/device/player-firmware.js";
import { RecentLog } from "../../src/device/recent-log.js";
import { createModdableHost } from "../moddable/host.js";
import { TraceLog } from "../moddable/log.js";
import { ModdableSerial } from "../moddable/serial.js";
import { DigitalButton } from "./button.js";
import type { Hub75Config } from "./hub75/hub75.js";
import { Hub75Panel } from "./hub75/hub75-panel.js";
import { SntpTimeSync } from "./sntp.js";
import { UsbSerial } from "./usb-serial/usb-serial.js";
import UsbSerialJtag from "./usb-serial/usb-serial-jtag.js";
import { EspWifi } from "./wifi.js";

/** The build configuration as this app reads it (manifest `config`, merged by mcconfig). */
interface BoardConfig {
  board: string;
  memoryClass: MemoryClass;
  hub75: Hub75Config;
  /** Host name(s) of the time servers (the SDK's manifest_net sets "pool.ntp.org"). */
  sntp?: string | string[];
  resetButton?: { pin: number };
  makapix?: { broker?: { host: string; port: number }; vault?: string; api?: string; apiCa?: string };
  makapixSsid?: string;
  /** The provisioning line: the SDK serial options of a UART (`{port, transmit, receive, baud}`), or the
   *  chip's USB Serial/JTAG controller. */
  provisioningSerial?: Record<string, unknown> | "usb-serial-jtag";
  makapixPassword?: string;
}

const board = config as unknown as BoardConfig;
const hub75 = board.hub75;
const panelSize = `${hub75.panelWidth * (hub75.chain ?? 1)}x${hub75.panelHeight}` as PanelSize;

// The newest log lines stay in memory for the serial "recent log" command.
const recentLog = new RecentLog(new TraceLog("info"));
// The board's memory class sets the TLS record size asked of servers (src/device/memory-class.ts).
const tlsFragmentBytes = memoryClassProfile(board.memoryClass)?.tlsFragmentBytes ?? 0;
const host = createModdableHost({ log: recentLog, tlsFragmentBytes });
if (board.provisioningSerial === "usb-serial-jtag") host.serial = new UsbSerial(UsbSerialJtag, host.timers);
else if (board.provisioningSerial) host.serial = new ModdableSerial(board.provisioningSerial);
host.wifi = new EspWifi();
host.timeSync = new SntpTimeSync(host.clock, Array.isArray(board.sntp) ? board.sntp : [board.sntp ?? "pool.ntp.org"]);
if (board.resetButton) host.button = new DigitalButton(board.resetButton.pin);

startPlayerFirmware(host, {
  board: {
    board: board.board,
    memoryClass: board.memoryClass,
    panel: { size: panelSize, colorDepth: hub75.depth ?? 8, brightness: hub75.brightness ?? 50 },
    broker: board.makapix?.broker ?? { host: "makapix.club", port: 8883 },
    vault: { url: board.makapix?.vault ?? "https://vault.makapix.club" },
    api: { baseUrl: board.makapix?.api ?? "https://makapix.club/api", ...(board.makapix?.apiCa ? { ca: board.makapix.apiCa } : {}) },
  },
  panel: new Hub75Panel(hub75, hub75.panelWidth),
  recentLog,
  reboot: () => System.restart(),
  // Development only: Wi-Fi from the build (`mcconfig … makapixSsid=… makapixPassword=…`) when none is stored.
  ...(board.makapixSsid ? { initialWifi: { ssid: board.makapixSsid, password: board.makapixPassword ?? "" } } : {}),
});
trace(`makapix: ${board.board}, ${panelSize} panel, ${board.memoryClass} memory class\n`);
