// View reports (protocol sheet §4): one per artwork really shown, paced so the service's one-view-per-5-s
// limit never refuses one (spacing counts from the broker's PUBACK and again from the service's ack),
// queued (bounded) while offline and sent after reconnect with their original timestamps, at most one
// ack-requesting view outstanding, and a rate-limited view sent again later with a new timestamp (the
// old one would now count as a duplicate).
//
// With a `journal` (view-journal.ts) views also survive a reboot, and the rules tighten so that none is
// lost or counted twice: every view asks for an ack and the next leaves only once it came (acks carry
// no id); a view leaves the journal only on a final ack (success, `duplicate`: already recorded, or a
// refusal) or when given up after `maximumResends` ack timeouts. A view whose ack did not come (timeout,
// connection lost, reboot) is sent again with its ORIGINAL timestamp: the service drops a repeat of
// (player, post, timestamp) within 60 s as `duplicate`, which is final. Beyond those 60 s a view whose
// ack was lost after the service recorded it could count twice; one the service never saw is never lost.
// A PUBACK "no matching subscribers" (0x10) means the service is not listening: the view is kept and
// tried again after `serviceAbsentRetryMs`.

import type { Clock, Host, TimerId } from "../ports.js";
import type { PublishResult } from "../mqtt/outbox.js";
import { utcTimestamp } from "./ids.js";
import type { JournaledView, ViewContext, ViewJournal } from "./view-journal.js";
import type { Messaging } from "./messaging.js";
import { SmallMessageReader, isRecord, type SmallMessage } from "./small-message.js";
import type { PlayerTopics } from "./topics.js";

// Defined beside the journal that stores it (so the journal needs nothing from this module).
export type { ViewContext } from "./view-journal.js";

interface QueuedView {
  postId: number;
  timestamp: string;
  context: ViewContext;
}

interface PendingView extends QueuedView {
  /** Re-sends after a rate limit (each with a new timestamp). */
  resends: number;
  /** Its journal entry (journal mode, when it could be stored). */
  entry?: JournaledView | undefined;
  /** Ack timeouts so far (journal mode). */
  ackWaits?: number;
}

/** PUBACK reason 0x10: accepted, but nobody is subscribed to the topic. */
const NO_MATCHING_SUBSCRIBERS = 0x10;

export interface ViewReporterOptions {
  /** Minimum time between two views leaving the device (service limit: one per 5 s, plus margin). */
  spacingMs?: number;
  /** Views kept while offline; the oldest is dropped beyond this. */
  maximumQueued?: number;
  /** An ack that has not come by then is given up (acks carry no id, so only one may be outstanding). */
  ackTimeoutMs?: number;
  /** Times a rate-limited view is re-sent before it is given up (with a journal: also ack timeouts). */
  maximumResends?: number;
  /** Keeps views across reboots until the service acknowledged them (rules above). */
  journal?: ViewJournal;
  /** With a journal: how long to wait before sending again a view nobody was subscribed to (0x10). */
  serviceAbsentRetryMs?: number;
}

type Tuning = Required<Omit<ViewReporterOptions, "journal">>;

export interface ViewStatistics {
  reported: number;
  sent: number;
  acknowledged: number;
  refused: number;
  dropped: number;
}

const DEFAULTS: Tuning = Object.freeze({ spacingMs: 5_500, maximumQueued: 32, ackTimeoutMs: 15_000, maximumResends: 3, serviceAbsentRetryMs: 30_000 });
/** A view ack is `{"success", "error", "error_code"}`: a handful of values, short texts. */
const ACK_LIMITS = Object.freeze({ maximumValues: 16, maximumText: 512 });

/**
 * The timestamp of a re-sent view: now, but never the refused view's own second (timestamps are whole
 * seconds, and the service would take the same one as a duplicate, which is final).
 */
function restamp(clock: Clock, previous: string): string {
  const now = utcTimestamp(clock);
  const ms = clock.wallTimeMs();
  if (now !== previous || ms === undefined) return now;
  return new Date(ms + 1000).toISOString().slice(0, 19) + "Z";
}

