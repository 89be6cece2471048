// The Moddable host bindings (hosts/moddable) in the real SDK: builds test/moddable/host (an app that
// uses every binding and src/mqtt/client.ts) for the Linux simulator, runs it headless under Xvfb
// against the project's Mosquitto (mTLS + the service's ACL) and checks the result line it prints.
// Skipped (not passed) when there is no Moddable SDK (scripts/moddable-sdk.sh exits with 3).
//
// Configuration reaches the app as a generated module: build/mc-host/gen/config.ts (broker port, PEM
// credentials, a wrong CA, ports for the plain-TCP checks) beside a generated manifest that includes
// test/moddable/host/manifest.json. So the app needs no channel back to this process, and a run is
// reproducible from the generated folder. The price is one build per run (~5 s once the SDK's own
// modules are compiled).
//
//   node scripts/build.mjs && node --test build/test/moddable/host.test.js
// (Over 400 lines: the generated configuration and the checks of every binding's result line.)

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import mqtt from "mqtt";
import { createForeignAuthority, freePort, startBroker, type TestBroker } from "../../tools/local-broker.js";
import { connectAsService } from "../support/service-client.js";
import { sharpGif } from "../support/gif-corpus.js";
import { xorshiftRandom } from "../support/bytes.js";
import sharp from "sharp";
import { GifDecoder } from "../../src/art/gif.js";
import { RecordingSink } from "../support/recording-sink.js";
import { deflateSync } from "node:zlib";
import { encodePng, randomImage, seededRandom } from "../support/png-encode.js";
import { encodeBmp } from "../support/bmp-encode.js";

// Runs from build/test/moddable/ (transpiled) or test/moddable/ (type-checked): the root is 3 or 2 up.
const here = fileURLToPath(new URL(".", import.meta.url));
const root = here.includes("/build/test/") ? join(here, "../../..") : join(here, "../..");

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
interface AppResult {
  phase: string;
  checks: Check[];
}

// The SDK lookup and build environment every runner uses (scripts/moddable-sdk.mjs: a plain module of
// the test tooling).
const { findSdk, sdkEnvironment, TEST_APP_TYPESCRIPT } = (await import(pathToFileURL(join(root, "scripts/moddable-sdk.mjs")).href)) as {
  findSdk(): string | undefined;
  sdkEnvironment(sdk: string): NodeJS.ProcessEnv;
  TEST_APP_TYPESCRIPT: object;
};
const sdk = findSdk();
const skip = sdk ? undefined : "no Moddable SDK (scripts/moddable-sdk.sh: exit 3)";
const outDir = join(root, "build/mc-host");

let broker: TestBroker | undefined;
let service: mqtt.MqttClient | undefined;
let echo: Server | undefined;
let foreign: ReturnType<typeof createForeignAuthority> | undefined;
let first: { result: AppResult; output: string } | undefined;
let second: { result: AppResult; output: string } | undefined;
let playerKey = "";
let playerPem = { ca: "", certificate: "", key: "" };
const running = new Set<ChildProcess>();
let dns: UdpSocket | undefined;
let corrupter: Server | undefined;
let namespace = "";
let pty: ChildProcess | undefined;
const DNS_NAME = "broker.makapix.test";

/**
 * A DNS server for one name on a loopback address of its own, port 53 (the SDK resolver always asks
 * port 53): A 127.0.0.1 for DNS_NAME, NXDOMAIN for anything else. Undefined when port 53 can't be bound
 * (not root): the DNS checks are then left out and reported skipped.
 */
