// Commands from the website (protocol sheet §5): read, validated, acknowledged on command/ack, acted on
// once per command_id (QoS 1 may deliver twice), and coalesced so a burst of swaps (the web allows
// 300/min) becomes one move of several steps instead of a queue of downloads.

import { errorMessage } from "../util/errors.js";
import type { Host, TimerId } from "../ports.js";
import type { ChannelSpec, PlaysetSpec } from "./channels.js";
import { parseCommand, type Command, type ShowArtwork } from "./command-parse.js";
import type { Messaging } from "./messaging.js";
import type { Capabilities } from "./presence.js";
import { CommandReader, type CommandEnvelope } from "./command-envelope.js";
import type { MessageHandler } from "../mqtt/subscriptions.js";
import type { PlayerTopics } from "./topics.js";
import { clipText } from "../util/string-model.js";

/** What commands act on: the scheduler (navigation) and the display (settings). */
export interface PlayerControls {
  /** Move `steps` artworks forward (positive) or back through the play history (negative). */
  step(steps: number): void;
  showArtwork(artwork: ShowArtwork): void;
  playChannel(channel: ChannelSpec): void;
  playPlayset(playset: PlaysetSpec): void;
  setPaused(paused: boolean): void;
  setBrightness(value: number): void;
  setRotation(value: number): void;
  setMirror(value: string): void;
}

export type AckStatus = "ok" | "error" | "unsupported";

export interface CommandOptions {
  capabilities: Capabilities;
  /** Navigation arriving within this window is merged into one action. */
  coalesceMs?: number;
  /** Text a command's payload may hold, in UTF-16 code units (a playset lists its channels). */
  maximumPayloadUnits?: number;
}

/** command_ids remembered to recognise QoS 1 redeliveries. */
const REMEMBERED_COMMANDS = 32;

export class CommandDispatcher {
  readonly #host: Host;
  readonly #messaging: Messaging;
  readonly #topics: PlayerTopics;
  readonly #controls: PlayerControls;
  readonly #options: CommandOptions;
  readonly #recentIds: string[] = [];
  readonly #recentStatus: AckStatus[] = [];
  #recentNext = 0;
  #pendingTarget: Command | undefined;
  #pendingSteps = 0;
  #flushTimer: TimerId | undefined;

  constructor(host: Host, messaging: Messaging, topics: PlayerTopics, controls: PlayerControls, options: CommandOptions) {
    this.#host = host;
    this.#messaging = messaging;
    this.#topics = topics;
    this.#controls = controls;
    this.#options = options;
  }

  subscribe(): Promise<number> {
    return this.#messaging.subscribe(this.#topics.command, this.#streamingReader());
  }

  /** Reads each command as it streams in (src/json), within the reader's fixed budget. */
  #streamingReader(): MessageHandler {
    const reader = new CommandReader(this.#options.maximumPayloadUnits ? { maxPayloadUnits: this.#options.maximumPayloadUnits } : {});
    let failed: string | undefined;
    return {
      begin: () => {
        reader.reset();
        failed = undefined;
      },
      data: (chunk) => {
        if (failed !== undefined) return;
        try {
          reader.push(chunk);
        } catch (error) {
          failed = errorMessage(error);
        }
      },
      end: () => {
        if (failed === undefined) {
          try {
            this.#onEnvelope(reader.finish());
            return;
          } catch (error) {
            failed = errorMessage(error);
          }
        }
        this.#onUnreadable(failed, reader.commandId);
      },
      abort: () => reader.reset(),
    };
  }

  #onUnreadable(reason: string, commandId: string | undefined): void {
    if (commandId === undefined) {
      this.#host.log.write("warn", `commands: unreadable command (${reason}); no id to acknowledge`);
      return;
    }
    this.#host.log.write("warn", `commands: error: unreadable payload (${reason})`);
    // A redelivery is acknowledged again, like a readable one.
    if (!this.#recentIds.includes(commandId)) this.#remember(commandId, "error");
    this.#ack(commandId, "error");
  }

