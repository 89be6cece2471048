// The firmware in the Moddable simulator against the local stack: Mosquitto configured like the service
// (mTLS + ACL), the demo Makapix service and its vault, and the simulator app (hosts/sim) built with
// this run's broker address and player credentials. Used by `make sim` (tools/sim.ts) and the
// simulator e2e test (test/moddable/sim.test.ts).

import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DeviceConfig } from "../src/device/config.js";
import type { FirmwareBoard } from "../src/device/player-firmware.js";
import type { LogLevel } from "../src/ports.js";
import type { DemoService } from "./demo-service/service.js";
import { startServiceOn } from "./demo-stack.js";
import { startBroker, type TestBroker } from "./local-broker.js";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface SimulatorProcess {
  stop(): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  pid: number;
}

interface ModddableSdkTools {
  findSdk(): string | undefined;
  buildSimulatorApp(sdk: string, manifest: string, output: string, extra?: string[], environment?: Record<string, string>, platform?: string): Promise<{ ok: boolean; log: string; app: string | undefined }>;
  runInSimulator(sdk: string, app: string, onLine: (line: string) => void, options?: { headless?: boolean }): SimulatorProcess;
}

/** The SDK helpers shared with the test tier (a plain .mjs module of the project's scripts). */
export async function sdkTools(): Promise<ModddableSdkTools> {
  return (await import(pathToFileURL(join(projectRoot, "scripts/moddable-sdk.mjs")).href)) as ModddableSdkTools;
}

export interface SimRunOptions {
  /**
   * Where the app's config module and build go (default build/sim). Runs that share it rebuild only
   * what changed (the config module and the link: about 10 s instead of 90 s for the whole app).
   */
  work?: string;
  device?: Partial<Pick<DeviceConfig, "panel" | "memoryClass" | "initialChannel" | "scheduler">>;
  /** Settings chosen once the demo service is up (e.g. a channel from its catalogue); over `device`. */
  deviceFor?: (service: DemoService) => Partial<Pick<DeviceConfig, "panel" | "memoryClass" | "initialChannel" | "scheduler">>;
  logLevel?: LogLevel;
  traceFrames?: boolean;
  /**
   * Trace the app's XS heap (`SIM-MEMORY {json}`, hosts/sim/memory.ts) and `SIM-MEMORY-DONE` after
   * this many artworks; builds the app instrumented (`mcconfig -i`). 0 or absent: off.
   */
  memoryReport?: number;
  /**
   * The whole firmware from first boot instead of a session with credentials: new settings (a Preference
   * namespace of this run, removed at stop), serial provisioning on `serialDevice` (a tty), registration
   * with the demo service.
   */
  fresh?: { serialDevice?: string };
  /** Run under a virtual X server even when there is a display. */
  headless?: boolean;
  /** Every line the app prints (trace), as it arrives. */
  onLine?: (line: string) => void;
  /** Progress messages of this run. */
  say?: (message: string) => void;
}

export interface SimRun {
  readonly broker: TestBroker;
  readonly service: DemoService;
  readonly playerKey: string;
  readonly simulator: SimulatorProcess;
  /** With `fresh`: the Preference namespace holding the device's settings. */
  readonly storageNamespace: string | undefined;
  /** Stops the simulator, the service and the broker; leaves nothing running. */
  stop(): Promise<void>;
}

/**
 * The simulated device: an M5Stack's 320×240 screen and its three buttons, which the app maps to
 * back, pause and next (hosts/sim/main.ts).
 */
const SIMULATED_DEVICE = "lin/m5stack";

/** The Linux simulator's Preference file (the SDK's lin preference.js: config.file.root + "modpreferences.json"). */
const SIMULATOR_PREFERENCES = "/tmp/modpreferences.json";

/** Removes one namespace from the simulator's Preference file (the simulator must have stopped). */
function forgetPreferences(namespace: string): void {
  if (!existsSync(SIMULATOR_PREFERENCES)) return;
  try {
    const all = JSON.parse(readFileSync(SIMULATOR_PREFERENCES, "utf8")) as Record<string, unknown>;
    if (!(namespace in all)) return;
    delete all[namespace];
    writeFileSync(SIMULATOR_PREFERENCES, JSON.stringify(all));
  } catch {
    // A file the simulator wrote badly: it ignores it too.
  }
}

export class SimRunError extends Error {
  override readonly name = "SimRunError";
}

