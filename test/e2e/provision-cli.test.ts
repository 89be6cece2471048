// The provisioning CLI (build/tools/provision.js, a real child process) against the device's real
// protocol handler (src/device/provisioning-handler.ts with an in-memory target) on the Node host's
// serial line over TCP (hosts/node/serial.ts). Between them a proxy cuts the stream into random slices
// and throws boot-message noise and garbage onto the line in both directions. Certificates are real
// (certs/make-dev-certs.sh). Also: each failure the user can meet prints what to check.
// With python3's pty module, the CLI also reaches the device through a PTY via the serialport package.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { createServer, connect, type Server, type Socket as NodeSocket, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TcpSerial } from "../../hosts/node/serial.js";
import { NodeLog } from "../../hosts/node/host.js";
import { ProvisioningHandler } from "../../src/device/provisioning-handler.js";
import type { Timers, TimerId } from "../../src/ports.js";
import { xorshiftRandom } from "../support/bytes.js";
import { MemoryTarget } from "../support/provisioning.js";

const cli = fileURLToPath(new URL("../../tools/provision.js", import.meta.url));
const projectRoot = fileURLToPath(new URL("../../..", import.meta.url));
const PLAYER_KEY = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
let work = "";
let certs = "";
const servers: { close(): unknown }[] = [];
const children: ChildProcess[] = [];

const timers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms) as unknown as TimerId,
  repeat: (callback, ms) => setInterval(callback, ms) as unknown as TimerId,
  clear: (id) => clearTimeout(id as unknown as NodeJS.Timeout),
};

