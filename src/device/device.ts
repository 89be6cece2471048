// The player as a product, the same on every host: the display, the artwork pipeline and the Makapix
// player assembled from a checked configuration, the status screens wired to the session, and the
// order of starting and stopping. A host binding supplies only its ports and its panel:
//   const device = createPlayerDevice(host, panel, config);  device.start();  …  await device.stop();
// A device runs once; to apply new settings or credentials, stop it and create another. A boot
// sequence that lights the panel before it has credentials makes the Display itself
// (`createPanelDisplay`) and hands it to each device in turn: the panel is set up once (a HUB75
// driver reallocates its DMA buffers on every `begin`) and keeps what the website last set.

import { AVAILABLE_DECODERS } from "../art/decoders.js";
import { ArtworkPipeline } from "../art/pipeline.js";
import { Display } from "../display/display.js";
import type { Rotation } from "../display/geometry.js";
import { MakapixPlayer, type DisplaySettings } from "../makapix/player.js";
import { ViewJournal } from "../makapix/view-journal.js";
import type { Scheduler } from "../makapix/scheduler.js";
import { HttpClient } from "../net/http.js";
import type { Host, PanelDrive, PixelPush } from "../ports.js";
import { DeviceConfigError, readDeviceConfig, type DeviceConfig, type ResolvedDeviceConfig, type ResolvedPanelSettings } from "./config.js";
import { CAPABILITIES, FIRMWARE_VERSION } from "./firmware.js";
import { enabledDecoders } from "./memory-class.js";
import { CONNECTING, observeSessionStatus } from "./status-screens.js";

/** "created" → start() → "running" → stop() → "stopping" → "stopped". */
export type DeviceRunState = "created" | "running" | "stopping" | "stopped";

export interface DeviceObserver {
  /** The website changed brightness, rotation or mirror; a settings store saves `panel` to keep it across reboots. */
  panelChanged?(panel: ResolvedPanelSettings): void;
}

/** Observers per device: the host binding, a settings store and a test at most. */
const MAXIMUM_OBSERVERS = 4;

/** Sets the panel up (`begin`, brightness) and returns the Display that draws on it. */
export function createPanelDisplay(host: Host, panel: PixelPush, settings: ResolvedPanelSettings, drive?: PanelDrive): Display {
  return new Display(panel, host.timers, () => host.clock.monotonicMs(), {
    geometry: { width: settings.width, height: settings.height, rotation: settings.rotation, mirror: settings.mirror },
    colorDepth: settings.colorDepth,
    brightness: settings.brightness,
    ...(drive ? { drive } : {}),
  });
}

export class PlayerDevice {
  readonly config: ResolvedDeviceConfig;
  readonly display: Display;
  readonly pipeline: ArtworkPipeline;
  readonly player: MakapixPlayer;
  readonly #log: Host["log"];
  readonly #observers: DeviceObserver[] = [];
  #state: DeviceRunState = "created";
  #stopping: Promise<void> | undefined;

  /**
   * `output` is the panel (set up here from `config.panel`) or a Display already on it, whose
   * brightness, rotation and mirror are kept (its size must be the configured one).
   * Throws DeviceConfigError before touching the panel when `config` is not usable.
   */
  constructor(host: Host, output: PixelPush | Display, config: DeviceConfig) {
    const checked = readDeviceConfig(config);
    this.config = checked;
    this.#log = host.log;
    const { memory, credentials, vault } = checked;
    if (output instanceof Display) {
      const { width, height } = output.geometry;
      if (width !== checked.panel.width || height !== checked.panel.height) {
        throw new DeviceConfigError("panel.size", "invalid", `${checked.panel.size} differs from the display's ${width}x${height}`);
      }
      // A new scheduler starts unpaused; the display may still be paused from the device before.
      output.setPaused(false);
      this.display = output;
    } else {
      this.display = createPanelDisplay(host, output, checked.panel);
    }
    const http = new HttpClient(host, vault.ca ? { ca: vault.ca } : {});
    this.pipeline = new ArtworkPipeline(host, http, this.display, {
      rendition: { vault: vault.url, memoryClass: memory.name, decoders: enabledDecoders(memory, AVAILABLE_DECODERS) },
      frameBudgetBytes: checked.frameBudgetBytes,
      frameCaches: memory.frameCaches,
      ...(host.inflate ? { inflate: host.inflate } : {}),
      ...(host.artKernels ? { kernels: host.artKernels } : {}),
    });
    this.player = new MakapixPlayer(host, {
      playerKey: credentials.playerKey,
      broker: checked.broker,
      tls: { ca: credentials.ca, certificate: credentials.certificate, key: credentials.key },
      firmwareVersion: FIRMWARE_VERSION,
      capabilities: CAPABILITIES,
      display: this.#reportingSettings(),
      stage: this.pipeline,
      ...(checked.initialChannel ? { initialChannel: checked.initialChannel } : {}),
      // The class sets the page size; a configuration's scheduler options (tests, the demo) come on top.
      scheduler: { pageSize: memory.pageSize, ...checked.scheduler },
      // The class bounds the MQTT buffers; a configuration's tuning (tests) comes on top.
      mqtt: { outboxBytes: memory.mqttOutboxBytes, writeQueueBytes: memory.mqttWriteQueueBytes, maximumHeaderBytes: memory.mqttHeaderBytes, ...checked.mqtt },
      // Views not yet acknowledged survive a reboot wherever the host can store them.
      ...(host.storage ? { viewJournal: new ViewJournal(host.storage, host.log) } : {}),
    });
    observeSessionStatus(this.player, this.display, host.clock);
  }

  get state(): DeviceRunState {
    return this.#state;
  }

  get scheduler(): Scheduler {
    return this.player.scheduler;
  }

  /** The panel settings now: the configured ones with what the website changed since. */
  get panelSettings(): ResolvedPanelSettings {
    const { size, width, height, colorDepth } = this.config.panel;
    const display = this.display;
    return Object.freeze({ size, width, height, colorDepth, rotation: display.rotation as Rotation, mirror: display.mirror === "horizontal", brightness: display.brightness });
  }

  observe(observer: DeviceObserver): void {
    if (this.#observers.length >= MAXIMUM_OBSERVERS) throw new RangeError(`at most ${MAXIMUM_OBSERVERS} device observers`);
    this.#observers.push(observer);
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
   * cancelled, the animation stops and the pipeline lets go of the display. Afterwards the device
   * holds no timer and no socket; the display can serve the next device.
   */
  stop(): Promise<void> {
    if (!this.#stopping) {
      this.#state = "stopping";
      this.#stopping = (async () => {
        try {
          await this.player.stop();
        } finally {
          this.pipeline.close();
          this.#state = "stopped";
        }
      })();
    }
    return this.#stopping;
  }

  /** The display as the player's commands see it: every change is also reported to the observers. */
  #reportingSettings(): DisplaySettings {
    const display = this.display;
    const changed = () => {
      const panel = this.panelSettings;
      for (const observer of this.#observers) observer.panelChanged?.(panel);
    };
    return {
      get brightness() {
        return display.brightness;
      },
      get rotation() {
        return display.rotation;
      },
      get mirror() {
        return display.mirror;
      },
      setBrightness(value) {
        display.setBrightness(value);
        changed();
      },
      setRotation(value) {
        display.setRotation(value);
        changed();
      },
      setMirror(value) {
        display.setMirror(value);
        changed();
      },
    };
  }
}

export function createPlayerDevice(host: Host, output: PixelPush | Display, config: DeviceConfig): PlayerDevice {
  return new PlayerDevice(host, output, config);
}
