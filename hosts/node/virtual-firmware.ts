// The virtual device as a whole product (`make demo DEMO_ARGS=--fresh`, the lifecycle e2e tests): the
// firmware of src/device/player-firmware.ts on the Node host, exactly as the ESP32 app runs it, with
// - the settings in files under a data folder (FileStorage: what a board keeps in flash),
// - the serial line as a TCP port (`make provision PORT=tcp://127.0.0.1:N`), kept across restarts as a
//   board's USB serial port is,
// - Wi-Fi simulated with networks "in range" (hosts/node/wifi.ts),
// - the panel emulator in place of the HUB75 module.
// `powerCycle()` is the power switch: everything stops, and the firmware starts again from what the
// data folder holds. The serial "reboot" command does the same.

import type { Log, PanelDrive, Storage } from "../../src/ports.js";
import { startPlayerFirmware, type FirmwareBoard, type PlayerFirmware, type PlayerFirmwareOptions } from "../../src/device/player-firmware.js";
import { RecentLog } from "../../src/device/recent-log.js";
import { createNodeHost, NodeLog, type NodeHost } from "./host.js";
import { PanelEmulator } from "./panel-emulator.js";
import { TcpSerial } from "./serial.js";
import { SimulatedWifi } from "./wifi.js";

export interface VirtualFirmwareOptions extends Pick<PlayerFirmwareOptions, "timings" | "registration" | "renewal" | "stateChanged" | "initialWifi"> {
  /** Where the settings live between runs (created when missing). */
  dataDirectory: string;
  board: FirmwareBoard;
  /** SSID → password of the networks "in range". */
  wifiNetworks: Readonly<Record<string, string>>;
  /** TCP port of the serial line (default: any free port). */
  serialPort?: number;
  log?: Log;
  /** Wraps the data folder's storage at each boot (tests cut the power at a chosen write through it). */
  wrapStorage?: (files: Storage) => Storage;
  /** How long a simulated Wi-Fi join takes (default 400 ms). */
  wifiJoinDelayMs?: number;
  /** The emulated panel's own chip, scan, phase and fastest clock (PanelEmulator): what the panel wizard has to find. */
  panelElectronics?: PanelDrive;
}

export interface VirtualFirmware {
  readonly panel: PanelEmulator;
  readonly wifi: SimulatedWifi;
  readonly serial: TcpSerial;
  /** The running firmware (a new one after each power cycle). */
  readonly firmware: PlayerFirmware;
  readonly host: NodeHost;
  /** Power off and on again: the firmware restarts from the data folder. */
  powerCycle(): Promise<void>;
  /** Power off: the firmware and the serial line stop, nothing is left running. */
  stop(): Promise<void>;
}

/** Starts the virtual device's firmware; resolves once its serial line listens. */
export async function startVirtualFirmware(options: VirtualFirmwareOptions): Promise<VirtualFirmware> {
  const panel = new PanelEmulator(options.panelElectronics);
  const wifi = new SimulatedWifi(options.wifiNetworks, options.wifiJoinDelayMs === undefined ? {} : { joinDelayMs: options.wifiJoinDelayMs });
  const serial = new TcpSerial({ port: options.serialPort ?? 0 });
  await serial.listen();
  const log = options.log ?? new NodeLog("info");

  let host: NodeHost;
  let firmware: PlayerFirmware;
  let cycling: Promise<void> | undefined;
  const boot = (): void => {
    // A fresh host per boot, as after a reset: no timer, socket or state survives but the files.
    const recentLog = new RecentLog(log);
    host = createNodeHost(recentLog, { dataDirectory: options.dataDirectory });
    if (options.wrapStorage && host.storage) host.storage = options.wrapStorage(host.storage);
    host.serial = serial;
    host.wifi = wifi;
    firmware = startPlayerFirmware(host, {
      board: options.board,
      panel,
      recentLog,
      reboot: () => void powerCycle(),
      ...(options.timings ? { timings: options.timings } : {}),
      ...(options.registration ? { registration: options.registration } : {}),
      ...(options.renewal ? { renewal: options.renewal } : {}),
      ...(options.stateChanged ? { stateChanged: options.stateChanged } : {}),
      ...(options.initialWifi ? { initialWifi: options.initialWifi } : {}),
    });
  };
  const powerOff = async (): Promise<void> => {
    await firmware.stop();
    const left = host.timers.clearAll();
    if (left > 0) log.write("debug", `power off: ${left} timer(s) were still pending`);
    wifi.disconnect();
  };
  const powerCycle = (): Promise<void> => {
    cycling ??= (async () => {
      log.write("info", "power cycle");
      await powerOff();
      boot();
      cycling = undefined;
    })();
    return cycling;
  };

  boot();
  return {
    panel,
    wifi,
    serial,
    get firmware() {
      return firmware;
    },
    get host() {
      return host;
    },
    powerCycle,
    stop: async () => {
      await cycling;
      await powerOff();
      await serial.close();
    },
  };
}
