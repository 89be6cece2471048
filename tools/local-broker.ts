// A real Mosquitto configured like the Makapix service: an mTLS listener for players (client
// certificate required, CN = MQTT user name, the service's ACL patterns) and a password-protected
// plain listener for the service side. Started on free ports, stopped by PID, nothing left behind.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// This module runs from build/tools/: the script is two folders up either way.
const CERT_SCRIPT = fileURLToPath(new URL("../../certs/make-dev-certs.sh", import.meta.url));

export const SERVICE_USER = "makapix-service";

/** The ACL of the real service (makapix-protocol.md §1); everything else is denied. */
const ACL = `user ${SERVICE_USER}
topic readwrite makapix/#

pattern write makapix/player/%u/status
pattern write makapix/player/%u/request/+
pattern write makapix/player/%u/view
pattern write makapix/player/%u/capabilities
pattern write makapix/player/%u/state
pattern write makapix/player/%u/command/ack
pattern read makapix/player/%u/command
pattern read makapix/player/%u/response/#
pattern read makapix/player/%u/view/ack
`;

export interface PlayerCredentials {
  ca: string;
  certificate: string;
  key: string;
}

export interface TestBroker {
  readonly playerPort: number;
  readonly servicePort: number;
  readonly servicePassword: string;
  readonly caPem: string;
  /** The make-dev-certs.sh folder (ca.crt, broker.crt/.key valid for localhost): reusable for HTTPS. */
  readonly certsDir: string;
  readonly pid: number | undefined;
  /** Issues a certificate for `playerKey` from this broker's CA. */
  issuePlayer(playerKey: string): PlayerCredentials;
  /** Kills the broker (SIGKILL: no goodbye to clients) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same ports. */
  start(): Promise<void>;
  /** Stops the broker and removes its files. */
  stop(): Promise<void>;
  /** Everything Mosquitto logged so far. */
  log(): string;
}

/** A certificate authority unrelated to any broker: its players must be refused. */
export function createForeignAuthority(): { issuePlayer(playerKey: string): PlayerCredentials; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "makapix-foreign-ca-"));
  runCertScript(["ca", join(dir, "certs")]);
  return {
    issuePlayer: (playerKey) => issue(join(dir, "certs"), playerKey),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startBroker(): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), "makapix-broker-"));
  const certs = join(dir, "certs");
  runCertScript(["ca", certs]);
  const servicePassword = "service-" + Math.random().toString(36).slice(2);
  const passwordFile = join(dir, "passwords");
  writeFileSync(passwordFile, "", { mode: 0o600 });
  const passwd = spawnSync("mosquitto_passwd", ["-b", passwordFile, SERVICE_USER, servicePassword], { encoding: "utf8" });
  if (passwd.status !== 0) throw new Error(`mosquitto_passwd failed: ${passwd.stderr || passwd.error}`);
  writeFileSync(join(dir, "acl"), ACL);
  const playerPort = await freePort();
  const servicePort = await freePort();
  writeFileSync(
    join(dir, "mosquitto.conf"),
    [
      // Under root Mosquitto would drop to the 'mosquitto' user, who cannot read our 0700 temp dir.
      "user root",
      "per_listener_settings true",
      "persistence false",
      "log_dest stdout",
      "log_type all",
      `listener ${playerPort} 127.0.0.1`,
      `cafile ${join(certs, "ca.crt")}`,
      `certfile ${join(certs, "broker.crt")}`,
      `keyfile ${join(certs, "broker.key")}`,
      "require_certificate true",
      "use_identity_as_username true",
      "tls_version tlsv1.2",
      "allow_anonymous false",
      `acl_file ${join(dir, "acl")}`,
      `listener ${servicePort} 127.0.0.1`,
      "allow_anonymous false",
      `password_file ${passwordFile}`,
      `acl_file ${join(dir, "acl")}`,
      "",
    ].join("\n"),
  );

  let child: ChildProcess | undefined;
  let output = "";

  async function start(): Promise<void> {
    if (child) throw new Error("broker already running");
    const mosquitto = spawn("mosquitto", ["-c", join(dir, "mosquitto.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    child = mosquitto;
    mosquitto.stdout!.on("data", (data: Buffer) => (output += data.toString()));
    mosquitto.stderr!.on("data", (data: Buffer) => (output += data.toString()));
    const exited = new Promise<never>((_, reject) =>
      mosquitto.once("exit", (code) => reject(new Error(`mosquitto exited with ${code}:\n${output}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([Promise.all([waitForPort(playerPort), waitForPort(servicePort)]), exited]);
  }

  async function kill(): Promise<void> {
    const mosquitto = child;
    if (!mosquitto) return;
    child = undefined;
    if (mosquitto.exitCode !== null || mosquitto.signalCode !== null) return;
    const exited = new Promise((done) => mosquitto.once("exit", done));
    mosquitto.kill("SIGKILL");
    await exited;
  }

  await start();
  return {
    playerPort,
    servicePort,
    servicePassword,
    caPem: readFileSync(join(certs, "ca.crt"), "utf8"),
    certsDir: certs,
    get pid() {
      return child?.pid;
    },
    issuePlayer: (playerKey) => issue(certs, playerKey),
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}

function issue(certs: string, playerKey: string): PlayerCredentials {
  runCertScript(["player", certs, playerKey]);
  return {
    ca: readFileSync(join(certs, "ca.crt"), "utf8"),
    certificate: readFileSync(join(certs, `player-${playerKey}.crt`), "utf8"),
    key: readFileSync(join(certs, `player-${playerKey}.key`), "utf8"),
  };
}

function runCertScript(args: string[]): void {
  // Tests use 2048-bit CA/broker keys: production-shaped, a few seconds faster per run.
  const result = spawnSync("bash", [CERT_SCRIPT, ...args], {
    encoding: "utf8",
    env: { ...process.env, DEV_CERT_BITS: "2048" },
  });
  if (result.status !== 0) throw new Error(`certificate script failed: ${result.stderr}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        done(true);
      });
      socket.once("error", () => done(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
