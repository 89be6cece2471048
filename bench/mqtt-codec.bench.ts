// MQTT codec throughput: ours vs mqtt-packet (protocolVersion 5) in Node, and ours inside XS
// (build/xsnap/bin/xsnap running an esbuild bundle of the same workload), with the peak live heap in
// XS (xsnap-heap via test/xs/heap.ts). One markdown table; ratios are against peers measured in
// this run. The workload (bench/mqtt-codec-workload.ts): 100 PUBLISH QoS 1 with small JSON
// payloads, one 28 KB PUBLISH, 100 PUBACK, 10 PINGREQ + 10 PINGRESP, 2 SUBSCRIBE; decoding pushes
// the byte stream in 1460-byte segments.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { generate, parser, type Packet } from "mqtt-packet";
import type { OutgoingPacket, UserProperty } from "../src/mqtt/packets.js";
import { bundleWorkload, measureInXs, projectRoot, type HeapFigures } from "../test/xs/heap.js";
import { SEGMENT, buildMix, createDecoder, decodeAll, encodeAll, streamSlices, type Timing } from "./mqtt-codec-workload.js";

const NODE_TRIALS = 7;
const TRIAL_MS = 100;
const WARM_UP_MS = 200;
const XS_ROUNDS = 20;
const XS_TRIALS = 5;