async function startDns(): Promise<{ server: UdpSocket; address: string } | undefined> {
  const address = `127.53.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const server = createSocket("udp4");
  server.on("message", (query, from) => {
    // Header (12 bytes), then the question: labels up to a zero byte, type and class (4 bytes).
    let at = 12;
    const labels: string[] = [];
    while (at < query.length && query[at] !== 0) {
      labels.push(query.subarray(at + 1, at + 1 + query[at]!).toString("latin1"));
      at += 1 + query[at]!;
    }
    const question = query.subarray(12, at + 5);
    const known = labels.join(".").toLowerCase() === DNS_NAME;
    const header = Buffer.from([query[0]!, query[1]!, 0x81, known ? 0x80 : 0x83, 0, 1, 0, known ? 1 : 0, 0, 0, 0, 0]);
    // The answer names the question by a pointer to offset 12; A, IN, TTL 60, 4 bytes: 127.0.0.1.
    const answer = known ? Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]) : Buffer.alloc(0);
    server.send(Buffer.concat([header, question, answer]), from.port, from.address);
  });
  const bound = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.bind(53, address, () => resolve(true));
  });
  if (!bound) {
    server.close();
    return undefined;
  }
  return { server, address };
}

/**
 * A TCP proxy to `port` that, on each connection, sends the server's first TLS application-data record
 * twice in one write, the copy with its last byte flipped (a record the client must reject).
 */
async function startCorrupter(port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port });
    server.once("close", () => {
      client.destroy();
      upstream.destroy();
    });
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    let done = false;
    upstream.on("data", (data: Buffer) => {
      if (done) return void client.write(data);
      pending = Buffer.concat([pending, data]);
      // Pass whole records on; the first application-data record (type 23) goes out with its copy.
      while (!done && pending.length >= 5) {
        const size = 5 + pending.readUInt16BE(3);
        if (pending.length < size) break;
        const record = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (record[0] === 23) {
          const copy = Buffer.from(record);
          copy[copy.length - 1]! ^= 0x01;
          client.write(Buffer.concat([record, copy]));
          done = true;
        } else {
          client.write(record);
        }
      }
      if (done && pending.length > 0) client.write(pending);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

/** A pty whose other end answers every byte upper-cased (python3's pty module); undefined without python3. */
async function startPty(): Promise<{ process: ChildProcess; device: string } | undefined> {
  const script = [
    "import os, sys, tty",
    "master, slave = os.openpty()",
    "tty.setraw(slave)",
    "print(os.ttyname(slave), flush=True)",
    "while True:",
    "    data = os.read(master, 256)",
    "    os.write(master, data.upper())",
  ].join("\n");
  const child = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "ignore"] });
  const device = await new Promise<string | undefined>((resolve) => {
    let text = "";
    child.once("error", () => resolve(undefined));
    child.once("exit", () => resolve(undefined));
    child.stdout!.on("data", (data: Buffer) => {
      text += data.toString();
      if (text.includes("\n")) resolve(text.trim());
    });
  });
  if (!device) return undefined;
  return { process: child, device };
}

/** A width x height RGBA picture (gradients, a few hard edges, partly transparent) as WebP. */
async function webp(width: number, height: number, options: { lossless?: boolean; quality?: number; alphaQuality?: number }): Promise<Uint8Array> {
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      rgba[at] = (x * 255) / (width - 1);
      rgba[at + 1] = (y * 255) / (height - 1);
      rgba[at + 2] = (x ^ y) & 0x10 ? 220 : 40;
      rgba[at + 3] = x < width / 4 ? 128 : 255;
    }
  }
  return new Uint8Array(await sharp(rgba, { raw: { width, height, channels: 4 } }).webp(options).toBuffer());
}

/**
 * GIFs (and two WebPs) for the art-kernel checks: two clean animations and a copy of one whose image data is overwritten
 * until the TypeScript decoder hits an LZW fault after at least one frame (a seeded, deterministic search).
 */
async function artKernelFiles(): Promise<{ name: string; format: "gif" | "webp"; bytes: number[]; corrupt: boolean }[]> {
  const interlaced = await sharpGif(64, 64, 3, { loop: 0, delay: [50, 50, 50], progressive: true }, { seed: 21 });
  const noisy = await sharpGif(100, 75, 3, { loop: 0, delay: [70, 70, 70] }, { noisy: true, seed: 22, transparent: true });
  const random = xorshiftRandom(23);
  let corrupt: Uint8Array | undefined;
  for (let attempt = 0; attempt < 500 && !corrupt; attempt++) {
    const mutated = noisy.slice();
    for (let f = 0; f < 4; f++) mutated[Math.floor(mutated.length * (0.7 + 0.3 * random()))] = Math.floor(random() * 256);
    const sink = new RecordingSink();
    try {
      const decoder = new GifDecoder(sink);
      decoder.push(mutated);
      decoder.finish();
    } catch (error) {
      if (String(error).includes("LZW code") && sink.frames.length > 0) corrupt = mutated;
    }
  }
  if (!corrupt) throw new Error("no mutation of the noisy GIF reached an LZW fault after a frame");
  return [
    { name: "interlaced 64x64", format: "gif", bytes: Array.from(interlaced), corrupt: false },
    { name: "noisy 100x75 with transparency", format: "gif", bytes: Array.from(noisy), corrupt: false },
    { name: "corrupt LZW data in a later frame", format: "gif", bytes: Array.from(corrupt), corrupt: true },
    // WebP through the native VP8L, VP8 and alpha paths (sharp encodes them from one RGBA picture).
    { name: "WebP lossless 48x40", format: "webp", bytes: Array.from(await webp(48, 40, { lossless: true })), corrupt: false },
    { name: "WebP lossy with alpha 72x56", format: "webp", bytes: Array.from(await webp(72, 56, { quality: 80, alphaQuality: 90 })), corrupt: false },
  ];
}

/**
 * PNGs for the PNG-kernel checks: every filter type (our encoder, zlib-compressed), an Adam7 palette image
 * and sharp's adaptive filters; and one whose row 9 has filter type 5 (an error raised after rows were
 * delivered, with the same message on both paths).
 */
async function pngKernelFiles(): Promise<{ name: string; bytes: number[]; corrupt: boolean }[]> {
  const random = seededRandom(31);
  const compress = (raw: Uint8Array) => new Uint8Array(deflateSync(raw));
  const rgba = randomImage(40, 30, 6, 8, random);
  const palette = randomImage(33, 21, 3, 4, random);
  const paletteRgb = Array.from({ length: 16 * 3 }, (_, i) => (i * 53) & 255);
  const pixels = new Uint8Array(48 * 40 * 4).map((_, i) => (i % 4 === 3 ? 255 : ((i >> 2) * 7 + (i & 3) * 40) & 255));
  return [
    { name: "RGBA 40x30, every filter type", bytes: Array.from(encodePng(rgba, { compress })), corrupt: false },
    { name: "palette 4-bit 33x21 Adam7", bytes: Array.from(encodePng(palette, { compress, interlaced: true, palette: paletteRgb })), corrupt: false },
    { name: "sharp RGB 48x40 adaptive filters", bytes: Array.from(await sharp(pixels, { raw: { width: 48, height: 40, channels: 4 } }).removeAlpha().png({ adaptiveFiltering: true }).toBuffer()), corrupt: false },
    { name: "filter type 5 in row 9", bytes: Array.from(encodePng(rgba, { compress, filterOf: (row) => (row === 9 ? 5 : row % 5) })), corrupt: true },
  ];
}

/**
 * BMPs for the BMP-kernel checks: a row layout per kernel (24-bit, BGRA masks with alpha, 5-6-5 and
 * 10-10-10-2 bit fields, 1/4/8-bit palettes); and an 8-bit one with an index beyond its palette in
 * row 3 (an error raised after rows were delivered, with the same message on both paths).
 */
function bmpKernelFiles(): { name: string; bytes: number[]; corrupt: boolean }[] {
  const random = xorshiftRandom(15);
  const words = (count: number, mask = 0xffffffff) => Array.from({ length: count }, () => (Math.floor(random() * 4294967296) & mask) >>> 0);
  const indices = (count: number, below: number) => Array.from({ length: count }, () => Math.floor(random() * below));
  const beyond = indices(9 * 7, 6);
  beyond[9 * 3 + 4] = 7;
  return [
    { name: "24-bit 37x29", bytes: Array.from(encodeBmp({ width: 37, height: 29, bitsPerPixel: 24, pixels: words(37 * 29, 0xffffff) })), corrupt: false },
    { name: "32-bit BGRA masks with alpha 20x17", bytes: Array.from(encodeBmp({ width: 20, height: 17, bitsPerPixel: 32, pixels: words(20 * 17), masks: [0xff0000, 0xff00, 0xff, 0xff000000], infoSize: 124 })), corrupt: false },
    { name: "16-bit 5-6-5 19x11", bytes: Array.from(encodeBmp({ width: 19, height: 11, bitsPerPixel: 16, pixels: words(19 * 11, 0xffff), masks: [0xf800, 0x07e0, 0x001f] })), corrupt: false },
    { name: "32-bit 10-10-10-2 9x8", bytes: Array.from(encodeBmp({ width: 9, height: 8, bitsPerPixel: 32, pixels: words(72), masks: [0x3ff00000, 0xffc00, 0x3ff, 0xc0000000], infoSize: 108 })), corrupt: false },
    ...([1, 4, 8] as const).map((bitsPerPixel) => ({
      name: `${bitsPerPixel}-bit palette 23x13`,
      bytes: Array.from(encodeBmp({ width: 23, height: 13, bitsPerPixel, pixels: indices(23 * 13, 1 << Math.min(bitsPerPixel, 3)), palette: words(1 << Math.min(bitsPerPixel, 3), 0xffffff) })),
      corrupt: false,
    })),
    { name: "8-bit, an index beyond the palette in row 3", bytes: Array.from(encodeBmp({ width: 9, height: 7, bitsPerPixel: 8, pixels: beyond, palette: words(6, 0xffffff), topDown: true })), corrupt: true },
  ];
}

function build(config: Record<string, unknown>): string {
  const gen = join(outDir, "gen");
  const out = join(outDir, "out");
  mkdirSync(gen, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(gen, "manifest.json"), JSON.stringify({ include: [join(root, "test/moddable/host/manifest.json")], modules: { "mc-host-config": "./config" }, typescript: TEST_APP_TYPESCRIPT }, null, 2));
  writeFileSync(join(gen, "config.ts"), `// Generated by test/moddable/host.test.ts for one run.\nconst config = ${JSON.stringify(config, null, 2)};\nexport default config;\n`);
  const env = sdkEnvironment(sdk!);
  const made = spawnSync("mcconfig", ["-m", "-p", "lin", "-t", "build", "-o", out, join(gen, "manifest.json")], { encoding: "utf8", env, timeout: 600_000 });
  if (made.status !== 0) throw new Error(`mcconfig failed (${made.status}):\n${made.stdout.slice(-3000)}\n${made.stderr.slice(-3000)}`);
  const warnings = made.stdout.split("\n").filter((line) => line.startsWith("### warning") && line.includes("hosts/moddable"));
  assert.deepEqual(warnings, [], "the linker warns about nothing in hosts/moddable");
  return join(out, "bin/lin/mc/release/gen/mc.so");
}