  /** Acts on pending navigation now (tests, shutdown). */
  flush(): void {
    if (this.#flushTimer !== undefined) {
      this.#host.timers.clear(this.#flushTimer);
      this.#flushTimer = undefined;
    }
    const target = this.#pendingTarget;
    const steps = this.#pendingSteps;
    this.#pendingTarget = undefined;
    this.#pendingSteps = 0;
    if (target) this.#act(target);
    if (steps !== 0) this.#controls.step(steps);
  }

  stop(): void {
    if (this.#flushTimer !== undefined) this.#host.timers.clear(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#pendingTarget = undefined;
    this.#pendingSteps = 0;
  }

  #onEnvelope(envelope: CommandEnvelope): void {
    const parsed = parseCommand(envelope);
    const seen = this.#recentIds.indexOf(parsed.commandId);
    if (seen >= 0) {
      // A redelivery: the first copy was acted on; acknowledge again, do nothing twice.
      this.#ack(parsed.commandId, this.#recentStatus[seen]!);
      return;
    }
    let status: AckStatus;
    if (!parsed.ok) {
      this.#host.log.write("warn", `commands: ${parsed.status}: ${parsed.reason}`);
      status = parsed.status;
    } else {
      status = this.#accept(parsed.command);
    }
    this.#remember(parsed.commandId, status);
    this.#ack(parsed.commandId, status);
  }

  #accept(command: Command): AckStatus {
    switch (command.type) {
      case "swap_next":
      case "swap_back":
        this.#pendingSteps += command.type === "swap_next" ? 1 : -1;
        this.#scheduleFlush();
        return "ok";
      case "show_artwork":
      case "play_channel":
      case "play_playset":
        // A new destination makes earlier pending moves pointless.
        this.#pendingTarget = command;
        this.#pendingSteps = 0;
        this.#scheduleFlush();
        return "ok";
      default:
        return this.#applySetting(command);
    }
  }

  #applySetting(command: Command): AckStatus {
    const { capabilities } = this.#options;
    switch (command.type) {
      case "set_paused":
        if (!capabilities.pause) return "unsupported";
        this.#controls.setPaused(command.paused);
        return "ok";
      case "set_brightness": {
        const range = capabilities.brightness;
        if (!range) return "unsupported";
        if (command.value < range.min || command.value > range.max) return this.#refuse(`brightness ${command.value} outside ${range.min}–${range.max}`);
        this.#controls.setBrightness(command.value);
        return "ok";
      }
      case "set_rotation":
        if (!capabilities.rotation) return "unsupported";
        if (!capabilities.rotation.includes(command.value)) return this.#refuse(`rotation ${command.value} not offered`);
        this.#controls.setRotation(command.value);
        return "ok";
      case "set_mirror":
        if (!capabilities.mirror) return "unsupported";
        if (!capabilities.mirror.includes(command.value)) return this.#refuse(`mirror ${clipText(command.value, 40)} not offered`);
        this.#controls.setMirror(command.value);
        return "ok";
      default:
        return "unsupported";
    }
  }

  #refuse(reason: string): AckStatus {
    this.#host.log.write("warn", `commands: error: ${reason}`);
    return "error";
  }

  #act(command: Command): void {
    if (command.type === "show_artwork") this.#controls.showArtwork(command.artwork);
    else if (command.type === "play_channel") this.#controls.playChannel(command.channel);
    else if (command.type === "play_playset") this.#controls.playPlayset(command.playset);
  }

  #scheduleFlush(): void {
    // From the first command of a burst, not the last: a steady stream still moves every window.
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = this.#host.timers.set(() => {
      this.#flushTimer = undefined;
      this.flush();
    }, this.#options.coalesceMs ?? 300);
  }

  #remember(commandId: string, status: AckStatus): void {
    this.#recentIds[this.#recentNext] = commandId;
    this.#recentStatus[this.#recentNext] = status;
    this.#recentNext = (this.#recentNext + 1) % REMEMBERED_COMMANDS;
  }

  #ack(commandId: string, status: AckStatus): void {
    const payload = JSON.stringify({ command_id: commandId, status });
    this.#messaging.publish(this.#topics.commandAck, payload, { qos: 1 }).catch((error: Error) => {
      this.#host.log.write("warn", `commands: the ack for ${commandId.slice(0, 8)}… was not sent: ${error.message}`);
    });
  }
}
