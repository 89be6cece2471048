// What the Makapix layer needs from the MQTT session. MqttClient provides it; naming the slice keeps
// the protocol layer independent of the session's other features.

import type { PublishResult } from "../mqtt/outbox.js";
import type { SessionObserver, PublishOptions } from "../mqtt/client.js";
import type { MessageHandler } from "../mqtt/subscriptions.js";
import type { QoS } from "../mqtt/packets.js";

export interface Messaging {
  readonly state: "disconnected" | "connecting" | "connected" | "reconnecting";
  publish(topic: string, payload: Uint8Array | string, options?: PublishOptions): Promise<PublishResult>;
  subscribe(topicFilter: string, handler: MessageHandler, qos?: QoS): Promise<number>;
  observe(observer: SessionObserver): void;
}