export class ViewReporter {
  readonly #host: Host;
  readonly #messaging: Messaging;
  readonly #topics: PlayerTopics;
  readonly #playerKey: string;
  readonly #options: Tuning;
  readonly #journal: ViewJournal | undefined;
  readonly #queue: PendingView[] = [];
  readonly #statistics: ViewStatistics = { reported: 0, sent: 0, acknowledged: 0, refused: 0, dropped: 0 };
  #sending = false;
  #nextAllowedAt = Number.NEGATIVE_INFINITY;
  #pumpTimer: TimerId | undefined;
  #awaitingAck: PendingView | undefined;
  #ackTimer: TimerId | undefined;
  #stopped = false;

  constructor(host: Host, messaging: Messaging, playerKey: string, topics: PlayerTopics, options: ViewReporterOptions = {}) {
    this.#host = host;
    this.#messaging = messaging;
    this.#topics = topics;
    this.#playerKey = playerKey;
    const { journal, ...tuning } = options;
    this.#options = { ...DEFAULTS, ...tuning };
    this.#journal = journal;
    if (journal) {
      for (const entry of journal.load(playerKey)) this.#queue.push({ postId: entry.postId, timestamp: entry.timestamp, context: entry.context, resends: 0, entry });
      if (this.#queue.length > 0) host.log.write("info", `views: ${this.#queue.length} view(s) from before the restart to send`);
    }
    messaging.observe({ ready: () => this.#pump(), stateChanged: (state) => this.#sessionChanged(state) });
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
    // With a journal the view awaiting its ack is still held (in the journal), so it counts too.
    const held = this.#queue.length + (this.#journal && this.#awaitingAck ? 1 : 0);
    if (held >= this.#options.maximumQueued && this.#queue.length > 0) {
      const oldest = this.#queue.shift()!;
      this.#statistics.dropped++;
      this.#host.log.write("warn", `views: queue full, dropped the view of post ${oldest.postId} from ${oldest.timestamp}`);
      if (oldest.entry) this.#journal?.remove(oldest.entry);
    }
    const timestamp = utcTimestamp(this.#host.clock);
    this.#queue.push({ postId, timestamp, context, resends: 0, entry: this.#journal?.append(postId, timestamp, context) });
    this.#pump();
  }

  /** Cancels timers (the device is stopping). Queued views are kept in memory only, or in the journal. */
  stop(): void {
    this.#stopped = true;
    this.#clear("pump");
    this.#clear("ack");
  }

  #pump(): void {
    if (this.#sending || this.#queue.length === 0 || this.#messaging.state !== "connected") return;
    // Journal mode: acks carry no id, so the next view waits for this one's.
    if (this.#journal && this.#awaitingAck) return;
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
      (result: PublishResult) => {
        this.#sending = false;
        if (this.#journal && result.reasonCode === NO_MATCHING_SUBSCRIBERS && this.#awaitingAck === view) {
          this.#awaitingAck = undefined;
          // Nobody received it, so nobody recorded it: keep it, and give the service time to come back.
          this.#host.log.write("info", `views: nobody took the view of post ${view.postId} (the service is not listening); trying again later`);
          this.#nextAllowedAt = this.#host.clock.monotonicMs() + this.#options.serviceAbsentRetryMs;
          this.#pump();
          return;
        }
        this.#statistics.sent++;
        this.#remove(view);
        // Spacing counts from the broker's acknowledgement, so network delays cannot bunch two views.
        this.#nextAllowedAt = this.#host.clock.monotonicMs() + this.#options.spacingMs;
        // Unless its ack came already (with the PUBACK): then it is no longer awaited.
        if (requestAck && this.#awaitingAck === view) this.#expectAck(view);
        this.#pump();
      },
      (error: Error) => {
        this.#sending = false;
        this.#remove(view);
        if (this.#awaitingAck === view) this.#awaitingAck = undefined;
        // Stopping: the journal keeps it for the next start.
        if (this.#stopped && view.entry) return;
        this.#statistics.dropped++;
        this.#host.log.write("warn", `views: the view of post ${view.postId} could not be published: ${error.message}`);
        this.#forget(view);
        this.#pump();
      },
    );
  }

  /** By identity: a rate-limited resend may have been put in front of it meanwhile. */
  #remove(view: PendingView): void {
    const index = this.#queue.indexOf(view);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  /** The view's fate is settled: it leaves the journal. */
  #forget(view: PendingView): void {
    if (view.entry) this.#journal?.remove(view.entry);
  }

  /** Journal mode: a connection lost while an ack was awaited may have lost the ack; send the view again. */
  #sessionChanged(state: Messaging["state"]): void {
    const view = this.#awaitingAck;
    // While its PUBACK is outstanding the session itself sends the view again after reconnecting.
    if (!this.#journal || state === "connected" || !view || this.#sending) return;
    this.#awaitingAck = undefined;
    this.#clear("ack");
    this.#queue.unshift(view);
    this.#host.log.write("info", `views: connection lost before the ack of the view of post ${view.postId}; sending it again after reconnecting`);
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
  #expectAck(view: PendingView): void {
    this.#awaitingAck = view;
    this.#clear("ack");
    this.#ackTimer = this.#host.timers.set(() => {
      this.#ackTimer = undefined;
      this.#awaitingAck = undefined;
      if (!this.#journal) {
        this.#host.log.write("info", `views: no ack for the view of post ${view.postId}; assuming it was recorded`);
        return;
      }
      const waits = (view.ackWaits ?? 0) + 1;
      if (waits <= this.#options.maximumResends) {
        // Same timestamp: if the service did record it, the repeat is acked `duplicate`.
        this.#host.log.write("info", `views: no ack for the view of post ${view.postId}; sending it again`);
        this.#queue.unshift({ ...view, ackWaits: waits });
      } else {
        this.#host.log.write("warn", `views: no ack for the view of post ${view.postId} after ${waits} tries; assuming it was recorded`);
        this.#forget(view);
      }
      this.#pump();
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
    // The service starts its 5 s per player when it takes the view, which a loaded service does later
    // than the broker's PUBACK: spacing from the PUBACK alone could let the next view in early, to be
    // refused as rate limited (and, if that ack were lost too, then dropped as a duplicate when replayed).
    this.#nextAllowedAt = Math.max(this.#nextAllowedAt, this.#host.clock.monotonicMs() + this.#options.spacingMs);
    this.#settle(view, message);
    // Journal mode: the next view was waiting for this ack.
    if (this.#journal) this.#pump();
  }

  #settle(view: PendingView, message: SmallMessage): void {
    if (!message.ok || !isRecord(message.value) || typeof message.value["success"] !== "boolean") {
      this.#host.log.write("warn", `views: unreadable view ack (${message.ok ? "no success field" : message.reason})`);
      // The service answered: it has seen the view.
      this.#forget(view);
      return;
    }
    const ack = message.value;
    if (ack["success"] === true) {
      this.#statistics.acknowledged++;
      this.#forget(view);
      return;
    }
    const code = typeof ack["error_code"] === "string" ? ack["error_code"] : "unknown";
    if (code === "duplicate") {
      // The service already has it (a QoS 1 redelivery, a replay after a reboot): final, never retried.
      this.#statistics.acknowledged++;
      this.#forget(view);
      return;
    }
    if (code === "rate_limited" && view.resends < this.#options.maximumResends) {
      // Same timestamp again would be refused as a duplicate: it counts as a new view.
      const timestamp = restamp(this.#host.clock, view.timestamp);
      const journal = this.#journal;
      const entry = journal ? (view.entry ? journal.restamp(view.entry, timestamp) : journal.append(view.postId, timestamp, view.context)) : undefined;
      // Paced like any next view: #onAck has pushed the spacing past this ack.
      this.#queue.unshift({ ...view, timestamp, resends: view.resends + 1, entry, ackWaits: 0 });
      this.#host.log.write("info", `views: the view of post ${view.postId} was rate limited; sending it again later`);
      this.#pump();
      return;
    }
    this.#statistics.refused++;
    const text = typeof ack["error"] === "string" ? `: ${ack["error"]}` : "";
    this.#host.log.write("warn", `views: the service refused the view of post ${view.postId} (${code}${text})`);
    this.#forget(view);
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