before(() => {
  work = mkdtempSync(join(tmpdir(), "provision-e2e-"));
  const ca = join(work, "ca");
  execFileSync("bash", [join(projectRoot, "certs/make-dev-certs.sh"), "ca", ca], { env: { ...process.env, DEV_CERT_BITS: "2048" }, stdio: "ignore" });
  execFileSync("bash", [join(projectRoot, "certs/make-dev-certs.sh"), "player", ca, PLAYER_KEY], { stdio: "ignore" });
  // As the website's download names them.
  certs = join(work, "download");
  mkdirSync(certs);
  copyFileSync(join(ca, "ca.crt"), join(certs, "ca.pem"));
  copyFileSync(join(ca, `player-${PLAYER_KEY}.crt`), join(certs, "cert.pem"));
  copyFileSync(join(ca, `player-${PLAYER_KEY}.key`), join(certs, "key.pem"));
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
  for (const server of servers) await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** The device: the real handler and an in-memory target on a TCP "serial line". */
async function startDevice(): Promise<{ serial: TcpSerial; target: MemoryTarget; handler: ProvisioningHandler; logLines: string[] }> {
  const serial = new TcpSerial();
  await serial.listen();
  servers.push(serial);
  const target = new MemoryTarget();
  const logLines: string[] = [];
  const handler = new ProvisioningHandler(target, { timers, log: new NodeLog("debug", (line) => logLines.push(line)) });
  handler.open(serial);
  servers.push({ close: () => handler.close() });
  return { serial, target, handler, logLines };
}

const NOISE = Buffer.from("I (4711) wifi:state: init -> auth (b0)\r\nE (4712) boot: \xa5\x4d\x01 not a frame\r\n", "latin1");

/** A proxy that slices the stream randomly and adds noise between slices (and now and then inside a frame). */
async function startNoisyProxy(to: number, seed: number): Promise<{ port: number; noiseBytes: () => number }> {
  const random = xorshiftRandom(seed);
  let noise = 0;
  const forward = (from: NodeSocket, into: NodeSocket) => {
    from.on("data", (data: Buffer) => {
      if (random() < 0.5) {
        into.write(NOISE);
        noise += NOISE.length;
      }
      for (let at = 0; at < data.length; ) {
        const size = 1 + Math.floor(random() * 97);
        into.write(data.subarray(at, at + size));
        at += size;
        if (at < data.length && random() < 0.03) {
          // Garbage in the middle of a frame: that frame is lost, and must be asked for again.
          const garbage = Buffer.from([0xa5, Math.floor(random() * 256), Math.floor(random() * 256)]);
          into.write(garbage);
          noise += garbage.length;
        }
      }
    });
    from.on("close", () => into.destroy());
    from.on("error", () => into.destroy());
  };
  const server: Server = createServer((client) => {
    const device = connect({ host: "127.0.0.1", port: to });
    forward(client, device);
    forward(device, client);
  });
  return { port: await listenTracked(server), noiseBytes: () => noise };
}

/** Listens on a free port; the returned close also destroys the connections still open. */
async function listenTracked(server: Server): Promise<number> {
  const sockets = new Set<NodeSocket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  });
  return (server.address() as AddressInfo).port;
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `watch` sees the standard output so far each time more arrives. */
function runCli(args: string[], timeoutMs = 60_000, watch?: (stdout: string) => void): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => {
      stdout += data.toString();
      watch?.(stdout);
    });
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const timer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("hello → Wi-Fi → certificates → info shows the key redacted, through noise and random slicing", async () => {
  const device = await startDevice();
  const proxy = await startNoisyProxy(device.serial.port, 12);
  const run = await runCli(["--tcp", `127.0.0.1:${proxy.port}`, "--wifi", "Home Net:pass:word", "--certs", certs, "--api", "https://makapix.test/api", "--broker", "mqtt.makapix.test:8883", "--timeout", "1"]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const out = run.stdout;
  assert.match(out, /device: firmware \d+\.\d+\.\d+, state provisioning, no player key, no credentials/);
  assert.match(out, /Wi-Fi set \("Home Net", with a password\)/);
  assert.match(out, /certificates from .*CN=0a1b\.\.\.3c4d, valid until \d{4}-/);
  assert.match(out, /sent \d+ of \d+ bytes \(100%\)/);
  assert.match(out, /credentials stored on the device/);
  assert.match(out, /this firmware does not report joining Wi-Fi: watch the panel/, "an older device's info (no Wi-Fi state) is not waited on");
  assert.match(out, /device now: .*state connecting, player 0a1b\.\.\.3c4d, certificate valid until 2029-01-01, Wi-Fi "Home Net", API https:\/\/makapix\.test\/api, broker mqtt\.makapix\.test:8883/);
  // What the device received: exactly the files, and the key named by the certificate's CN.
  const credentials = device.target.credentials!;
  assert.equal(credentials.ca, readFileSync(join(certs, "ca.pem"), "utf8"));
  assert.equal(credentials.certificate, readFileSync(join(certs, "cert.pem"), "utf8"));
  assert.equal(credentials.key, readFileSync(join(certs, "key.pem"), "utf8"));
  assert.equal(credentials.playerKey, PLAYER_KEY);
  assert.deepEqual(device.target.wifi, { ssid: "Home Net", password: "pass:word" });
  assert.deepEqual(device.target.endpoints, { apiBase: "https://makapix.test/api", brokerHost: "mqtt.makapix.test", brokerPort: 8883 });
  // The noise was there, and neither side printed a secret.
  assert.ok(proxy.noiseBytes() > 200, `noise ${proxy.noiseBytes()}`);
  assert.ok(device.handler.lineStats.skippedBytes > 100);
  const keyBody = readFileSync(join(certs, "key.pem"), "utf8").split("\n")[1]!;
  for (const text of [out, run.stderr, device.logLines.join("\n")]) {
    assert.ok(!text.includes(PLAYER_KEY), "full player key printed");
    assert.ok(!text.includes(keyBody), "private key printed");
    assert.ok(!text.includes("pass:word"), "Wi-Fi password printed");
  }
});

test("after Wi-Fi the CLI waits for the device's join: progress, then joined (exit 0), or still joining at its limit (exit 1)", async () => {
  const device = await startDevice();
  device.target.state = "wifi";
  device.target.wifiUp = false;
  // The device joins once the CLI has said it is still waiting.
  let run = await runCli(["--tcp", device.serial.address, "--wifi", "Attic:secret-pass", "--join-wait", "20"], 60_000, (stdout) => {
    if (!stdout.includes("still joining (5 s)")) return;
    device.target.state = "clock";
    device.target.wifiUp = true;
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /waiting for the device to join "Attic" \(up to 20 s\)…\n.*still joining \(5 s\)\n.*Wi-Fi "Attic" joined\n/);
  assert.match(run.stdout, /device now: .*state clock, .*online/);

  device.target.state = "wifi";
  device.target.wifiUp = false;
  device.target.lastError = "an old failure";
  run = await runCli(["--tcp", device.serial.address, "--wifi", "Attic:secret-pass", "--join-wait", "1"]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /failed: Wi-Fi "Attic": the device could not join: still joining after 1 s\./, "an old failure without a retry pending is not this join's");
  assert.doesNotMatch(run.stdout + run.stderr, /secret-pass/);
});

test("a refused setting shows the device's typed error and exits 1; the log and reboot work", async () => {
  const device = await startDevice();
  device.target.refuse.setWifi = "Wi-Fi is locked by the owner";
  let run = await runCli(["--tcp", device.serial.address, "--wifi", "Cafe:", "--timeout", "1"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /failed: Wi-Fi "Cafe": refused by the device \(refused\): Wi-Fi is locked by the owner/);
  run = await runCli(["--tcp", device.serial.address, "--wifi", `${"x".repeat(40)}:pw`]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /refused by the device \(too_large\): field 6 has 40 bytes \(at most 32\)/);
  // A certificate in place of the key: the device says what is wrong and keeps nothing.
  const wrong = join(work, "wrong");
  mkdirSync(wrong, { recursive: true });
  for (const name of ["ca.pem", "cert.pem"]) copyFileSync(join(certs, name), join(wrong, name));
  copyFileSync(join(certs, "cert.pem"), join(wrong, "key.pem"));
  run = await runCli(["--tcp", device.serial.address, "--certs", wrong]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /credentials: refused by the device \(refused\): private key: not a PEM "PRIVATE KEY" block/);
  assert.equal(device.target.credentials, undefined);
  device.target.log = ["boot", `registered ${PLAYER_KEY}`, `command ${"7c9e6679-7425-40de-944b-e07fc1f90ae7"} done`];
  run = await runCli(["--tcp", device.serial.address, "--log", "--reboot"]);
  assert.equal(run.code, 0, run.stderr);
  // The device has no credentials yet, so it does not know this key: anything shaped like one is redacted.
  assert.match(run.stdout, /recent log \(3 lines\):\n  boot\n  registered 0a1b\.\.\.3c4d\n  command 7c9e\.\.\.0ae7 done\n/);
  assert.match(run.stdout, /the device restarts/);
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(device.target.reboots, 1);
});

test("no device, another firmware, a silent line, a missing file: each says what to check", async () => {
  // Nothing listening.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  let run = await runCli(["--tcp", `127.0.0.1:${closedPort}`]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no device at 127\.0\.0\.1:\d+: connection refused/);
  run = await runCli(["--port", "/dev/ttyMAKAPIX-NONE"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no device at \/dev\/ttyMAKAPIX-NONE: the port does not exist/);
  run = await runCli(["--port", "/dev/null"]);
  assert.match(run.stderr, /\/dev\/null is not a serial port/);

  // Another firmware: chatty, never a frame.
  const other = createServer((socket) => {
    const timer = setInterval(() => socket.write("rst:0x1 (POWERON_RESET),boot:0x13\r\nHello from MicroPython\r\n>>> "), 100);
    socket.on("close", () => clearInterval(timer));
    socket.on("error", () => clearInterval(timer));
  });
  run = await runCli(["--tcp", `127.0.0.1:${await listenTracked(other)}`, "--wait", "2"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /sent \d+ bytes but no provisioning reply within 2 s: another firmware, or the wrong baud rate\?/);

  run = await runCli(["--tcp", `127.0.0.1:${await listenTracked(createServer(() => {}))}`, "--wait", "1.5"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no reply from 127\.0\.0\.1:\d+ within 1\.5 s \(nothing arrived\)/);

  const device = await startDevice();
  const partial = join(work, "partial");
  mkdirSync(partial, { recursive: true });
  writeFileSync(join(partial, "ca.pem"), readFileSync(join(certs, "ca.pem")));
  run = await runCli(["--tcp", device.serial.address, "--certs", partial]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /partial\/cert\.pem is missing: the folder needs ca\.pem, cert\.pem and key\.pem/);

  run = await runCli(["--wifi", "x:y"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /say where the device is: --port PATH/);
});

test("one client at a time on the TCP serial line", async () => {
  const device = await startDevice();
  const first = connect({ host: "127.0.0.1", port: device.serial.port });
  await new Promise((resolve) => first.once("connect", resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const run = await runCli(["--tcp", device.serial.address, "--wait", "1"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no provisioning reply|connection to .* closed/);
  assert.equal(device.serial.refused, 1);
  first.destroy();
});

const hasPty = spawnSync("python3", ["-c", "import pty, termios"], { stdio: "ignore" }).status === 0;

test("through a PTY with the serialport package, as a board's USB serial port", { skip: hasPty ? false : "python3 with the pty module is not available" }, async () => {
  const device = await startDevice();
  // A PTY whose master side is relayed to the device's TCP serial line (what a USB-serial adapter is to a UART).
  const bridge = spawn("python3", ["-u", "-c", PTY_BRIDGE, String(device.serial.port)], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(bridge);
  const path = await new Promise<string>((resolve, reject) => {
    bridge.stdout.once("data", (data: Buffer) => resolve(data.toString().trim()));
    bridge.once("exit", (code) => reject(new Error(`pty bridge exited ${code}`)));
  });
  try {
    const run = await runCli(["--port", path, "--wifi", "Attic:secret", "--certs", certs]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`opening ${path} at 115200 baud`));
    assert.match(run.stdout, /player 0a1b\.\.\.3c4d/);
    assert.equal(device.target.wifi?.ssid, "Attic");
    assert.equal(device.target.credentials?.playerKey, PLAYER_KEY);
  } finally {
    if (bridge.pid) process.kill(bridge.pid, "SIGTERM");
  }
});

// Opens a PTY in raw mode, prints the slave's path, and relays bytes between the master and a TCP
// connection to the device's serial line, until either side closes.
const PTY_BRIDGE = `
import os, pty, select, socket, sys, tty
master, slave = pty.openpty()
tty.setraw(slave)
print(os.ttyname(slave), flush=True)
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
while True:
    ready, _, _ = select.select([master, sock], [], [])
    if master in ready:
        try:
            data = os.read(master, 4096)
        except OSError:
            data = b""
        if data:
            sock.sendall(data)
    if sock in ready:
        data = sock.recv(4096)
        if not data:
            break
        os.write(master, data)
`;
