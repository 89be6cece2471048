// The demo Makapix service on a local broker started by local-broker.ts, sharing its CA so the player
// trusts the vault's and the API's HTTPS certificate with the same CA it uses for the broker, and the
// API issues player certificates from that CA (so a device registered through it can connect).

import { startDemoService, type DemoService, type DemoServiceOptions } from "./demo-service/service.js";
import { tlsFromCertsDir } from "./demo-service/vault.js";
import { SERVICE_USER, type TestBroker } from "./local-broker.js";

export function startServiceOn(broker: TestBroker, options: Omit<DemoServiceOptions, "brokerUrl" | "username" | "password" | "vaultTls"> = {}): Promise<DemoService> {
  return startDemoService({
    brokerUrl: `mqtt://127.0.0.1:${broker.servicePort}`,
    username: SERVICE_USER,
    password: broker.servicePassword,
    vaultTls: tlsFromCertsDir(broker.certsDir),
    certsDir: broker.certsDir,
    playerBroker: { host: "localhost", port: broker.playerPort },
    ...options,
  });
}
