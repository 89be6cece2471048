// `make provision`: gives a player its Wi-Fi, endpoints and certificates over its serial line, with the
// device's own protocol (src/device/provisioning-*.ts, the same codec the firmware runs).
//
//   node build/tools/provision.js --port /dev/ttyUSB0 --wifi "ssid:password" [--certs DIR]
//   node build/tools/provision.js --tcp 127.0.0.1:7000 ...      the virtual device or the simulator
//
// A board is reached through the `serialport` package (115200 baud); a PTY path works the same way.
// Every step is printed; every failure says what to check. After giving Wi-Fi it waits (bounded) until the
// device has joined or says why it could not. Exit code 0 when everything was accepted (and the Wi-Fi
// given was joined), 1 on a failure, 2 on a usage error.
// (Over 400 lines: a command-line tool's argument parsing, line opening, step-by-step explanations and
// the wizard's report text; the protocol itself lives in src/device/provisioning-client.ts.)

import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { ProvisioningClient, ProvisioningClientError, type CredentialSet, type DeviceInfo, type WizardReport, type WizardRequest } from "../src/device/provisioning-client.js";
import { FIRMWARE_VERSION } from "../src/device/firmware.js";
import { PROTOCOL_VERSION } from "../src/device/provisioning-frame.js";
import { scrubSecrets } from "../src/device/provisioning-handler.js";
import type { Timers, TimerId } from "../src/ports.js";

const USAGE = `usage: provision (--port PATH | --tcp HOST:PORT) [options]
  --port PATH          serial port of the board (/dev/ttyUSB0, /dev/ttyACM0, COM3) or a PTY
  --tcp HOST:PORT      the virtual device's or simulator's serial line over TCP
  --baud N             serial speed (default 115200)
  --wifi SSID:PASSWORD Wi-Fi network (the password may contain ':'; empty for an open network)
  --wifi-env NAME      the same, read from environment variable NAME (what make provision WIFI=... uses)
  --certs DIR          ca.pem, cert.pem and key.pem as downloaded from the website
  --token TOKEN        the player's API token (optional)
  --api URL            API base (default: the firmware's, https://makapix.club/api)
  --broker HOST:PORT   MQTT broker (default: the firmware's)
  --register           start registration (the panel then shows a code to type on the website)
  --wizard             run the panel wizard: the panel shows test patterns for the driver chip, scan,
                       clock phase and clock speed; type n (or Enter) for the next candidate, y to take
                       the one that looks right, s to skip the step, q to cancel (or use the board's
                       button: short press next, hold 1 s to take it); the result is stored on the device
  --log                print the device's recent log
  --factory-reset      erase the device's settings and credentials
  --reboot             restart the device at the end
  --wait SECONDS       how long to wait for the device to answer (default 10: a board restarts when its port opens)
  --join-wait SECONDS  after --wifi, how long to wait for the device to join or say why not (default 45:
                       the device's 30 s join limit and a margin)
  --timeout SECONDS    how long to wait for each reply (default 3)`;

class UsageError extends Error {}

interface Options {
  port?: string;
  tcp?: { host: string; port: number };
  baud: number;
  wifi?: { ssid: string; password: string };
  certs?: string;
  token?: string;
  api?: string;
  broker?: { host: string; port: number };
  register: boolean;
  wizard: boolean;
  log: boolean;
  factoryReset: boolean;
  reboot: boolean;
  waitSeconds: number;
  joinWaitSeconds: number;
  timeoutSeconds: number;
}