/** Runs the app headless until it prints its result line (or `timeoutMs`), then stops it by process group. */
async function runApp(mcso: string, timeoutMs = 90_000): Promise<{ result: AppResult; output: string }> {
  const child = spawn("xvfb-run", ["-a", "stdbuf", "-oL", `${sdk}/build/bin/lin/release/mcsim`, mcso], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  child.stdout!.on("data", (data: Buffer) => (output += data.toString()));
  child.stderr!.on("data", (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = output.split("\n").find((l) => l.startsWith("MC-HOST-RESULT ") && l.endsWith("}"));
      if (line) return { result: JSON.parse(line.slice("MC-HOST-RESULT ".length)) as AppResult, output };
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the simulator exited without a result:\n${output}`);
      if (Date.now() > deadline) throw new Error(`no result line after ${timeoutMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await stop(child, exited);
  }
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
    if (!killed) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
      await exited;
    }
  }
  running.delete(child);
}

before(async () => {
  if (skip) return;
  broker = await startBroker();
  playerKey = randomUUID();
  playerPem = broker.issuePlayer(playerKey);
  foreign = createForeignAuthority();
  const wrongCa = foreign.issuePlayer(randomUUID()).ca;

  // The service side: answers every request with its payload on response/<id>, QoS 1.
  service = await connectAsService(broker);
  service.on("message", (topic, payload) => {
    const parts = topic.split("/");
    if (parts[3] !== "request") return;
    if (parts[4]?.endsWith("-burst")) {
      // Five small QoS 0 messages written at once: the broker forwards them as back-to-back TLS records.
      for (let n = 0; n < 5; n++) void service!.publishAsync(`makapix/player/${parts[2]}/response/${parts[4]}/${n}`, `burst ${n}`, { qos: 0 });
      return;
    }
    void service!.publishAsync(`makapix/player/${parts[2]}/response/${parts[4]}`, payload, { qos: 1 });
  });
  await service.subscribeAsync("makapix/player/+/request/+", { qos: 1 });

  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo!.listen(0, "127.0.0.1", resolve));
  const echoAddress = echo.address();
  const echoPort = typeof echoAddress === "object" && echoAddress ? echoAddress.port : 0;

  const corrupting = await startCorrupter(broker.playerPort);
  corrupter = corrupting.server;
  const dnsServer = await startDns();
  dns = dnsServer?.server;
  const serialLine = await startPty();
  pty = serialLine?.process;

  namespace = `mh${randomUUID().slice(0, 8)}`;
  const artFiles = await artKernelFiles();
  const pngFiles = await pngKernelFiles();
  const bmpFiles = bmpKernelFiles();
  const mcso = build({
    artFiles,
    pngFiles,
    bmpFiles,
    brokerPort: broker.playerPort,
    echoPort,
    corruptPort: corrupting.port,
    closedPort: await freePort(),
    playerKey,
    ca: playerPem.ca,
    certificate: playerPem.certificate,
    key: playerPem.key,
    wrongCa,
    dnsServer: dnsServer?.address ?? "",
    dnsName: DNS_NAME,
    serialDevice: serialLine?.device ?? "",
    storageNamespace: namespace,
  });
  first = await runApp(mcso);
  writeFileSync(join(outDir, "first-run.log"), first.output);
  // The same build again: a restart, for the value left in storage.
  second = await runApp(mcso);
  writeFileSync(join(outDir, "second-run.log"), second.output);
});

