// What the end-to-end tests of the virtual firmware share: a local Makapix stack (Mosquitto with the
// production mTLS + ACL set-up, the demo service over HTTPS with its vault) in a scratch folder, the
// board a virtual device boots with against it, and devices that are all stopped with the stack.
// Node only (the e2e tier): it starts real processes and servers.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startVirtualFirmware, type VirtualFirmware, type VirtualFirmwareOptions } from "../../hosts/node/virtual-firmware.js";
import type { BootStateName } from "../../src/device/boot.js";
import type { FirmwareBoard } from "../../src/device/player-firmware.js";
import { startBroker, type TestBroker } from "../../tools/local-broker.js";
import { startServiceOn } from "../../tools/demo-stack.js";
import type { DemoService } from "../../tools/demo-service/service.js";
import { waitFor } from "./wait.js";

/** The one Wi-Fi network "in range" of every virtual device. */
export const WIFI = Object.freeze({ ssid: "makapix-demo", password: "pixels in the air" });

export type StackServiceOptions = Parameters<typeof startServiceOn>[1];

export class FirmwareStack {
  readonly #devices: VirtualFirmware[] = [];

  private constructor(
    readonly work: string,
    readonly broker: TestBroker,
    readonly service: DemoService,
  ) {}

  /** A broker and the demo service on free ports; `service` tunes the service (the vault folder is the stack's). */
  static async start(name: string, service: StackServiceOptions = {}): Promise<FirmwareStack> {
    const work = mkdtempSync(join(tmpdir(), `makapix-${name}-`));
    const broker = await startBroker();
    try {
      return new FirmwareStack(work, broker, await startServiceOn(broker, { vaultDir: join(work, "vault"), controlPort: false, ...service }));
    } catch (error) {
      await broker.stop();
      rmSync(work, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * A 64×64 virtual board whose defaults name this stack: where a board connects before registration
   * names its broker, the production defaults would not answer here, so the local ones stand in.
   */
  board(session: FirmwareBoard["session"]): FirmwareBoard {
    return {
      board: "virtual",
      memoryClass: "large",
      panel: { size: "64x64", colorDepth: 8, brightness: 80 },
      broker: { host: "localhost", port: this.broker.playerPort },
      vault: { url: this.service.vaultUrls.https, ca: this.service.vaultCaPem },
      api: { baseUrl: this.service.apiUrls.https, ca: this.service.vaultCaPem },
      ...(session ? { session } : {}),
    };
  }

  /** A virtual device with WIFI in range, stopped with the stack; `dataDirectory` is a name in the stack's folder (or a path). */
  async startDevice(options: Omit<VirtualFirmwareOptions, "wifiNetworks" | "dataDirectory"> & { dataDirectory: string }): Promise<VirtualFirmware> {
    const device = await startVirtualFirmware({ ...options, dataDirectory: resolve(this.work, options.dataDirectory), wifiNetworks: { [WIFI.ssid]: WIFI.password } });
    this.#devices.push(device);
    return device;
  }

  /** Stops every device, the service and the broker, and removes the folder. */
  async stop(): Promise<void> {
    for (const device of this.#devices) await device.stop();
    await this.service.stop();
    await this.broker.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
}

export const stateOf = (device: VirtualFirmware): BootStateName => device.firmware.machine.state;

export function waitForState(device: VirtualFirmware, state: BootStateName, timeoutMs = 20_000): Promise<void> {
  return waitFor(`boot state ${state}`, () => stateOf(device) === state, timeoutMs, () => JSON.stringify(device.firmware.machine.info()));
}
