// The simulator app's configuration, a module named "sim-config" that `make sim` (tools/sim-run.ts) and
// the simulator e2e test generate as TypeScript before each build: the local broker's address and this
// run's player credentials. This declaration lets the project's tsc check main.ts without it.

declare module "sim-config" {
  import type { DeviceConfig } from "../../src/device/config.js";
  import type { LogLevel } from "../../src/ports.js";
  const config: {
    readonly device: DeviceConfig;
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