after(async () => {
  for (const child of running) {
    if (child.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
  if (pty?.pid && pty.exitCode === null) {
    const exited = new Promise((resolve) => pty!.once("exit", resolve));
    pty.kill("SIGKILL");
    await exited;
  }
  dns?.close();
  await new Promise<void>((resolve) => (corrupter ? corrupter.close(() => resolve()) : resolve()));
  await service?.endAsync(true);
  await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
  await broker?.stop();
  foreign?.dispose();
  removeLeftoverStorage();
});

/**
 * The second run deletes what the first left in storage; when a run failed before that, the namespace
 * is removed from the simulator's shared preference file (/tmp/modpreferences.json) here.
 */
function removeLeftoverStorage(): void {
  if (!namespace || second?.result.checks.some((c) => c.name === "storage: delete removes it" && c.ok)) return;
  const file = "/tmp/modpreferences.json";
  try {
    const all = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    if (!(namespace in all)) return;
    delete all[namespace];
    writeFileSync(file, JSON.stringify(all));
  } catch {
    // No file, or not ours to repair.
  }
}

function expectChecks(result: AppResult | undefined, names: string[]): void {
  assert.ok(result, "the app printed a result");
  const failed = result.checks.filter((c) => !c.ok);
  assert.deepEqual(failed, [], "every check in the app passed");
  for (const name of names) {
    assert.ok(result.checks.some((c) => c.name === name), `the app ran "${name}"`);
  }
}

test("MQTT 5 over mutual TLS through the bindings: subscribe, QoS 1 publish, the service's reply received", { skip }, () => {
  expectChecks(first?.result, [
    "mqtt: connected over mutual TLS",
    "mqtt: subscribed to response/# (QoS 1 granted)",
    "mqtt: QoS 1 publish acknowledged",
    "mqtt: the service's QoS 1 reply arrives on response/<id>",
    "mqtt: messages sent back to back (TLS records read together) all arrive without further traffic",
  ]);
  // The ACL lets a player write request/+ and read response/# only under its own key, with the user
  // name taken from the certificate CN: the round trip passing means the broker identified the player.
});

test("TLS failures come through onError as TLS failures, never as a crash", { skip }, () => {
  expectChecks(first?.result, [
    "tls: a broker our CA did not sign is refused through onError, as a TLS failure",
    "tls: an unreadable CA PEM is reported through onError",
    "tls: without a client certificate the broker refuses us, reported as a TLS failure",
    "tls: a corrupted record after a good one is an onError, not an abort",
  ]);
  const refused = first!.result.checks.find((c) => c.name.startsWith("tls: a broker our CA"))!;
  assert.match(refused.detail, /^tls: certificate: auth err/);
  // Mosquitto answers the empty client certificate with an alert and closes. Depending on timing the
  // TLS stack reads the alert first, or our next write fails (EPIPE), after which the simulator's TCP
  // socket would never call onError again: the binding reports that itself.
  const noCert = first!.result.checks.find((c) => c.name.startsWith("tls: without a client certificate"))!;
  assert.match(noCert.detail, /^tls: (alert: 2, 40 \(handshake failure\)|handshake failed: connection lost \(write failed\))$/);
});

test("plain TCP: connect, write, read back in small pieces; a refused port is an onError", { skip }, () => {
  expectChecks(first?.result, ["tcp: onWritable(count) on connect", "tcp: echo comes back intact", "tcp: a refused connection is reported through onError"]);
});

test("DNS: a name resolved through the SDK's resolver; an unknown name is an onError", { skip }, (t) => {
  if (!dns) return t.skip("no DNS server: binding port 53 needs root");
  expectChecks(first?.result, ["dns: a name resolved through the SDK resolver connects", "dns: an unknown name is an onError"]);
});

test("serial (the simulator's embedded:io/serial on a pty): bytes out, the answer back in", { skip }, (t) => {
  if (!pty) return t.skip("no pty: python3 is missing");
  expectChecks(first?.result, ["serial: bytes out, the PC's answer back in"]);
});

test("the host's native art kernels (C) decode and composite GIFs and WebPs exactly as the TypeScript kernels, corrupt data too", { skip }, () => {
  expectChecks(first?.result, [
    "art kernels: the host carries the native GIF and compositor kernels",
    "art kernels: interlaced 64x64: native frames and error as TypeScript's",
    "art kernels: noisy 100x75 with transparency: native frames and error as TypeScript's",
    "art kernels: corrupt LZW data in a later frame: native frames and error as TypeScript's",
    "art kernels: the host carries the native WebP kernels",
    "art kernels: the host's WebP kernels decode VP8 modes and tokens and VP8L pixels and transforms in C",
    "art kernels: WebP lossless 48x40: native frames and error as TypeScript's",
    "art kernels: WebP lossy with alpha 72x56: native frames and error as TypeScript's",
    "art kernels: the WebP files went through the C modes, tokens, VP8L pixels and transforms",
  ]);
});

test("the host's PNG path (C filters and CRC, the SDK's miniz) decodes PNGs exactly as the TypeScript path, a bad filter type too", { skip }, () => {
  expectChecks(first?.result, [
    "png kernels: the host carries the native PNG kernels and inflater",
    "png kernels: RGBA 40x30, every filter type: native frames and error as TypeScript's",
    "png kernels: palette 4-bit 33x21 Adam7: native frames and error as TypeScript's",
    "png kernels: sharp RGB 48x40 adaptive filters: native frames and error as TypeScript's",
    "png kernels: filter type 5 in row 9: native frames and error as TypeScript's",
  ]);
});

test("the host's BMP row kernels (C) decode BMPs exactly as the TypeScript kernels, an index beyond the palette too", { skip }, () => {
  expectChecks(first?.result, [
    "bmp kernels: the host carries the native BMP kernels",
    ...bmpKernelFiles().map((file) => `bmp kernels: ${file.name}: native frames and error as TypeScript's`),
  ]);
});

test("the host's native JSON kernels (C) extract replies exactly as the TypeScript path, bad bytes too", { skip }, () => {
  expectChecks(first?.result, [
    "json kernels: the host carries the native string scanner",
    "json kernels: the host carries the native tokenizer loop",
    "json kernels: a query_posts reply: native records and error as TypeScript's",
    "json kernels: a reply with a bad UTF-8 byte: native records and error as TypeScript's",
    "json kernels: a bad UTF-8 byte in a skipped value: native records and error as TypeScript's",
  ]);
});

test("timers, clock, random and the log's key redaction", { skip }, () => {
  expectChecks(first?.result, [
    "clock: wall time once synchronised",
    "clock: monotonic does not go back",
    "timers: set(100) fires after ≥ 95 ms by the monotonic clock",
    "timers: repeat fires until cleared",
    "random: 64 bytes with at least 30 distinct values",
    "log: a private key block is redacted",
  ]);
  const output = first!.output;
  assert.match(output, /info: a line with a key in it: \[private key removed\]/);
  assert.ok(!output.includes("PRIVATE KEY"), "no private key block was printed");
  const keyBody = playerPem.key.split("\n")[5]!;
  assert.ok(keyBody.length > 40 && !output.includes(keyBody), "no line of the key's base64 was printed");
});

test("storage: text, bytes and limits; a value survives a restart of the app", { skip }, () => {
  expectChecks(first?.result, [
    "storage: text round trip (UTF-8, astral)",
    "storage: bytes round trip (a view)",
    "storage: empty value is not missing",
    "storage: a PEM certificate fits",
    "storage: a 22-character key is refused",
    "storage: a 5000-byte value is refused",
    "storage: keys lists what is stored",
  ]);
  assert.equal(first!.result.phase, "first");
  assert.equal(second?.result.phase, "second");
  expectChecks(second?.result, ["storage: the value written before the restart is read back", "storage: delete removes it"]);
});
