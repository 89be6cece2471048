// The two sides of a player's session on a local broker (tools/local-broker.ts), as e2e tests and
// benches open them: an MQTT 5 client (the mqtt package) logged in as the Makapix service, and the
// firmware's own MqttClient logged in as a player with a certificate the broker's CA just issued
// (mTLS, the service's ACL). Node-only.

import mqtt from "mqtt";
import type { Host } from "../../src/ports.js";
import { MqttClient, type MqttClientOptions } from "../../src/mqtt/client.js";
import { SERVICE_USER, type TestBroker } from "../../tools/local-broker.js";

export function connectAsService(broker: TestBroker, options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${broker.servicePort}`, {
    protocolVersion: 5,
    username: SERVICE_USER,
    password: broker.servicePassword,
    ...options,
  });
}

/** The firmware's MQTT client for player `key` (not yet started), with a fresh certificate; `options` adds to or overrides the login. */
export function playerClient(broker: TestBroker, host: Host, key: string, options: Partial<MqttClientOptions> = {}): MqttClient {
  const credentials = broker.issuePlayer(key);
  return new MqttClient(host, {
    transport: { secure: true, host: "localhost", port: broker.playerPort, ca: broker.caPem, certificate: credentials.certificate, key: credentials.key },
    clientId: key,
    username: key,
    password: new Uint8Array(0),
    ...options,
  });
}
