// The virtual device: the device layer (src/device/) bound to the Node host, with the panel emulator in
// place of the HUB75 module. Used by `make demo` and the end-to-end tests. Everything that is the same
// on every host (assembly, status screens, capabilities, memory class, start/stop order) lives in
// src/device/; this file only picks the Node ports and a PC's defaults.

import { createPlayerDevice, type PlayerDevice } from "../../src/device/device.js";
import type { DeviceConfig, MqttTuning, PanelSize } from "../../src/device/config.js";
import type { MemoryClass } from "../../src/device/memory-class.js";
import type { Display } from "../../src/display/display.js";
import type { ChannelSpec } from "../../src/makapix/channels.js";
import type { MakapixPlayer } from "../../src/makapix/player.js";
import type { SchedulerOptions } from "../../src/makapix/scheduler.js";
import type { Log } from "../../src/ports.js";
import { createNodeHost, NodeLog, type NodeHost } from "./host.js";
import { PanelEmulator } from "./panel-emulator.js";

/** A PC has room for long animations: far more than the large class's budget, so nothing is thinned. */
const PC_FRAME_BUDGET_BYTES = 8 * 1024 * 1024;

export interface VirtualDeviceOptions {
  playerKey: string;
  broker: { host: string; port: number };
  tls: { ca: string; certificate: string; key: string };
  /** Vault base URL (no trailing slash) and the CA its https certificate chains to. */
  vault: { url: string; ca?: string };
  panelSize?: PanelSize;
  colorDepth?: number;
  /** Which board to behave like (default "large": an ESP32-S3 with PSRAM, which also decodes WebP). */
  memoryClass?: MemoryClass;
  /** Panel frames one artwork may keep (default 8 MiB, whatever the memory class). */
  frameBudgetBytes?: number;
  initialChannel?: ChannelSpec;
  scheduler?: SchedulerOptions;
  mqtt?: MqttTuning;
  log?: Log;
}

export interface VirtualDevice {
  readonly host: NodeHost;
  readonly device: PlayerDevice;
  readonly player: MakapixPlayer;
  readonly display: Display;
  readonly panel: PanelEmulator;
  start(): void;
  stop(): Promise<void>;
}

/** The device configuration these options describe (throws DeviceConfigError like the device would). */
export function virtualDeviceConfig(options: VirtualDeviceOptions): DeviceConfig {
  return {
    panel: { size: options.panelSize ?? "64x64", colorDepth: options.colorDepth ?? 8, brightness: 80 },
    memoryClass: options.memoryClass ?? "large",
    frameBudgetBytes: options.frameBudgetBytes ?? PC_FRAME_BUDGET_BYTES,
    broker: options.broker,
    credentials: { playerKey: options.playerKey, ...options.tls },
    vault: options.vault,
    ...(options.initialChannel ? { initialChannel: options.initialChannel } : {}),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.mqtt ? { mqtt: options.mqtt } : {}),
  };
}

export function createVirtualDevice(options: VirtualDeviceOptions): VirtualDevice {
  const host = createNodeHost(options.log ?? new NodeLog("info"));
  const panel = new PanelEmulator();
  const device = createPlayerDevice(host, panel, virtualDeviceConfig(options));
  return {
    host,
    device,
    player: device.player,
    display: device.display,
    panel,
    start: () => device.start(),
    stop: () => device.stop(),
  };
}
