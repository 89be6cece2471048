// An MQTT 5 client logged in as the Makapix service on a local broker (tools/local-broker.ts): what e2e
// tests use to play the service's side of a player's session. Node-only (the mqtt package).

import mqtt from "mqtt";
import { SERVICE_USER, type TestBroker } from "../../tools/local-broker.js";

export function connectAsService(broker: TestBroker, options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${broker.servicePort}`, {
    protocolVersion: 5,
    username: SERVICE_USER,
    password: broker.servicePassword,
    ...options,
  });
}
