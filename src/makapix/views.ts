// View reports (protocol sheet §4): one per artwork really shown, paced so the service's one-view-per-5-s
// limit never refuses one, queued (bounded) while offline and sent after reconnect with their original
// timestamps, at most one ack-requesting view outstanding, and a rate-limited view sent again later
// with a new timestamp (the old one would now count as a duplicate).

import type { Host, TimerId } from "../ports.js";
import { utcTimestamp } from "./ids.js";
import type { Messaging } from "./messaging.js";
import { SmallMessageReader, isRecord, type SmallMessage } from "./small-message.js";
import type { PlayerTopics } from "./topics.js";

/** Why the artwork was on screen, and from which channel. */
export interface ViewContext {
  /** "artwork": the user asked for it (show_artwork, a button); "channel": rotation. */
  intent: "artwork" | "channel";
  /** 0 server_order, 1 created_at, 2 random. */
  playOrder: 0 | 1 | 2;
  channel: string;
  channelUserSqid?: string;
  channelHashtag?: string;
}

interface QueuedView {
  postId: number;
  timestamp: string;
  context: ViewContext;
}

export interface ViewReporterOptions {
  /** Minimum time between two views leaving the device (service limit: one per 5 s, plus margin). */
  spacingMs?: number;
  /** Views kept while offline; the oldest is dropped beyond this. */
  maximumQueued?: number;
  /** An ack that has not come by then is given up (acks carry no id, so only one may be outstanding). */
  ackTimeoutMs?: number;
  /** Times a rate-limited view is re-sent before it is given up. */
  maximumResends?: number;
}

export interface ViewStatistics {
  reported: number;
  sent: number;
  acknowledged: number;
  refused: number;
  dropped: number;
}

const DEFAULTS: Required<ViewReporterOptions> = Object.freeze({ spacingMs: 5_500, maximumQueued: 32, ackTimeoutMs: 15_000, maximumResends: 3 });
/** A view ack is `{"success", "error", "error_code"}`: a handful of values, short texts. */
const ACK_LIMITS = Object.freeze({ maximumValues: 16, maximumText: 512 });

export class ViewReporter {
  readonly #host: Host;
  readonly #messaging: Messaging;
  readonly #topics: PlayerTopics;
  readonly #playerKey: string;
  readonly #options: Required<ViewReporterOptions>;
  readonly #queue: (QueuedView & { resends: number })[] = [];
  readonly #statistics: ViewStatistics = { reported: 0, sent: 0, acknowledged: 0, refused: 0, dropped: 0 };
  #sending = false;
  #nextAllowedAt = Number.NEGATIVE_INFINITY;
  #pumpTimer: TimerId | undefined;
  #awaitingAck: (QueuedView & { resends: number }) | undefined;
  #ackTimer: TimerId | undefined;

