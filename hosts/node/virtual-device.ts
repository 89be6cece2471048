// The virtual device: the same firmware core as the ESP32 build (src/), bound to the Node host, with
// the panel emulator in place of the HUB75 module. Used by `make demo` and the end-to-end tests.

import { AVAILABLE_DECODERS } from "../../src/art/decoders.js";
import { ArtworkPipeline } from "../../src/art/pipeline.js";
import { Display } from "../../src/display/display.js";
import { PANEL_SIZES } from "../../src/display/geometry.js";
import type { ChannelSpec } from "../../src/makapix/channels.js";
import { MakapixPlayer, type MakapixPlayerOptions } from "../../src/makapix/player.js";
import type { Capabilities } from "../../src/makapix/presence.js";
import type { SchedulerOptions } from "../../src/makapix/scheduler.js";
import { HttpClient } from "../../src/net/http.js";
import type { Log } from "../../src/ports.js";
import { createNodeHost, NodeLog, type NodeHost } from "./host.js";
import { PanelEmulator } from "./panel-emulator.js";

export const FIRMWARE_VERSION = "0.1.0";

export interface VirtualDeviceOptions {
  playerKey: string;
  broker: { host: string; port: number };
  tls: { ca: string; certificate: string; key: string };
  /** Vault base URL (no trailing slash) and the CA its https certificate chains to. */
  vault: { url: string; ca?: string };
  panelSize?: keyof typeof PANEL_SIZES;
  colorDepth?: number;
  /** Which board to behave like (default "large": an ESP32-S3 with PSRAM, which also decodes WebP). */
  memoryClass?: "small" | "large";
  /** Panel frames one artwork may keep; a PC has room for long animations. */
  frameBudgetBytes?: number;
  initialChannel?: ChannelSpec;
  scheduler?: SchedulerOptions;
  mqtt?: MakapixPlayerOptions["mqtt"];
  log?: Log;
}

export interface VirtualDevice {
  readonly host: NodeHost;
  readonly player: MakapixPlayer;
  readonly display: Display;
  readonly panel: PanelEmulator;
  start(): void;
  stop(): Promise<void>;
}

export const CAPABILITIES: Capabilities = {
  pause: true,
  brightness: { min: 0, max: 100, step: 1 },
  rotation: [0, 90, 180, 270],
  mirror: ["none", "horizontal"],
};

export function createVirtualDevice(options: VirtualDeviceOptions): VirtualDevice {
  const host = createNodeHost(options.log ?? new NodeLog("info"));
  const panel = new PanelEmulator();
  const size = PANEL_SIZES[options.panelSize ?? "64x64"];
  const display = new Display(panel, host.timers, () => host.clock.monotonicMs(), {
    geometry: { width: size.width, height: size.height, rotation: 0, mirror: false },
    colorDepth: options.colorDepth ?? 8,
    brightness: 80,
  });
  const http = new HttpClient(host, options.vault.ca ? { ca: options.vault.ca } : {});
  const pipeline = new ArtworkPipeline(host, http, display, {
    rendition: { vault: options.vault.url, memoryClass: options.memoryClass ?? "large", decoders: AVAILABLE_DECODERS },
    frameBudgetBytes: options.frameBudgetBytes ?? 8 * 1024 * 1024,
  });
  const player = new MakapixPlayer(host, {
    playerKey: options.playerKey,
    broker: options.broker,
    tls: options.tls,
    firmwareVersion: FIRMWARE_VERSION,
    capabilities: CAPABILITIES,
    display,
    stage: pipeline,
    ...(options.initialChannel ? { initialChannel: options.initialChannel } : {}),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.mqtt ? { mqtt: options.mqtt } : {}),
  });
  display.showStatus("Connecting to Makapix Club", "info");
  player.observe({
    sessionChanged: (state, error) => {
      if (state === "reconnecting" && error && !player.scheduler.current) {
        display.showStatus(error.kind === "tls" || error.kind === "connack" ? `Refused: ${error.message}` : "Reconnecting…", "warning");
      }
    },
    blocked: (ms) => display.showStatus(`Makapix refused this player. Retrying in ${Math.round(ms / 1000)} s`, "error"),
    idle: (reason) => {
      if (!player.scheduler.current) display.showStatus(reason, "warning");
    },
  });
  return {
    host,
    player,
    display,
    panel,
    start: () => player.start(),
    async stop() {
      await player.stop();
      pipeline.stop();
    },
  };
}
