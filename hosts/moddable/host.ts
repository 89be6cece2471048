// The whole Host (src/ports.ts) on the Moddable SDK: network, timers, clock, random, log, storage,
// native inflate, the native art and JSON kernels and, where the app passes one, serial. Only bindings: what the firmware does with them
// lives in src/.

import Net from "net";
import type { Host, Log, LogLevel, Serial } from "../../src/ports.js";
import { ModdableClock } from "./clock.js";
import { moddableArtKernels } from "./art-kernels.js";
import { moddableJsonKernels } from "./json-kernels.js";
import { moddableInflate } from "./inflate.js";
import { TraceLog } from "./log.js";
import { ModdableNetwork } from "./network.js";
import { moddableRandom } from "./random.js";
import { PreferenceStorage } from "./storage.js";
import { ModdableTimers } from "./timers.js";

export interface ModdableHostOptions {
  /** Where log lines go; default: `trace` from `logLevel` up. */
  log?: Log;
  logLevel?: LogLevel;
  /** True when the wall clock is already right (the simulator); on a device call `clock.synchronized()` after SNTP. */
  clockSynchronized?: boolean;
  /** DNS servers; default: the network's (`Net.get("DNS")`), else 1.1.1.1 and 8.8.8.8. */
  dnsServers?: readonly string[];
  /** The Storage namespace (1–15 characters); default "makapix". */
  storageNamespace?: string;
  /** TLS record size asked of servers: the memory class's `tlsFragmentBytes` (hosts/moddable/network.ts). */
  tlsFragmentBytes?: number;
  /** A serial line (e.g. `new ModdableSerial({...})` from ./serial.js) where the board has one. */
  serial?: Serial;
}

export interface ModdableHost extends Host {
  timers: ModdableTimers;
  clock: ModdableClock;
  storage: PreferenceStorage;
}

function defaultDnsServers(): readonly string[] {
  try {
    const servers: unknown = Net.get("DNS");
    if (Array.isArray(servers) && servers.length > 0) return servers as string[];
  } catch {
    // No network interface yet (or none at all): fall back to public resolvers.
  }
  return ["1.1.1.1", "8.8.8.8"];
}

export function createModdableHost(options: ModdableHostOptions = {}): ModdableHost {
  const log = options.log ?? new TraceLog(options.logLevel ?? "info");
  const host: ModdableHost = {
    network: new ModdableNetwork({ dnsServers: options.dnsServers ?? defaultDnsServers(), tlsFragmentBytes: options.tlsFragmentBytes ?? 0 }),
    timers: new ModdableTimers(log),
    clock: new ModdableClock({ synchronized: options.clockSynchronized ?? false }),
    random: moddableRandom,
    log,
    inflate: moddableInflate,
    artKernels: moddableArtKernels,
    jsonKernels: moddableJsonKernels,
    storage: new PreferenceStorage(options.storageNamespace ?? "makapix"),
  };
  if (options.serial) host.serial = options.serial;
  return host;
}
