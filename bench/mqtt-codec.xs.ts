// XS entry of the MQTT codec benchmark (bench/mqtt-codec.bench.ts bundles it and runs it in
// build/xsnap/bin/xsnap): times the workload and prints one JSON line.
import { timeOurs } from "./mqtt-codec-workload.js";

declare const print: (text: string) => void;
declare const performance: { now(): number };

const settings = globalThis as { benchRounds?: number; benchTrials?: number };
print(JSON.stringify(timeOurs(() => performance.now(), settings.benchRounds ?? 20, settings.benchTrials ?? 5)));
