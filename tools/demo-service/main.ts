// The demo Makapix service on the command line.
//
//   node build/tools/demo-service/main.js --local
//       starts a local Mosquitto (mTLS for players) as well, and writes one player's credentials
//   node build/tools/demo-service/main.js --broker mqtt://127.0.0.1:1883 --username U --password P
//       serves players of an existing broker through its service listener
//   options: --control-port N (default 8088; 0 = any free port)  --vault-http-port N  --vault-https-port N
//            --catalogue DIR  --seed N  --api-http-port N  --api-https-port N
// Ctrl-C (or SIGTERM/SIGHUP) stops everything it started.

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVICE_USER, startBroker, type TestBroker } from "../local-broker.js";
import { redact, startDemoService } from "./service.js";
import { tlsFromCertsDir } from "./vault.js";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

function numberArgument(name: string): number | undefined {
  const value = argument(name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} needs a port number`);
  return n;
}

async function main(): Promise<void> {
  let broker: TestBroker | undefined;
  let credentialsDir: string | undefined;
  let connection: { brokerUrl: string; username: string; password: string };
  if (process.argv.includes("--local")) {
    broker = await startBroker();
    connection = { brokerUrl: `mqtt://127.0.0.1:${broker.servicePort}`, username: SERVICE_USER, password: broker.servicePassword };
  } else {
    const brokerUrl = argument("broker");
    const username = argument("username");
    const password = argument("password");
    if (!brokerUrl || !username || password === undefined) throw new Error("use --local, or --broker URL --username U --password P");
    connection = { brokerUrl, username, password };
  }

  const vaultHttpPort = numberArgument("vault-http-port");
  const vaultHttpsPort = numberArgument("vault-https-port");
  const seed = argument("seed");
  const catalogueDir = argument("catalogue");
  const service = await startDemoService({
    ...connection,
    controlPort: numberArgument("control-port") ?? 8088,
    ...(broker ? { vaultTls: tlsFromCertsDir(broker.certsDir), certsDir: broker.certsDir, playerBroker: { host: "localhost", port: broker.playerPort } } : {}),
    ...(numberArgument("api-http-port") !== undefined ? { apiHttpPort: numberArgument("api-http-port")! } : {}),
    ...(numberArgument("api-https-port") !== undefined ? { apiHttpsPort: numberArgument("api-https-port")! } : {}),
    ...(vaultHttpPort !== undefined ? { vaultHttpPort } : {}),
    ...(vaultHttpsPort !== undefined ? { vaultHttpsPort } : {}),
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(catalogueDir !== undefined ? { vaultDir: catalogueDir } : {}),
    log: (line) => console.log(line),
  });
  console.log(`[demo-service] ${service.catalogue.posts.length} posts; vault ${service.vaultUrls.https} and ${service.vaultUrls.http}`);
  console.log(`[demo-service] control: ${service.controlUrl}  (GET /players, POST /players/{key}/commands)`);
  console.log(`[demo-service] player API: ${service.apiUrls.https} (and ${service.apiUrls.http}); Add device page: ${service.registerPageUrl}`);
  if (broker) {
    const playerKey = randomUUID();
    const credentials = broker.issuePlayer(playerKey);
    credentialsDir = mkdtempSync(join(tmpdir(), "makapix-demo-player-"));
    writeFileSync(join(credentialsDir, "ca.pem"), credentials.ca);
    writeFileSync(join(credentialsDir, "cert.pem"), credentials.certificate);
    writeFileSync(join(credentialsDir, "key.pem"), credentials.key, { mode: 0o600 });
    console.log(`[demo-service] Mosquitto pid ${broker.pid}: players on localhost:${broker.playerPort} (mTLS)`);
    console.log(`[demo-service] player ${redact(playerKey)}: node build/tools/demo.js --broker localhost:${broker.playerPort} --ca ${credentialsDir}/ca.pem --cert ${credentialsDir}/cert.pem --key ${credentialsDir}/key.pem`);
  }

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log("\n[demo-service] stopping");
    void (async () => {
      await service.stop();
      await broker?.stop();
      if (credentialsDir) rmSync(credentialsDir, { recursive: true, force: true });
      process.exit(0);
    })();
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, shutdown);
}

main().catch((error: Error) => {
  console.error(`[demo-service] ${error.message}`);
  process.exit(1);
});
