// `make sim`: the firmware as a Moddable app in the SDK's simulator, against a local Mosquitto (mTLS +
// ACL), the demo Makapix service and its vault — what `make demo` does for the virtual device. It says
// what it is doing, prints the app's log, and Ctrl-C stops everything it started.
//
//   node build/tools/sim.js [--panel 64x32|64x64|128x32|128x64] [--dwell SECONDS] [--headless]

import { readPanelConfig, type PanelSize } from "../src/device/config.js";
import { startSimRun, type SimRun } from "./sim-run.js";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const size = (argument("panel") ?? "64x64") as PanelSize;
  readPanelConfig({ panel: { size }, memoryClass: "large" }); // a typo fails before anything starts
  let run: SimRun | undefined;
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log("\n[sim] stopping: simulator, service, broker");
    void (async () => {
      await run?.stop();
      process.exit(0);
    })();
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, shutdown);
  run = await startSimRun({
    device: { panel: { size, brightness: 100 }, initialChannel: { name: "promoted" }, scheduler: { dwellOverrideMs: Number(argument("dwell") ?? 10) * 1000 } },
    headless: process.argv.includes("--headless"),
    onLine: (line) => console.log(`[app] ${line}`),
    say: (message) => console.log(`[sim] ${message}`),
  });
  console.log("[sim] the simulator window shows the panel; Ctrl-C stops everything");
  const exit = await run.simulator.exited;
  if (!stopping) {
    console.log(`[sim] the simulator ended (${exit.signal ?? `exit code ${String(exit.code)}`}); stopping the service and broker`);
    stopping = true;
    await run.stop();
  }
}

main().catch((error: Error) => {
  console.error(`[sim] ${error.message}`);
  process.exit(1);
});
