// Presence (protocol sheet §4): "online" right after every connect and subscribe, on every artwork
// change and as a heartbeat well inside the service's 3-minute offline window; "offline" before a
// graceful stop (the will covers the rest); capabilities and the full device state on every connect
// (the broker keeps nothing), and the state again whenever it changes.

import type { Host, TimerId } from "../ports.js";
import type { Will } from "../mqtt/packets.js";
import { utf8Encode } from "../util/utf8.js";
import type { Messaging } from "./messaging.js";
import type { PlayerTopics } from "./topics.js";

/** Device controls the web UI may show (only declared ones get commands). */
export interface Capabilities {
  readonly pause: boolean;
  readonly brightness?: { readonly min: number; readonly max: number; readonly step: number };
  readonly rotation?: readonly number[];
  readonly mirror?: readonly string[];
}

export interface DeviceState {
  isPaused: boolean;
  brightness: number;
  rotation: number;
  mirror: string;
}

export interface PresenceOptions {
  firmwareVersion: string;
  capabilities: Capabilities;
  /** The state as it is now; read on every connect and on `stateChanged()`. */
  state(): DeviceState;
  /** Status heartbeat; the service marks a player offline 3 minutes after its last status. */
  heartbeatMs?: number;
  /** How long `goOffline` waits for the broker to take the offline status. */
  offlineTimeoutMs?: number;
}

/** The will the MQTT session registers at CONNECT: the service's offline status. */
export function offlineWill(playerKey: string, topics: PlayerTopics): Will {
  return { topic: topics.status, payload: utf8Encode(offlineStatus(playerKey)), qos: 1, retain: false };
}

function offlineStatus(playerKey: string): string {
  return JSON.stringify({ player_key: playerKey, status: "offline" });
}

export class Presence {
  readonly #host: Host;
  readonly #messaging: Messaging;
  readonly #topics: PlayerTopics;
  readonly #playerKey: string;
  readonly #options: PresenceOptions;
  #currentPostId: number | undefined;
  #heartbeat: TimerId | undefined;
  #stopped = false;

  constructor(host: Host, messaging: Messaging, playerKey: string, topics: PlayerTopics, options: PresenceOptions) {
    this.#host = host;
    this.#messaging = messaging;
    this.#topics = topics;
    this.#playerKey = playerKey;
    this.#options = options;
    messaging.observe({
      ready: () => this.#announce(),
      stateChanged: (state) => {
        if (state !== "connected") this.#stopHeartbeat();
      },
    });
  }

  get currentPostId(): number | undefined {
    return this.#currentPostId;
  }

  /** A new artwork is on screen. */
  artworkChanged(postId: number | undefined): void {
    if (postId === this.#currentPostId) return;
    this.#currentPostId = postId;
    this.#publishOnline();
  }

  /** Pause, brightness, rotation or mirror changed. */
  stateChanged(): void {
    if (this.#messaging.state === "connected") this.#publishState();
  }

  /** Before a graceful disconnect: publish "offline" and wait (bounded) until the broker has it. */
  goOffline(): Promise<void> {
    this.#stopped = true;
    this.#stopHeartbeat();
    if (this.#messaging.state !== "connected") return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.#host.timers.set(() => {
        this.#host.log.write("warn", "presence: the offline status was not acknowledged in time");
        resolve();
      }, this.#options.offlineTimeoutMs ?? 3_000);
      const done = () => {
        this.#host.timers.clear(timer);
        resolve();
      };
      this.#messaging.publish(this.#topics.status, offlineStatus(this.#playerKey), { qos: 1 }).then(done, done);
    });
  }

  #announce(): void {
    if (this.#stopped) return;
    this.#publishOnline();
    this.#publish(this.#topics.capabilities, this.#capabilitiesMessage(), true);
    this.#publishState();
    this.#stopHeartbeat();
    this.#heartbeat = this.#host.timers.repeat(() => this.#publishOnline(), this.#options.heartbeatMs ?? 60_000);
  }

  #publishOnline(): void {
    if (this.#stopped || this.#messaging.state !== "connected") return;
    const status: { [key: string]: string | number } = { player_key: this.#playerKey, status: "online" };
    if (this.#currentPostId !== undefined) status["current_post_id"] = this.#currentPostId;
    status["firmware_version"] = this.#options.firmwareVersion;
    this.#publish(this.#topics.status, JSON.stringify(status), false);
  }

  #publishState(): void {
    const state = this.#options.state();
    const message = { is_paused: state.isPaused, brightness: state.brightness, rotation: state.rotation, mirror: state.mirror };
    this.#publish(this.#topics.state, JSON.stringify(message), true);
  }

  #capabilitiesMessage(): string {
    const { capabilities } = this.#options;
    const features: { [key: string]: object } = {};
    // Copies: the capabilities are usually a preloaded table (src/device/firmware.ts), and in a Moddable
    // app JSON.stringify of a preloaded object throws "read only value" (it marks what it visits).
    if (capabilities.pause) features["pause"] = {};
    if (capabilities.brightness) features["brightness"] = { ...capabilities.brightness };
    if (capabilities.rotation) features["rotation"] = { values: [...capabilities.rotation] };
    if (capabilities.mirror) features["mirror"] = { values: [...capabilities.mirror] };
    return JSON.stringify({ features, firmware_version: this.#options.firmwareVersion });
  }

  #publish(topic: string, payload: string, retain: boolean): void {
    this.#messaging.publish(topic, payload, { qos: 1, retain }).catch((error: Error) => {
      this.#host.log.write("warn", `presence: publishing to ${topic.slice(topic.lastIndexOf("/") + 1)} failed: ${error.message}`);
    });
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) {
      this.#host.timers.clear(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}