  constructor(host: Host, messaging: Messaging, playerKey: string, topics: PlayerTopics, options: ViewReporterOptions = {}) {
    this.#host = host;
    this.#messaging = messaging;
    this.#topics = topics;
    this.#playerKey = playerKey;
    this.#options = { ...DEFAULTS, ...options };
    messaging.observe({ ready: () => this.#pump() });
  }

  /** Subscribes to view acks; call once. */
  subscribe(): Promise<number> {
    return this.#messaging.subscribe(this.#topics.viewAck, new SmallMessageReader(ACK_LIMITS, (message) => this.#onAck(message)));
  }

  get statistics(): ViewStatistics {
    return { ...this.#statistics };
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** An artwork has been on screen long enough to count: report it now or as soon as pacing allows. */
  report(postId: number, context: ViewContext): void {
    this.#statistics.reported++;
    if (this.#queue.length >= this.#options.maximumQueued) {
      const oldest = this.#queue.shift()!;
      this.#statistics.dropped++;
      this.#host.log.write("warn", `views: queue full, dropped the view of post ${oldest.postId} from ${oldest.timestamp}`);
    }
    this.#queue.push({ postId, timestamp: utcTimestamp(this.#host.clock), context, resends: 0 });
    this.#pump();
  }

  /** Cancels timers (the device is stopping); queued views are kept in memory only. */
  stop(): void {
    this.#clear("pump");
    this.#clear("ack");
  }

  #pump(): void {
    if (this.#sending || this.#queue.length === 0 || this.#messaging.state !== "connected") return;
    const wait = this.#nextAllowedAt - this.#host.clock.monotonicMs();
    if (wait > 0) {
      if (this.#pumpTimer === undefined) {
        this.#pumpTimer = this.#host.timers.set(() => {
          this.#pumpTimer = undefined;
          this.#pump();
        }, wait);
      }
      return;
    }
    const view = this.#queue[0]!;
    const requestAck = this.#awaitingAck === undefined;
    // Expected from now on, not from the PUBACK: the service answers within milliseconds, so its ack
    // can be read together with the PUBACK, before the promise below settles.
    if (requestAck) this.#awaitingAck = view;
    this.#sending = true;
    this.#messaging.publish(this.#topics.view, this.#encode(view, requestAck), { qos: 1 }).then(
      () => {
        this.#sending = false;
        this.#statistics.sent++;
        this.#remove(view);
        // Spacing counts from the broker's acknowledgement, so network delays cannot bunch two views.
        this.#nextAllowedAt = this.#host.clock.monotonicMs() + this.#options.spacingMs;
        // Unless its ack came already (with the PUBACK): then it is no longer awaited.
        if (requestAck && this.#awaitingAck === view) this.#startAckTimer(view);
        this.#pump();
      },
      (error: Error) => {
        this.#sending = false;
        if (this.#awaitingAck === view) this.#awaitingAck = undefined;
        this.#remove(view);
        this.#statistics.dropped++;
        this.#host.log.write("warn", `views: the view of post ${view.postId} could not be published: ${error.message}`);
        this.#pump();
      },
    );
  }

  /** By identity: a rate-limited resend may have been put in front of it meanwhile. */
  #remove(view: QueuedView): void {
    const index = this.#queue.indexOf(view as QueuedView & { resends: number });
    if (index >= 0) this.#queue.splice(index, 1);
  }

  #encode(view: QueuedView, requestAck: boolean): string {
    const { context } = view;
    const message: { [key: string]: string | number | boolean } = {
      post_id: view.postId,
      timestamp: view.timestamp,
      timezone: "",
      intent: context.intent,
      play_order: context.playOrder,
      channel: context.channel,
      player_key: this.#playerKey,
    };
    if (context.channelUserSqid !== undefined) message["channel_user_sqid"] = context.channelUserSqid;
    if (context.channelHashtag !== undefined) message["channel_hashtag"] = context.channelHashtag;
    if (requestAck) message["request_ack"] = true;
    return JSON.stringify(message);
  }

  /** The ack is given up `ackTimeoutMs` after the broker took the view. */
  #startAckTimer(view: QueuedView & { resends: number }): void {
    this.#clear("ack");
    this.#ackTimer = this.#host.timers.set(() => {
      this.#ackTimer = undefined;
      this.#awaitingAck = undefined;
      this.#host.log.write("info", `views: no ack for the view of post ${view.postId}; assuming it was recorded`);
    }, this.#options.ackTimeoutMs);
  }

  #onAck(message: SmallMessage): void {
    const view = this.#awaitingAck;
    if (!view) {
      this.#host.log.write("info", "views: an ack nobody waited for (late, or for a view sent without request_ack)");
      return;
    }
    this.#awaitingAck = undefined;
    this.#clear("ack");
    if (!message.ok || !isRecord(message.value) || typeof message.value["success"] !== "boolean") {
      this.#host.log.write("warn", `views: unreadable view ack (${message.ok ? "no success field" : message.reason})`);
      return;
    }
    const ack = message.value;
    if (ack["success"] === true) {
      this.#statistics.acknowledged++;
      return;
    }
    const code = typeof ack["error_code"] === "string" ? ack["error_code"] : "unknown";
    if (code === "duplicate") {
      // The service already has it (a QoS 1 redelivery): nothing is lost.
      this.#statistics.acknowledged++;
      return;
    }
    if (code === "rate_limited" && view.resends < this.#options.maximumResends) {
      // Same timestamp again would be refused as a duplicate: it counts as a new view.
      this.#queue.unshift({ ...view, timestamp: utcTimestamp(this.#host.clock), resends: view.resends + 1 });
      this.#nextAllowedAt = Math.max(this.#nextAllowedAt, this.#host.clock.monotonicMs() + this.#options.spacingMs);
      this.#host.log.write("info", `views: the view of post ${view.postId} was rate limited; sending it again later`);
      this.#pump();
      return;
    }
    this.#statistics.refused++;
    const text = typeof ack["error"] === "string" ? `: ${ack["error"]}` : "";
    this.#host.log.write("warn", `views: the service refused the view of post ${view.postId} (${code}${text})`);
  }

  #clear(which: "pump" | "ack"): void {
    if (which === "pump" && this.#pumpTimer !== undefined) {
      this.#host.timers.clear(this.#pumpTimer);
      this.#pumpTimer = undefined;
    } else if (which === "ack" && this.#ackTimer !== undefined) {
      this.#host.timers.clear(this.#ackTimer);
      this.#ackTimer = undefined;
    }
  }
}
