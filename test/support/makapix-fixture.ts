// A player session on the virtual host: the real MqttClient against the scripted broker, with the
// player's topics, so Makapix-layer tests exercise the same path as the device.

import { MqttClient } from "../../src/mqtt/client.js";
import { offlineWill } from "../../src/makapix/presence.js";
import { playerTopics } from "../../src/makapix/topics.js";
import { MakapixError } from "../../src/makapix/errors.js";
import type { ReplyReader } from "../../src/makapix/requests.js";
import { utf8Decode } from "../../src/util/utf8.js";
import { concatBytes } from "./bytes.js";
import { ScriptedBroker, type BrokerScript, type ReceivedPublish } from "./scripted-broker.js";
import { createVirtualHost } from "./virtual-host.js";

export const PLAYER_KEY = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";

export function playerSession(script: BrokerScript = {}) {
  const host = createVirtualHost(11);
  const broker = new ScriptedBroker(host, script);
  const topics = playerTopics(PLAYER_KEY);
  const client = new MqttClient(host, {
    transport: { secure: true, host: "broker.test", port: 8883, ca: "CA", certificate: "CERT", key: "KEY" },
    clientId: PLAYER_KEY,
    username: PLAYER_KEY,
    password: new Uint8Array(0),
    will: offlineWill(PLAYER_KEY, topics),
  });
  return { host, broker, topics, client };
}

/** Text and parsed JSON of a PUBLISH the client sent. */
export function publishedJson(publish: ReceivedPublish): { topic: string; retain: boolean; body: { [key: string]: unknown } } {
  const text = utf8Decode(publish.payload, 0, publish.payload.length);
  return { topic: publish.header.topic, retain: publish.header.retain, body: JSON.parse(text) as { [key: string]: unknown } };
}

/**
 * A test-only reply reader: gathers the reply and parses it whole. Firmware readers stream (src/json);
 * this one lets request-broker tests focus on correlation, timeouts and retries.
 */
export class WholeReplyReader implements ReplyReader<{ [key: string]: unknown }> {
  parts: Uint8Array[] = [];
  resets = 0;
  reset(): void {
    this.parts = [];
    this.resets++;
  }
  data(chunk: Uint8Array): void {
    this.parts.push(chunk.slice());
  }
  finish(): { [key: string]: unknown } {
    const bytes = concatBytes(this.parts);
    const reply = JSON.parse(utf8Decode(bytes, 0, bytes.length)) as { [key: string]: unknown };
    if (reply["success"] !== true) {
      throw new MakapixError(String(reply["error_code"] ?? "unknown"), String(reply["error"] ?? "request failed"));
    }
    return reply;
  }
}
