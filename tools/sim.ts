// `make sim`: the firmware as a Moddable app in the SDK's simulator, against a local Mosquitto (mTLS +
// ACL), the demo Makapix service and its vault — what `make demo` does for the virtual device. It says
// what it is doing, prints the app's log, and Ctrl-C stops everything it started.
//
//   node build/tools/sim.js [--panel 64x32|64x64|128x32|128x64] [--dwell SECONDS] [--headless] [--fresh]
// --fresh runs the whole firmware from first boot: new settings, a registration code on the panel (type
// it on the demo website's Add device page), and a serial line on a pseudo-terminal for `make provision`.
// Headless (no display, or --headless), the panel is also written to build/sim/panel.png as it changes.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodePngRgb } from "../hosts/node/png-write.js";
import { PANEL_SIZES } from "../src/display/geometry.js";
import { readPanelConfig, type PanelSize } from "../src/device/config.js";
import { nullModemAvailable, startNullModem, type NullModem } from "./null-modem.js";
import { projectRoot, startSimRun, type SimRun } from "./sim-run.js";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const size = (argument("panel") ?? "64x64") as PanelSize;
  readPanelConfig({ panel: { size }, memoryClass: "large" }); // a typo fails before anything starts
  let run: SimRun | undefined;
  let modem: NullModem | undefined;
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log("\n[sim] stopping: simulator, service, broker");
    void (async () => {
      await run?.stop();
      await modem?.close();
      process.exit(0);
    })();
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, shutdown);
  const headless = process.argv.includes("--headless") || !process.env["DISPLAY"];
  const snapshot = join(projectRoot, "build/sim/panel.png");
  const { width, height } = PANEL_SIZES[size];
  let snapshots = 0;
  const fresh = process.argv.includes("--fresh");
  if (fresh && nullModemAvailable()) modem = await startNullModem();
  else if (fresh) console.log("[sim] no serial line: python3 with the pty module is missing (registration works without it)");
  run = await startSimRun({
    ...(fresh ? { fresh: modem ? { serialDevice: modem.deviceEnd } : {} } : {}),
    device: { panel: { size, brightness: 100 }, initialChannel: { name: "promoted" }, scheduler: { dwellOverrideMs: Number(argument("dwell") ?? 10) * 1000 } },
    headless,
    traceFrames: headless,
    onLine: (line) => {
      const frame = /^SIM-FRAME (\S+) ([0-9a-f]+)$/.exec(line);
      if (!frame) return console.log(`[app] ${line}`);
      writeFileSync(snapshot, encodePngRgb(width, height, Uint8Array.from(Buffer.from(frame[2]!, "hex"))));
      if (snapshots++ === 0) console.log(`[sim] headless: the panel is in ${snapshot} (rewritten on every frame)`);
    },
    say: (message) => console.log(`[sim] ${message}`),
  });
  console.log(`[sim] ${headless ? "running headless" : "the simulator window shows the panel (buttons a, b, c: back, pause, next)"}; Ctrl-C stops everything`);
  if (fresh) {
    console.log(`\n  A new device: the panel shows a 6-character code. Type it on the demo website's Add device page:`);
    console.log(`    ${run.service.registerPageUrl}`);
    if (modem) console.log(`  Its serial line (hello, info, certificates, log, factory reset):\n    make provision PORT=${modem.pcEnd}`);
    console.log("");
  }
  const exit = await run.simulator.exited;
  if (!stopping) {
    console.log(`[sim] the simulator ended (${exit.signal ?? `exit code ${String(exit.code)}`}); stopping the service and broker`);
    stopping = true;
    await run.stop();
    await modem?.close();
  }
}

main().catch((error: Error) => {
  console.error(`[sim] ${error.message}`);
  process.exit(1);
});
