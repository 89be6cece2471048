// The Makapix player: one MQTT session to the broker and everything that rides on it — requests,
// presence, views, commands — driving the scheduler, which drives the artwork stage.

import type { Host } from "../ports.js";
import { MqttClient, type MqttClientOptions, type SessionError, type SessionState } from "../mqtt/client.js";
import { utf8Encode } from "../util/utf8.js";
import { MakapixApi } from "./api.js";
import type { ChannelSpec } from "./channels.js";
import { CommandDispatcher, type PlayerControls } from "./commands.js";
import { offlineWill, Presence, type Capabilities } from "./presence.js";
import { RequestBroker } from "./requests.js";
import type { ArtworkStage } from "../art/artwork.js";
import { Scheduler, type SchedulerOptions } from "./scheduler.js";
import { playerTopics, redactKey, redactTopic } from "./topics.js";
import { ViewReporter } from "./views.js";
import type { ViewJournal } from "./view-journal.js";

/** Panel settings the website can change (the display implements them). */
export interface DisplaySettings {
  readonly brightness: number;
  readonly rotation: number;
  readonly mirror: string;
  setBrightness(value: number): void;
  setRotation(value: number): void;
  setMirror(value: string): void;
}

export interface MakapixPlayerOptions {
  playerKey: string;
  broker: { host: string; port: number };
  /** PEM text, as provisioning delivers it. */
  tls: { ca: string; certificate: string; key: string };
  firmwareVersion: string;
  capabilities: Capabilities;
  display: DisplaySettings;
  stage: ArtworkStage;
  initialChannel?: ChannelSpec;
  scheduler?: SchedulerOptions;
  /** Session tuning (tests shorten the back-off). */
  mqtt?: Pick<MqttClientOptions, "backoff" | "keepAliveSeconds" | "connectTimeoutMs" | "outboxBytes" | "writeQueueBytes" | "maximumHeaderBytes">;
  /** Keeps unacknowledged views across reboots (view-journal.ts); without it they live in memory. */
  viewJournal?: ViewJournal;
}

/** What the panel should tell the user about the connection, when something is wrong. */
export interface PlayerObserver {
  sessionChanged?(state: SessionState, error: SessionError | undefined): void;
  /** The service refused this player (deleted, owner banned or a temporary block); credentials are kept. */
  blocked?(retryAfterMs: number): void;
  idle?(reason: string): void;
}

export class MakapixPlayer {
  readonly client: MqttClient;
  readonly requests: RequestBroker;
  readonly api: MakapixApi;
  readonly presence: Presence;
  readonly views: ViewReporter;
  readonly commands: CommandDispatcher;
  /** What the website's commands do, for local controls (buttons, a page) to do the same. */
  readonly controls: PlayerControls;
  readonly scheduler: Scheduler;
  readonly #host: Host;
  readonly #options: MakapixPlayerOptions;
  #started = false;
  #stopped = false;
  #playing = false;

  constructor(host: Host, options: MakapixPlayerOptions) {
    this.#host = host;
    this.#options = options;
    const key = options.playerKey;
    const topics = playerTopics(key);
    this.client = new MqttClient(host, {
      transport: { secure: true, host: options.broker.host, port: options.broker.port, ...options.tls },
      clientId: key,
      username: key,
      password: utf8Encode(""),
      will: offlineWill(key, topics),
      // Every topic holds the player key, a secret: logs and errors show it redacted.
      describeTopic: (topic) => redactTopic(topic, key),
      ...options.mqtt,
    });
    this.requests = new RequestBroker(host, this.client, key, topics);
    this.api = new MakapixApi(this.requests, host.log, host.jsonKernels);
    this.scheduler = new Scheduler(host, options.stage, (fields) => this.api.queryPosts(fields), options.scheduler);
    this.presence = new Presence(host, this.client, key, topics, {
      firmwareVersion: options.firmwareVersion,
      capabilities: options.capabilities,
      state: () => ({
        isPaused: this.scheduler.paused,
        brightness: options.display.brightness,
        rotation: options.display.rotation,
        mirror: options.display.mirror,
      }),
    });
    this.views = new ViewReporter(host, this.client, key, topics, options.viewJournal ? { journal: options.viewJournal } : {});
    this.controls = this.#controls();
    this.commands = new CommandDispatcher(host, this.client, topics, this.controls, { capabilities: options.capabilities });
    this.scheduler.observe({
      artworkShown: (artwork) => this.presence.artworkChanged(artwork.postId),
      viewEarned: (postId, context) => this.views.report(postId, context),
    });
    this.client.observe({
      ready: () => {
        // Play once the replies can reach us; later reconnects keep playing what was chosen.
        if (!this.#playing) {
          this.#playing = true;
          this.scheduler.playChannel(options.initialChannel ?? { name: "promoted" });
        }
      },
    });
  }

  observe(observer: PlayerObserver): void {
    if (observer.sessionChanged) {
      const notify = observer.sessionChanged.bind(observer);
      this.client.observe({ stateChanged: (state, error) => notify(state, error) });
    }
    if (observer.blocked) {
      const notify = observer.blocked.bind(observer);
      this.requests.observe({ authenticationFailed: (ms) => notify(ms) });
    }
    if (observer.idle) {
      const notify = observer.idle.bind(observer);
      this.scheduler.observe({ idle: (reason) => notify(reason) });
    }
  }

  /** Connects and plays. A player runs once: after `stop()`, make a new one. */
  start(): void {
    if (this.#stopped) throw new Error("this player was stopped; create a new MakapixPlayer to start again");
    if (this.#started) return;
    this.#started = true;
    this.#host.log.write("info", `player ${redactKey(this.#options.playerKey)}: connecting to ${this.#options.broker.host}:${this.#options.broker.port}`);
    void this.requests.subscribe().catch((error: Error) => this.#subscriptionFailed("response/#", error));
    void this.views.subscribe().catch((error: Error) => this.#subscriptionFailed("view/ack", error));
    void this.commands.subscribe().catch((error: Error) => this.#subscriptionFailed("command", error));
    this.client.start();
  }

  /** Graceful stop: "offline" status first, then DISCONNECT (so the will is not published). */
  async stop(): Promise<void> {
    if (!this.#started || this.#stopped) return;
    this.#stopped = true;
    this.scheduler.stop();
    this.commands.stop();
    this.views.stop();
    await this.presence.goOffline();
    this.requests.cancelAll("player stopped");
    this.client.stop();
  }

  #subscriptionFailed(what: string, error: Error): void {
    this.#host.log.write("error", `player: subscribing to ${what} failed: ${error.message}`);
  }

  #controls(): PlayerControls {
    const { display } = this.#options;
    const changed = () => this.presence.stateChanged();
    return {
      step: (steps) => this.scheduler.step(steps),
      showArtwork: (artwork) => this.scheduler.showArtwork(artwork),
      playChannel: (channel) => this.scheduler.playChannel(channel),
      playPlayset: (playset) => this.scheduler.playPlayset(playset),
      setPaused: (paused) => {
        this.scheduler.setPaused(paused);
        changed();
      },
      setBrightness: (value) => {
        display.setBrightness(value);
        changed();
      },
      setRotation: (value) => {
        display.setRotation(value);
        changed();
      },
      setMirror: (value) => {
        display.setMirror(value);
        changed();
      },
    };
  }
}