/** A simulator board for the firmware from first boot: the session's settings, the demo service as the API. */
function freshBoard(device: DeviceConfig, service: DemoService, broker: TestBroker): FirmwareBoard {
  return {
    board: "simulator",
    memoryClass: device.memoryClass,
    panel: device.panel,
    broker: { host: "localhost", port: broker.playerPort },
    vault: device.vault,
    api: { baseUrl: service.apiUrls.https, ca: broker.caPem },
    session: {
      ...(device.scheduler ? { scheduler: device.scheduler } : {}),
      ...(device.initialChannel ? { initialChannel: device.initialChannel } : {}),
    },
  };
}

/** Starts the stack, builds the app for it and runs the app. Throws SimRunError with the cause. */
export async function startSimRun(options: SimRunOptions = {}): Promise<SimRun> {
  const say = options.say ?? (() => undefined);
  const tools = await sdkTools();
  const sdk = tools.findSdk();
  if (!sdk) throw new SimRunError("no Moddable SDK: set MODDABLE to your SDK, or put the SDK copy in ../shared/moddable-sdk (see README)");
  const work = options.work ?? join(projectRoot, "build/sim");
  mkdirSync(work, { recursive: true });

  say("starting Mosquitto with a fresh dev CA (mTLS listener for players, password listener for the service)…");
  const broker = await startBroker();
  let service: DemoService | undefined;
  try {
    service = await startServiceOn(broker, { controlPort: false });
    const playerKey = randomUUID();
    const tls = broker.issuePlayer(playerKey);
    say(`broker pid ${String(broker.pid)} on localhost:${broker.playerPort}; demo service with ${service.catalogue.posts.length} posts, vault ${service.vaultUrls.https}`);
    const device: DeviceConfig = {
      panel: { size: "64x64" },
      memoryClass: "large",
      broker: { host: "localhost", port: broker.playerPort },
      credentials: { playerKey, ca: tls.ca, certificate: tls.certificate, key: tls.key },
      vault: { url: service.vaultUrls.https, ca: broker.caPem },
      ...options.device,
      ...options.deviceFor?.(service),
    };
    const memoryReport = options.memoryReport ?? 0;
    const common = { logLevel: options.logLevel ?? "info", traceFrames: options.traceFrames ?? false, memoryReport };
    const storageNamespace = options.fresh ? `mk${randomUUID().slice(0, 8)}` : undefined;
    const config = options.fresh
      ? { firmware: { board: freshBoard(device, service, broker), serialDevice: options.fresh.serialDevice ?? "", storageNamespace }, ...common }
      : { device, ...common };
    const configModule = join(work, "sim-config");
    const deviceTypes = relative(work, join(projectRoot, "src/device/config.js"));
    const logTypes = relative(work, join(projectRoot, "src/ports.js"));
    const firmwareTypes = relative(work, join(projectRoot, "src/device/player-firmware.js"));
    writeFileSync(
      `${configModule}.ts`,
      `// Generated by tools/sim-run.ts for one run: a dev CA's throwaway player, not a secret store.
import type { DeviceConfig } from "${deviceTypes}";
import type { FirmwareBoard } from "${firmwareTypes}";
import type { LogLevel } from "${logTypes}";
const config: {
  device?: DeviceConfig;
  firmware?: { board: FirmwareBoard; serialDevice?: string; storageNamespace: string };
  logLevel: LogLevel;
  traceFrames: boolean;
  memoryReport: number;
} = ${JSON.stringify(config, null, 2)};
export default config;
`,
    );

    say(`building the simulator app with the Moddable SDK at ${sdk}…`);
    // An instrumented build (-i) compiles XS with other flags: its objects live apart from a plain build's.
    const out = join(work, memoryReport > 0 ? "out-instrumented" : "out");
    const built = await tools.buildSimulatorApp(sdk, join(projectRoot, "hosts/sim/manifest.json"), out, memoryReport > 0 ? ["-i"] : [], { SIM_CONFIG: configModule }, SIMULATED_DEVICE);
    if (!built.ok || !built.app) throw new SimRunError(`the simulator app did not build:\n${built.log.split("\n").slice(-25).join("\n")}`);
    say(`running ${built.app} in the simulator${options.headless || !process.env["DISPLAY"] ? " (headless: no display)" : ""}`);
    const simulator = tools.runInSimulator(sdk, built.app, options.onLine ?? (() => undefined), { headless: options.headless ?? !process.env["DISPLAY"] });
    const liveService = service;
    return {
      broker,
      service,
      playerKey,
      simulator,
      storageNamespace,
      async stop() {
        await simulator.stop();
        if (storageNamespace) forgetPreferences(storageNamespace);
        await liveService.stop();
        await broker.stop();
      },
    };
  } catch (error) {
    await service?.stop();
    await broker.stop();
    throw error;
  }
}