function hostPort(value: string, what: string): { host: string; port: number } {
  const colon = value.lastIndexOf(":");
  const port = Number(value.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${what} must be HOST:PORT, got "${value}"`);
  return { host: value.slice(0, colon), port };
}

function parseArguments(args: readonly string[]): Options {
  const options: Options = { baud: 115200, register: false, wizard: false, log: false, factoryReset: false, reboot: false, waitSeconds: 10, joinWaitSeconds: 45, timeoutSeconds: 3 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    const seconds = (): number => {
      const n = Number(value());
      if (!(n > 0)) throw new UsageError(`${arg} needs a number of seconds`);
      return n;
    };
    switch (arg) {
      case "--port": options.port = value(); break;
      case "--tcp": options.tcp = hostPort(value(), "--tcp"); break;
      case "--baud": options.baud = Number(value()); break;
      case "--wifi":
      case "--wifi-env": {
        // --wifi-env NAME: the text comes from that environment variable (make provision WIFI=…), so
        // the password is neither on the command line nor interpreted by a shell.
        const text = arg === "--wifi" ? value() : (process.env[value()] ?? "");
        const colon = text.indexOf(":");
        if (colon <= 0) throw new UsageError(`--wifi must be "SSID:PASSWORD" (SSID not empty), got "${text.replace(/:.*/, ":…")}"`);
        options.wifi = { ssid: text.slice(0, colon), password: text.slice(colon + 1) };
        break;
      }
      case "--certs": options.certs = value(); break;
      case "--token": options.token = value(); break;
      case "--api": options.api = value(); break;
      case "--broker": options.broker = hostPort(value(), "--broker"); break;
      case "--register": options.register = true; break;
      case "--wizard": options.wizard = true; break;
      case "--log": options.log = true; break;
      case "--factory-reset": options.factoryReset = true; break;
      case "--reboot": options.reboot = true; break;
      case "--wait": options.waitSeconds = seconds(); break;
      case "--join-wait": options.joinWaitSeconds = seconds(); break;
      case "--timeout": options.timeoutSeconds = seconds(); break;
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  if (!options.port && !options.tcp) throw new UsageError("say where the device is: --port PATH (make provision PORT=/dev/ttyUSB0) or --tcp HOST:PORT");
  if (options.port && options.tcp) throw new UsageError("--port and --tcp exclude each other");
  return options;
}

function say(message: string): void {
  console.log(`[provision] ${message}`);
}

/** A failure the user can act on; printed without a stack. */
class ProvisionFailure extends Error {}

const nodeTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms) as unknown as TimerId,
  repeat: (callback, ms) => setInterval(callback, ms) as unknown as TimerId,
  clear: (id) => clearTimeout(id as unknown as NodeJS.Timeout),
};

interface Line {
  write(bytes: Uint8Array): void;
  /** Bytes from the device; `closed` when the line went away. */
  listen(data: (bytes: Uint8Array) => void, closed: (reason: string) => void): void;
  close(): Promise<void>;
}

function describeSerialError(path: string, message: string): string {
  if (/No such file|ENOENT|cannot find/i.test(message)) {
    return `no device at ${path}: the port does not exist. Is the board plugged in (with a data cable)? Ports present: ls /dev/ttyUSB* /dev/ttyACM*`;
  }
  if (/Permission denied|EACCES/i.test(message)) {
    return `permission denied on ${path}: add yourself to the dialout group (sudo usermod -aG dialout $USER), then log in again`;
  }
  if (/busy|lock/i.test(message)) return `${path} is in use by another program (a serial monitor? close it first)`;
  if (/Inappropriate ioctl/i.test(message)) return `${path} is not a serial port`;
  return `cannot open ${path}: ${message}`;
}

function openSerial(path: string, baudRate: number): Promise<Line> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((error) => {
      if (error) {
        reject(new ProvisionFailure(describeSerialError(path, error.message)));
        return;
      }
      // Release the ESP32's auto-reset lines (DTR and RTS off: EN and IO0 high), as idf.py monitor
      // does, so the board runs its firmware rather than staying in reset or the ROM bootloader.
      // A PTY has no modem lines; that error is ignored.
      port.set({ dtr: false, rts: false }, () => {});
      resolve({
        write: (bytes) => {
          port.write(Buffer.from(bytes));
        },
        listen: (data, closed) => {
          port.on("data", (chunk: Buffer) => data(chunk));
          port.on("close", () => closed(`${path} closed (board unplugged?)`));
          port.on("error", (e: Error) => closed(`${path}: ${e.message}`));
        },
        close: () => new Promise<void>((done) => (port.isOpen ? port.close(() => done()) : done())),
      });
    });
  });
}

function openTcp(host: string, portNumber: number): Promise<Line> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: portNumber });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "ECONNREFUSED" ? "connection refused (is the virtual device or simulator running with its serial line on this port?)" : error.message;
      reject(new ProvisionFailure(`no device at ${host}:${portNumber}: ${why}`));
    });
    socket.once("connect", () => {
      socket.setNoDelay(true);
      resolve({
        write: (bytes) => {
          socket.write(Buffer.from(bytes));
        },
        listen: (data, closed) => {
          socket.on("data", (chunk: Buffer) => data(chunk));
          socket.on("close", () => closed(`the connection to ${host}:${portNumber} closed`));
        },
        close: () =>
          new Promise<void>((done) => {
            socket.end(() => done());
            setTimeout(() => {
              socket.destroy();
              done();
            }, 500).unref();
          }),
      });
    });
  });
}

/** What a refusal means for the user. */
function explain(step: string, error: unknown): ProvisionFailure {
  if (error instanceof ProvisioningClientError) {
    if (error.kind === "timeout") return new ProvisionFailure(`${step}: the device stopped answering (${error.reason}); check the cable and try again`);
    if (error.kind === "closed") return new ProvisionFailure(`${step}: ${error.reason}`);
    if (error.code === "version_mismatch") {
      return new ProvisionFailure(`${step}: the device speaks provisioning protocol ${error.deviceVersion ?? "?"} and this tool ${PROTOCOL_VERSION}: update the tool or the firmware`);
    }
    return new ProvisionFailure(`${step}: refused by the device (${error.code}): ${error.reason}`);
  }
  return new ProvisionFailure(`${step}: ${error instanceof Error ? error.message : String(error)}`);
}

function readCertificates(dir: string, token: string | undefined): { set: CredentialSet; subject: string; notAfter: string } {
  const read = (name: string): string => {
    const path = join(dir, name);
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ProvisionFailure(code === "ENOENT" ? `${path} is missing: the folder needs ca.pem, cert.pem and key.pem as downloaded from the website` : `cannot read ${path}: ${(error as Error).message}`);
    }
  };
  const ca = read("ca.pem");
  const certificate = read("cert.pem");
  const key = read("key.pem");
  let playerKey: string | undefined;
  let subject = "unknown subject";
  let notAfter = "unknown";
  try {
    const parsed = new X509Certificate(certificate);
    // The key is a secret (protocol sheet §7): never printed in full, even from the owner's own file.
    subject = scrubSecrets(parsed.subject.replace(/\n/g, ", "), undefined);
    notAfter = new Date(parsed.validTo).toISOString().slice(0, 10);
    // The certificate's CN is the player key (protocol sheet §2).
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(parsed.subject)?.[1];
    if (cn) playerKey = cn.trim();
  } catch {
    // The device judges; a certificate Node cannot parse is sent as it is and refused there if wrong.
  }
  return { set: { ca, certificate, key, playerKey, apiToken: token }, subject, notAfter };
}

function describe(info: DeviceInfo): string {
  const parts = [`firmware ${info.firmwareVersion}`, `state ${info.state}`];
  parts.push(info.playerKey ? `player ${info.playerKey}` : "no player key");
  if (info.certNotAfter) parts.push(`certificate valid until ${new Date(info.certNotAfter * 1000).toISOString().slice(0, 10)}`);
  else parts.push(info.hasCredentials ? "certificate expiry unknown" : "no credentials");
  if (info.wifiSsid) parts.push(`Wi-Fi "${info.wifiSsid}"`);
  if (info.apiBase) parts.push(`API ${info.apiBase}`);
  if (info.brokerHost) parts.push(`broker ${info.brokerHost}:${info.brokerPort ?? "?"}`);
  if (info.wifiUp !== undefined) parts.push(info.wifiUp ? "online" : "offline");
  if (info.retryInMs !== undefined) parts.push(`failed: ${info.lastError ?? "?"} (trying again in ${Math.ceil(info.retryInMs / 1000)} s)`);
  return parts.join(", ");
}

/** The device's states while it joins Wi-Fi (loading only for an instant, as it restarts from the settings). */
const JOINING_STATES: readonly string[] = ["loading", "wifi"];
const JOIN_POLL_MS = 250;
const JOIN_PROGRESS_MS = 5000;

type JoinOutcome = { joined: true; info: DeviceInfo } | { joined: false; reason: string; info: DeviceInfo | undefined };

/**
 * Polls the device's info until it leaves the joining state (joined) or reports a failed join (its
 * reason, while it waits to try again), for at most `limitSeconds`. A device whose firmware does not
 * report its Wi-Fi (no WIFI_UP field) is not waited for.
 */
async function awaitJoin(client: ProvisioningClient, ssid: string, limitSeconds: number): Promise<JoinOutcome | undefined> {
  const started = Date.now();
  const deadline = started + limitSeconds * 1000;
  let progressAt = started + JOIN_PROGRESS_MS;
  let info: DeviceInfo | undefined;
  say(`waiting for the device to join "${ssid}" (up to ${limitSeconds} s)…`);
  for (;;) {
    try {
      info = await client.info();
    } catch (error) {
      throw explain("Wi-Fi", error);
    }
    if (info.wifiUp === undefined) return undefined;
    if (!JOINING_STATES.includes(info.state)) {
      if (info.wifiUp) return { joined: true, info };
      return { joined: false, reason: info.lastError ?? `the device is in state ${info.state}, offline`, info };
    }
    if (info.state === "wifi" && info.retryInMs !== undefined) return { joined: false, reason: info.lastError ?? "could not join", info };
    const now = Date.now();
    if (now >= deadline) return { joined: false, reason: `still joining after ${limitSeconds} s`, info };
    if (now >= progressAt) {
      say(`  still joining (${Math.round((now - started) / 1000)} s)`);
      progressAt += JOIN_PROGRESS_MS;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(JOIN_POLL_MS, deadline - now)));
  }
}

async function hello(client: ProvisioningClient, options: Options, where: string): Promise<DeviceInfo> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await client.hello(`makapix-provision ${FIRMWARE_VERSION}`, 1000, 0);
    } catch (error) {
      lastError = error;
      // Quiet while the board boots, or a reply damaged by its boot messages: ask again.
      const again = error instanceof ProvisioningClientError && (error.kind === "timeout" || error.code === "corrupt");
      if (!again) throw explain("hello", error);
    }
  }
  if (client.noiseBytes > 0) {
    throw new ProvisionFailure(
      `${where} sent ${client.noiseBytes} bytes but no provisioning reply within ${options.waitSeconds} s: ` +
        "another firmware, or the wrong baud rate? Flash the Makapix player firmware (make flash) and try again",
    );
  }
  throw new ProvisionFailure(
    `no reply from ${where} within ${options.waitSeconds} s (nothing arrived): is the firmware running, and is this its port? (${String((lastError as Error | undefined)?.message ?? "")})`,
  );
}

/** One line about where the wizard is. */
function describeWizard(report: WizardReport): string {
  if (report.state !== "running") return `${report.state}${report.drive ? `: ${report.drive}` : ""}${report.problem ? ` (${report.problem})` : ""}`;
  const text = `step ${report.stepNumber}/${report.stepCount} ${report.step}: candidate ${report.candidateNumber}/${report.candidateCount} ${report.candidate} — looking for ${report.hint}`;
  return report.problem ? `${text} [cannot be set up: ${report.problem}]` : text;
}

const WIZARD_KEYS: { readonly [key: string]: WizardRequest } = { "": "NEXT", n: "NEXT", y: "CONFIRM", s: "SKIP", q: "CANCEL" };
/** How often the CLI asks the device where the wizard is, to show what the board's button did. */
const WIZARD_POLL_MS = 1000;

/**
 * The panel wizard from the keyboard: one line per answer (n/Enter, y, s, q). Also follows the board's
 * button (a poll each second). Ends when the device says the wizard ended; fails unless it saved.
 */
async function runWizard(client: ProvisioningClient): Promise<void> {
  const ask = async (request: WizardRequest): Promise<WizardReport> => {
    try {
      return await client.panelWizard(request);
    } catch (error) {
      if (error instanceof ProvisioningClientError && error.code === "unknown_command") {
        throw new ProvisionFailure("panel wizard: this firmware has no panel wizard (update it: make flash)");
      }
      throw explain("panel wizard", error);
    }
  };
  let report = await ask("START");
  say(`panel wizard: ${describeWizard(report)}`);
  say("  n or Enter: next candidate · y: this one is right · s: skip this step · q: cancel");
  const lines = createInterface({ input: process.stdin, terminal: false });
  const queue: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  lines.on("line", (line) => {
    queue.push(line.trim().toLowerCase());
    wake?.();
  });
  lines.on("close", () => {
    ended = true;
    wake?.();
  });
  try {
    let last = describeWizard(report);
    while (report.state === "running") {
      if (queue.length === 0) {
        if (ended) {
          report = await ask("CANCEL");
          say("panel wizard: no more input, cancelled");
          break;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, WIZARD_POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        if (queue.length === 0) report = await ask("STATUS");
      } else {
        const key = queue.shift()!;
        const request = WIZARD_KEYS[key];
        if (request === undefined) {
          say(`  "${key}": type n (or Enter), y, s or q`);
          continue;
        }
        report = await ask(request);
      }
      const now = describeWizard(report);
      if (now !== last) say(`panel wizard: ${now}`);
      last = now;
    }
  } finally {
    lines.close();
  }
  if (report.state !== "saved") throw new ProvisionFailure(`panel wizard ${report.state}: nothing was changed${report.problem ? ` (${report.problem})` : ""}`);
  say(`panel settings stored: ${report.drive ?? "?"}`);
}

async function run(options: Options): Promise<void> {
  const where = options.port ?? `${options.tcp!.host}:${options.tcp!.port}`;
  say(options.port ? `opening ${options.port} at ${options.baud} baud` : `connecting to ${where}`);
  const line = options.port ? await openSerial(options.port, options.baud) : await openTcp(options.tcp!.host, options.tcp!.port);
  // A reply gets --timeout seconds and two more tries (a damaged frame is asked for again).
  const client = new ProvisioningClient((bytes) => line.write(bytes), nodeTimers, { timeoutMs: options.timeoutSeconds * 1000, retries: 2 });
  line.listen((bytes) => client.receive(bytes), (reason) => client.close(reason));
  try {
    let info = await hello(client, options, where);
    say(`device: ${describe(info)}`);
    if (info.protocolVersion !== PROTOCOL_VERSION) say(`note: the device speaks protocol ${info.protocolVersion}, this tool ${PROTOCOL_VERSION}`);
    const step = async (name: string, action: () => Promise<void>, done: string) => {
      say(`${name}…`);
      try {
        await action();
      } catch (error) {
        throw explain(name, error);
      }
      say(done);
    };
    if (options.factoryReset) await step("factory reset", () => client.factoryReset(), "factory reset done: settings and credentials erased");
    if (options.wifi) {
      const { ssid, password } = options.wifi;
      await step(`Wi-Fi "${ssid}"`, () => client.setWifi(ssid, password), `Wi-Fi set ("${ssid}", ${password ? "with a password" : "open network"})`);
    }
    if (options.api || options.broker) {
      const endpoints = { apiBase: options.api, brokerHost: options.broker?.host, brokerPort: options.broker?.port };
      await step("endpoints", () => client.setEndpoints(Object.fromEntries(Object.entries(endpoints).filter(([, v]) => v !== undefined))), "endpoints set");
    }
    if (options.certs) {
      const { set, subject, notAfter } = readCertificates(options.certs, options.token);
      say(`certificates from ${options.certs}: ${subject}, valid until ${notAfter}`);
      let shown = -1;
      await step(
        "credentials",
        () =>
          client.putCredentials(set, (sent, total) => {
            const percent = Math.floor((sent * 100) / total);
            if (percent >= shown + 25 || sent === total) {
              shown = percent;
              say(`  sent ${sent} of ${total} bytes (${percent}%)`);
            }
          }),
        "credentials stored on the device",
      );
    }
    if (options.wizard) await runWizard(client);
    if (options.register) await step("registration", () => client.startRegistration(), "registration started: type the code the panel shows on the site it names (on makapix.club: Settings › Players › Add device)");
    // Stored is not joined: the Wi-Fi given is judged by the device joining it (after every other
    // setting, since each restarts the device's steps).
    let joinFailure: string | undefined;
    if (options.wifi) {
      const { ssid } = options.wifi;
      const outcome = await awaitJoin(client, ssid, options.joinWaitSeconds);
      if (outcome === undefined) say("this firmware does not report joining Wi-Fi: watch the panel (Wi-Fi…, then Clock… or the code)");
      else if (outcome.joined) say(`Wi-Fi "${ssid}" joined`);
      else {
        joinFailure = `Wi-Fi "${ssid}": the device could not join: ${outcome.reason}. Check the name and the password (case matters; 2.4 GHz only) and provision again; the device keeps trying meanwhile`;
        say(`Wi-Fi "${ssid}" not joined: ${outcome.reason}`);
      }
    }
    info = await client.info().catch((error: unknown) => {
      throw explain("info", error);
    });
    say(`device now: ${describe(info)}`);
    if (options.log) {
      const lines = await client.recentLog().catch((error: unknown) => {
        throw explain("log", error);
      });
      say(`recent log (${lines.length} lines):`);
      for (const text of lines) console.log(`  ${text}`);
    }
    if (joinFailure !== undefined) throw new ProvisionFailure(joinFailure);
    if (options.reboot) await step("reboot", () => client.reboot(), "the device restarts");
    if (client.corruptReplies > 0) say(`(${client.corruptReplies} damaged frames on the line were skipped)`);
    say("done");
  } finally {
    await line.close();
  }
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`[provision] ${error.message}\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  try {
    await run(options);
    process.exit(0);
  } catch (error) {
    console.error(`[provision] failed: ${error instanceof ProvisionFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  }
}

await main();