/** The mix as mqtt-packet objects (only the packet types the mix holds). */
function toTheirs(packet: OutgoingPacket): Packet {
  switch (packet.type) {
    case 3: {
      const properties = packet.properties
        ? {
            messageExpiryInterval: packet.properties.messageExpiryInterval,
            contentType: packet.properties.contentType,
            userProperties: Object.fromEntries((packet.properties.userProperties ?? []).map((pair: UserProperty) => pair)),
          }
        : undefined;
      return { cmd: "publish", topic: packet.topic, payload: Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain, dup: packet.dup, messageId: packet.packetId, ...(properties ? { properties } : {}) };
    }
    case 4:
      return { cmd: "puback", messageId: packet.packetId, reasonCode: packet.reasonCode };
    case 8:
      return { cmd: "subscribe", messageId: packet.packetId, subscriptions: packet.subscriptions.map((s) => ({ topic: s.topicFilter, qos: s.qos, nl: false, rap: false, rh: 0 })) };
    case 12:
      return { cmd: "pingreq" };
    case 13:
      return { cmd: "pingresp" };
    default:
      throw new Error(`type ${packet.type} is not in the mix`);
  }
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Rounds per second of `round` in one trial: repeated for at least TRIAL_MS. */
function trialRate(round: () => void): number {
  gc();
  const start = performance.now();
  let rounds = 0;
  let elapsed = 0;
  do {
    round();
    rounds++;
    elapsed = performance.now() - start;
  } while (elapsed < TRIAL_MS);
  return (rounds * 1000) / elapsed;
}

interface Contender {
  encode: () => void;
  decode: () => void;
  best: { encode: number; decode: number };
}

/**
 * Trials of every contender interleaved (so that load from other processes on the machine hits all
 * of them alike), after a warm-up; each one's best trial counts.
 */
function race(contenders: Contender[], packetsPerRound: number): Timing[] {
  for (const contender of contenders) {
    const warmUpEnd = performance.now() + WARM_UP_MS;
    while (performance.now() < warmUpEnd) {
      contender.encode();
      contender.decode();
    }
  }
  for (let trial = 0; trial < NODE_TRIALS; trial++) {
    for (const contender of contenders) {
      contender.best.encode = Math.max(contender.best.encode, trialRate(contender.encode));
      contender.best.decode = Math.max(contender.best.decode, trialRate(contender.decode));
    }
  }
  return contenders.map(({ best }) => ({
    encode: best.encode * packetsPerRound,
    decode: best.decode * packetsPerRound,
    both: packetsPerRound / (1 / best.encode + 1 / best.decode),
  }));
}

function theirContender(packets: OutgoingPacket[]): Contender {
  const theirs = packets.map(toTheirs);
  const options = { protocolVersion: 5 };
  const segments = streamSlices(packets).map((slice) => Buffer.from(slice.buffer, slice.byteOffset, slice.length));
  // The check that mqtt-packet agrees with us on what the stream holds.
  let parsed = 0;
  let payloadBytes = 0;
  const theirParser = parser(options);
  theirParser.on("packet", (packet) => {
    parsed++;
    if (packet.cmd === "publish") payloadBytes += (packet.payload as Buffer).length;
  });
  theirParser.on("error", (error) => {
    throw error;
  });
  const decode = (): void => {
    for (let i = 0; i < segments.length; i++) theirParser.parse(segments[i]);
  };
  decode();
  if (parsed !== packets.length) throw new Error(`mqtt-packet parsed ${parsed} of ${packets.length} packets`);
  if (payloadBytes < 28 * 1024) throw new Error("mqtt-packet lost payload bytes");
  let bytes = 0;
  const encode = (): void => {
    for (let i = 0; i < theirs.length; i++) bytes += generate(theirs[i], options).length;
    if (bytes === 0) throw new Error("no work done");
  };
  return { encode, decode, best: { encode: 0, decode: 0 } };
}

function ourContender(packets: OutgoingPacket[]): Contender {
  const slices = streamSlices(packets);
  const codec = createDecoder();
  let bytes = 0;
  const encode = (): void => {
    bytes += encodeAll(packets);
    if (bytes === 0) throw new Error("no work done");
  };
  const decode = (): void => {
    decodeAll(codec, slices);
  };
  decode();
  if (codec.sink.packets !== packets.length || codec.sink.payloadBytes < 28 * 1024) throw new Error("our decoder lost packets");
  return { encode, decode, best: { encode: 0, decode: 0 } };
}

async function timeOursInXs(): Promise<Timing> {
  const bundle = await bundleWorkload(join(projectRoot, "bench/mqtt-codec.xs.ts"));
  const directory = mkdtempSync(join(tmpdir(), "mqtt-codec-bench-"));
  try {
    const script = join(directory, "bench.js");
    writeFileSync(script, `globalThis.benchRounds = ${XS_ROUNDS}; globalThis.benchTrials = ${XS_TRIALS};\n${bundle}`);
    const run = spawnSync(join(projectRoot, "build/xsnap/bin/xsnap"), [script], { encoding: "utf8", timeout: 300_000 });
    const line = run.stdout.trim().split("\n").pop() ?? "";
    if (run.status !== 0 || !line.startsWith("{")) throw new Error(`xsnap failed (${run.status}): ${run.stdout} ${run.stderr}`);
    return JSON.parse(line) as Timing;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

interface HeapResult {
  /** Largest live heap after the fixtures were built, minus the live heap with the fixtures alone. */
  codecPeak: number;
  /** The same with slots counted at the ESP32's 16 bytes. */
  codecPeakDevice: number;
  decoder: number;
  encodePeak: number;
  decodePeak: number;
}

async function heapInXs(): Promise<HeapResult> {
  const run = await measureInXs({ entry: join(projectRoot, "bench/mqtt-codec.xs-heap.ts") }, { timeoutMs: 300_000 });
  const fixtures = run.mark("fixtures");
  const ready = run.mark("decoder ready");
  const after = run.marks.slice(run.marks.indexOf(fixtures) + 1);
  const highest = (prefix: string): HeapFigures =>
    after.filter((mark) => mark.label.startsWith(prefix)).reduce((a, b) => (b.liveBytes > a.liveBytes ? b : a));
  const peak = highest("");
  return {
    codecPeak: peak.liveBytes - fixtures.liveBytes,
    codecPeakDevice: (peak.slots - fixtures.slots) * 16 + (peak.chunkBytes - fixtures.chunkBytes),
    decoder: ready.liveBytes - fixtures.liveBytes,
    encodePeak: highest("encoded").liveBytes - ready.liveBytes,
    decodePeak: highest("pushed").liveBytes - ready.liveBytes,
  };
}

const kilo = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const rate = (perSecond: number): string => (perSecond >= 1e5 ? `${Math.round(perSecond / 1000)} k` : `${(perSecond / 1000).toFixed(1)} k`);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

const mix = buildMix();
const [theirs, oursNode] = race([theirContender(mix), ourContender(mix)], mix.length);
const oursXs = await timeOursInXs();
const heap = await heapInXs();
const packets = mix.length;

console.log(`\n### MQTT codec: ${packets}-packet session mix (100 PUBLISH QoS 1 JSON, one 28 KB PUBLISH, 100 PUBACK, 20 PING, 2 SUBSCRIBE; decoded from ${SEGMENT}-byte segments)\n`);
console.log("| codec | engine | encode pkt/s | decode pkt/s | encode+decode pkt/s | ratio (encode+decode) | peak live heap (XS) |");
console.log("|---|---|---:|---:|---:|---|---|");
console.log(`| mqtt-packet 9 | Node ${process.versions.node} | ${rate(theirs.encode)} | ${rate(theirs.decode)} | ${rate(theirs.both)} | 1.00× (peer) | — |`);
console.log(`| ours | Node ${process.versions.node} | ${rate(oursNode.encode)} | ${rate(oursNode.decode)} | ${rate(oursNode.both)} | ${ratio(oursNode.both, theirs.both)} mqtt-packet (encode ${ratio(oursNode.encode, theirs.encode)}, decode ${ratio(oursNode.decode, theirs.decode)}) | — |`);
console.log(
  `| ours | XS 13.3 (xsnap) | ${rate(oursXs.encode)} | ${rate(oursXs.decode)} | ${rate(oursXs.both)} | ${ratio(oursXs.both, oursNode.both)} ours in Node | ` +
    `+${kilo(heap.codecPeak)} over the fixtures (≈${kilo(heap.codecPeakDevice)} on ESP32): decoder ${kilo(heap.decoder)}, ` +
    `encoding +${kilo(heap.encodePeak)} (the 28 KB packet's bytes), decoding +${kilo(heap.decodePeak)} |`,
);
