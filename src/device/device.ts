// The player as a product, the same on every host: the display, the artwork pipeline and the Makapix
// player assembled from a checked configuration, the status screens wired to the session, and the
// order of starting and stopping. A host binding supplies only its ports and its panel:
//   const device = createPlayerDevice(host, panel, config);  device.start();  …  await device.stop();
// A device runs once; to apply new settings (or credentials), stop it and create another — which is
// what a boot sequence does when it moves from registration to the session.

import { AVAILABLE_DECODERS } from "../art/decoders.js";
import { ArtworkPipeline } from "../art/pipeline.js";
import { Display } from "../display/display.js";
import { MakapixPlayer } from "../makapix/player.js";
import type { Scheduler } from "../makapix/scheduler.js";
import { HttpClient } from "../net/http.js";
import type { Host, PixelPush } from "../ports.js";
import { readDeviceConfig, type DeviceConfig, type ResolvedDeviceConfig } from "./config.js";
import { CAPABILITIES, FIRMWARE_VERSION } from "./firmware.js";
import { enabledDecoders } from "./memory-class.js";
import { CONNECTING, observeSessionStatus } from "./status-screens.js";

/** "created" → start() → "running" → stop() → "stopping" → "stopped". */
export type DeviceRunState = "created" | "running" | "stopping" | "stopped";

export class PlayerDevice {
  readonly config: ResolvedDeviceConfig;
  readonly display: Display;
  readonly pipeline: ArtworkPipeline;
  readonly player: MakapixPlayer;
  readonly #log: Host["log"];
  #state: DeviceRunState = "created";
  #stopping: Promise<void> | undefined;

  /** Throws DeviceConfigError before touching the panel when `config` is not usable. */
  constructor(host: Host, panel: PixelPush, config: DeviceConfig) {
    const checked = readDeviceConfig(config);
    this.config = checked;
    this.#log = host.log;
    const { panel: settings, memory, credentials, vault } = checked;
    this.display = new Display(panel, host.timers, () => host.clock.monotonicMs(), {
      geometry: { width: settings.width, height: settings.height, rotation: settings.rotation, mirror: settings.mirror },
      colorDepth: settings.colorDepth,
      brightness: settings.brightness,
    });
    const http = new HttpClient(host, vault.ca ? { ca: vault.ca } : {});
    this.pipeline = new ArtworkPipeline(host, http, this.display, {
      rendition: { vault: vault.url, memoryClass: memory.name, decoders: enabledDecoders(memory, AVAILABLE_DECODERS) },
      frameBudgetBytes: checked.frameBudgetBytes,
      ...(host.inflate ? { inflate: host.inflate } : {}),
    });
    this.player = new MakapixPlayer(host, {
      playerKey: credentials.playerKey,
      broker: checked.broker,
      tls: { ca: credentials.ca, certificate: credentials.certificate, key: credentials.key },
      firmwareVersion: FIRMWARE_VERSION,
      capabilities: CAPABILITIES,
      display: this.display,
      stage: this.pipeline,
      ...(checked.initialChannel ? { initialChannel: checked.initialChannel } : {}),
      ...(checked.scheduler ? { scheduler: checked.scheduler } : {}),
      ...(checked.mqtt ? { mqtt: checked.mqtt } : {}),
    });
    observeSessionStatus(this.player, this.display, host.clock);
  }

  get state(): DeviceRunState {
    return this.#state;
  }

  get scheduler(): Scheduler {
    return this.player.scheduler;
  }

  /** Says "connecting" on the panel, then connects and plays. Once only: a stopped device stays stopped. */
  start(): void {
    if (this.#state === "running") return;
    if (this.#state !== "created") throw new Error("this device was stopped; create a new one to start again");
    this.#state = "running";
    this.#log.write("debug", `device: firmware ${FIRMWARE_VERSION}, ${this.config.panel.size} panel, ${this.config.memory.name} memory class`);
    this.display.showStatus(CONNECTING.text, CONNECTING.level);
    this.player.start();
  }

  /**
   * Graceful stop: the player says "offline" and disconnects, then the download in progress is
   * cancelled and the animation stops. Afterwards the device holds no timer and no socket.
   */
  stop(): Promise<void> {
    if (!this.#stopping) {
      this.#state = "stopping";
      this.#stopping = (async () => {
        try {
          await this.player.stop();
        } finally {
          this.pipeline.stop();
          this.#state = "stopped";
        }
      })();
    }
    return this.#stopping;
  }
}

export function createPlayerDevice(host: Host, panel: PixelPush, config: DeviceConfig): PlayerDevice {
  return new PlayerDevice(host, panel, config);
}
