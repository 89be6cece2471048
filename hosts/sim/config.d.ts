// The simulator app's configuration, a module named "sim-config" that `make sim` (tools/sim-run.ts) and
// the simulator e2e tests generate as TypeScript before each build: either a session with this run's
// player credentials (`device`) or the whole firmware from first boot (`firmware`). This declaration
// lets the project's tsc check main.ts without it.

declare module "sim-config" {
  import type { DeviceConfig } from "../../src/device/config.js";
  import type { FirmwareBoard } from "../../src/device/player-firmware.js";
  import type { LogLevel } from "../../src/ports.js";
  const config: {
    /** A session with credentials in hand (the instant start). */
    readonly device?: DeviceConfig;
    /** The firmware from first boot. */
    readonly firmware?: {
      readonly board: FirmwareBoard;
      /** The tty of the serial line (one end of a null modem); "" or absent: no serial provisioning. */
      readonly serialDevice?: string;
      /** The Preference namespace of this device's settings (1–15 characters). */
      readonly storageNamespace: string;
    };
    readonly logLevel: LogLevel;
    /** Trace every frame pushed to the panel (`SIM-FRAME <post id or -> <hex RGB888>`), for tests. */
    readonly traceFrames: boolean;
    /**
     * Trace the XS heap (`SIM-MEMORY {json}`, hosts/sim/memory.ts) at each stage and artwork, and
     * `SIM-MEMORY-DONE` after this many artworks; 0: off. Needs an instrumented build (`mcconfig -i`).
     */
    readonly memoryReport: number;
  };
  export default config;
}
