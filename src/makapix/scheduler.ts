// What plays next: a channel or a playset of channels, an artwork the user asked for, the play history
// for swap_back, dwell time, pause, and failure handling. It hands each artwork to the artwork stage
// (fetch → decode → panel) and learns whether it was shown or failed.

import type { Host, TimerId } from "../ports.js";
import { ChannelFeed, type QueryPosts } from "./channel-feed.js";
import { playOrderOf, playsetChannelSpec, type ChannelSpec, type PlaysetSpec } from "./channels.js";
import type { ShowArtwork } from "./command-parse.js";
import type { ArtworkPost, ArtworkStage } from "../art/artwork.js";
import { playableCriteria } from "./posts.js";
import { PlaysetPicker } from "./playset-picker.js";
import type { ViewContext } from "./views.js";

export interface SchedulerObserver {
  /** A new artwork is on the panel (presence reports current_post_id). */
  artworkShown?(artwork: ArtworkPost, context: ViewContext): void;
  /** It stayed on screen long enough to count as a view. */
  viewEarned?(postId: number, context: ViewContext): void;
  /** Nothing to show for now (empty channel, repeated failures): the display can say why. */
  idle?(reason: string): void;
}

export interface SchedulerOptions {
  /** Largest artwork side the decoders accept (criteria ask the service for nothing larger). */
  maximumArtworkSide?: number;
  pageSize?: number;
  prefetchAt?: number;
  defaultDwellMs?: number;
  /** The owner's "seconds per artwork" setting: replaces every post's dwell_time_ms when set. */
  dwellOverrideMs?: number;
  /** Time on screen before a view counts. */
  minimumViewMs?: number;
  /** How long past its dwell time an animation may run to finish its first loop. */
  loopWaitLimitMs?: number;
  historyLength?: number;
  /** Consecutive failures before backing off instead of trying the next artwork at once. */
  failuresBeforeBackoff?: number;
  backoffInitialMs?: number;
  backoffMaximumMs?: number;
  randomSeed?: number;
}

interface Entry {
  artwork: ArtworkPost;
  context: ViewContext;
}

const DEFAULTS: Required<Omit<SchedulerOptions, "randomSeed" | "dwellOverrideMs">> & { dwellOverrideMs: number } = Object.freeze({
  maximumArtworkSide: 256,
  pageSize: 20,
  prefetchAt: 5,
  defaultDwellMs: 30_000,
  minimumViewMs: 5_000,
  loopWaitLimitMs: 120_000,
  historyLength: 16,
  failuresBeforeBackoff: 3,
  backoffInitialMs: 5_000,
  backoffMaximumMs: 300_000,
  dwellOverrideMs: 0,
});

export class Scheduler {
  readonly #host: Host;
  readonly #stage: ArtworkStage;
  readonly #query: QueryPosts;
  readonly #options: typeof DEFAULTS;
  readonly #randomSeed: number;
  readonly #observers: SchedulerObserver[] = [];
  /** Played entries, oldest first; `#position` is the one on screen (or being loaded). */
  readonly #history: Entry[] = [];
  #position = -1;
  #feed: ChannelFeed | undefined;
  #playset: PlaysetPicker | undefined;
  #generation = 0;
  #paused = false;
  #running = false;
  #dwellTimer: TimerId | undefined;
  #dwellRemainingMs = 0;
  #dwellStartedAt = 0;
  #viewTimer: TimerId | undefined;
  #retryTimer: TimerId | undefined;
  #waitingForLoop = false;
  #loopsCompleted = 0;
  #animated = false;
  #consecutiveFailures = 0;
  #backoffMs: number;

  constructor(host: Host, stage: ArtworkStage, query: QueryPosts, options: SchedulerOptions = {}) {
    this.#host = host;
    this.#stage = stage;
    this.#query = query;
    const { randomSeed, ...rest } = options;
    this.#options = { ...DEFAULTS, ...rest };
    this.#backoffMs = this.#options.backoffInitialMs;
    if (randomSeed !== undefined) this.#randomSeed = randomSeed;
    else {
      const bytes = new Uint8Array(4);
      host.random.fill(bytes);
      this.#randomSeed = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16)) & 0x7fffff;
    }
  }

  observe(observer: SchedulerObserver): void {
    this.#observers.push(observer);
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** What is on screen (or loading), if anything. */
  get current(): ArtworkPost | undefined {
    return this.#history[this.#position]?.artwork;
  }

  playChannel(channel: ChannelSpec): void {
    this.#playset = undefined;
    this.#feed = this.#newFeed(channel, this.#options.pageSize);
    this.#running = true;
    void this.#advance();
  }

  playPlayset(playset: PlaysetSpec): void {
    const feeds: { feed: ChannelFeed; weight: number }[] = [];
    // Keep the total of buffered posts near two pages however many channels there are: small pages,
    // fetched when a channel's turn finds it empty rather than ahead of time.
    const pageSize = Math.max(1, Math.floor((2 * this.#options.pageSize) / Math.max(1, playset.channels.length)));
    for (const entry of playset.channels) {
      const spec = playsetChannelSpec(entry);
      if (!spec) continue;
      spec.sort = playset.pickMode === "random" ? "random" : "created_at";
      const weight = playset.exposureMode === "equal" ? 1 : Math.max(0, entry.weight ?? 1);
      if (weight > 0) feeds.push({ feed: this.#newFeed(spec, pageSize, false), weight });
    }
    if (feeds.length === 0) {
      this.#notifyIdle(`playset ${playset.name} has no channel this player can show`);
      return;
    }
    this.#feed = undefined;
    this.#playset = new PlaysetPicker(feeds);
    this.#running = true;
    void this.#advance();
  }

  /** Shows this artwork now (intent "artwork"), then carries on with the channel. */
  showArtwork(command: ShowArtwork): void {
    const artwork: ArtworkPost = { kind: "artwork", postId: command.postId, storageKey: command.storageKey, storageShard: command.storageShard, nativeFormat: command.nativeFormat };
    if (command.width !== undefined) artwork.width = command.width;
    if (command.height !== undefined) artwork.height = command.height;
    this.#running = true;
    this.#present({ artwork, context: { intent: "artwork", playOrder: 0, channel: "artwork" } }, true);
  }

  /** Moves forward (positive) or back through the history (negative) by `steps`. */
  step(steps: number): void {
    if (steps < 0) {
      const target = Math.max(0, this.#position + steps);
      if (target === this.#position || this.#history.length === 0) return;
      this.#position = target;
      this.#present(this.#history[target]!, false);
      return;
    }
    if (steps === 0) return;
    // Forward through entries we went back over first, then new ones from the channel.
    const forward = this.#position + steps;
    if (forward < this.#history.length) {
      this.#position = forward;
      this.#present(this.#history[forward]!, false);
      return;
    }
    const remaining = steps - (this.#history.length - 1 - this.#position);
    this.#position = this.#history.length - 1;
    void this.#advance(remaining);
  }

  setPaused(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    this.#stage.setPaused(paused);
    if (paused) {
      if (this.#dwellTimer !== undefined) {
        this.#dwellRemainingMs = Math.max(0, this.#dwellRemainingMs - (this.#host.clock.monotonicMs() - this.#dwellStartedAt));
        this.#clearTimer("dwell");
      }
    } else if (this.#dwellRemainingMs > 0 && this.#dwellTimer === undefined) {
      // Shown and dwelling when paused: the rest of the dwell time runs from now.
      this.#startDwell(this.#dwellRemainingMs);
    }
  }

  stop(): void {
    this.#running = false;
    this.#generation++;
    this.#clearTimer("dwell");
    this.#clearTimer("view");
    this.#clearTimer("retry");
  }

  #newFeed(spec: ChannelSpec, pageSize: number, prefetch = true): ChannelFeed {
    return new ChannelFeed(spec, this.#query, this.#host.log, {
      pageSize,
      // -1: never ahead of time.
      prefetchAt: prefetch ? Math.min(this.#options.prefetchAt, pageSize - 1) : -1,
      criteria: playableCriteria(this.#options.maximumArtworkSide),
      randomSeed: this.#randomSeed,
    });
  }

  /** Takes the `skip`-th next artwork from the channel or playset and shows it. */
  async #advance(skip = 1): Promise<void> {
    const generation = ++this.#generation;
    this.#clearTimer("dwell");
    this.#clearTimer("view");
    this.#clearTimer("retry");
    let entry: Entry | undefined;
    for (let i = 0; i < Math.max(1, skip); i++) {
      const picked = await this.#pick();
      if (generation !== this.#generation) return; // a newer command took over while we waited
      if ("reason" in picked) {
        this.#notifyIdle(picked.reason);
        this.#retryLater();
        return;
      }
      entry = picked;
    }
    if (entry) this.#present(entry, true);
  }

  async #pick(): Promise<Entry | { reason: string }> {
    // In a playset an empty or failing channel gives its turn to the others.
    const tries = this.#playset ? this.#playset.channels : 1;
    let reason = "no channel chosen";
    for (let attempt = 0; attempt < tries; attempt++) {
      const feed = this.#playset ? this.#playset.next() : this.#feed;
      if (!feed) break;
      const result = await feed.next();
      if ("artwork" in result) {
        const spec = feed.spec;
        const context: ViewContext = { intent: "channel", playOrder: playOrderOf(spec.sort), channel: spec.name };
        if (spec.userSqid !== undefined) context.channelUserSqid = spec.userSqid;
        if (spec.hashtag !== undefined) context.channelHashtag = spec.hashtag;
        return { artwork: result.artwork, context };
      }
      reason = "error" in result ? `cannot list ${feed.spec.name}: ${result.error.message}` : `channel ${feed.spec.name} has no artwork this player can show`;
    }
    return { reason };
  }

  #present(entry: Entry, record: boolean): void {
    const generation = ++this.#generation;
    this.#clearTimer("dwell");
    this.#clearTimer("view");
    this.#clearTimer("retry");
    if (record) {
      this.#history.length = this.#position + 1; // a new artwork ends any "forward" history
      this.#history.push(entry);
      if (this.#history.length > this.#options.historyLength) this.#history.shift();
      this.#position = this.#history.length - 1;
    }
    this.#waitingForLoop = false;
    this.#loopsCompleted = 0;
    this.#animated = false;
    this.#dwellRemainingMs = 0;
    const current = () => generation === this.#generation;
    this.#stage.show(entry.artwork, {
      shown: (info) => current() && this.#onShown(entry, info.animated),
      // Shown while its second frame was still loading: it may turn out animated (one loop is then due).
      animationFound: () => {
        if (current()) this.#animated = true;
      },
      loopCompleted: () => current() && this.#onLoopCompleted(),
      failed: (reason) => current() && this.#onFailed(entry, reason),
    });
  }

  #onShown(entry: Entry, animated: boolean): void {
    this.#consecutiveFailures = 0;
    this.#backoffMs = this.#options.backoffInitialMs;
    this.#animated = animated;
    for (const observer of this.#observers) observer.artworkShown?.(entry.artwork, entry.context);
    this.#viewTimer = this.#host.timers.set(() => {
      this.#viewTimer = undefined;
      for (const observer of this.#observers) observer.viewEarned?.(entry.artwork.postId, entry.context);
    }, this.#options.minimumViewMs);
    const posted = entry.artwork.dwellTimeMs && entry.artwork.dwellTimeMs > 0 ? entry.artwork.dwellTimeMs : this.#options.defaultDwellMs;
    const dwell = this.#options.dwellOverrideMs > 0 ? this.#options.dwellOverrideMs : posted;
    this.#dwellRemainingMs = dwell;
    if (!this.#paused) this.#startDwell(dwell);
  }

  #startDwell(ms: number): void {
    this.#dwellStartedAt = this.#host.clock.monotonicMs();
    this.#dwellTimer = this.#host.timers.set(() => {
      this.#dwellTimer = undefined;
      this.#dwellRemainingMs = 0;
      // An animation plays at least one full loop, however short the dwell time — within a bound,
      // so an animation that stops reporting loops (a status screen took the panel) cannot hold on.
      if (this.#animated && this.#loopsCompleted === 0) {
        this.#waitingForLoop = true;
        this.#dwellTimer = this.#host.timers.set(() => {
          this.#dwellTimer = undefined;
          this.#waitingForLoop = false;
          if (this.#running) void this.#advance();
        }, this.#options.loopWaitLimitMs);
      } else if (this.#running) void this.#advance();
    }, ms);
  }

  #onLoopCompleted(): void {
    this.#loopsCompleted++;
    if (this.#waitingForLoop && !this.#paused && this.#running) {
      this.#waitingForLoop = false;
      void this.#advance();
    }
  }

  #onFailed(entry: Entry, reason: string): void {
    this.#consecutiveFailures++;
    this.#host.log.write("warn", `scheduler: post ${entry.artwork.postId} failed (${reason}); skipping it`);
    // A failed artwork leaves the history: swap_back should not land on it.
    const index = this.#history.indexOf(entry);
    if (index >= 0) {
      this.#history.splice(index, 1);
      if (this.#position >= index) this.#position--;
    }
    if (!this.#running) return;
    if (this.#consecutiveFailures >= this.#options.failuresBeforeBackoff) {
      this.#notifyIdle(`${this.#consecutiveFailures} artworks in a row failed; trying again in ${Math.round(this.#backoffMs / 1000)} s`);
      this.#retryLater();
      return;
    }
    void this.#advance();
  }

  #retryLater(): void {
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.backoffMaximumMs);
    this.#clearTimer("retry");
    this.#retryTimer = this.#host.timers.set(() => {
      this.#retryTimer = undefined;
      if (this.#running) void this.#advance();
    }, delay);
  }

  #notifyIdle(reason: string): void {
    this.#host.log.write("info", `scheduler: ${reason}`);
    for (const observer of this.#observers) observer.idle?.(reason);
  }

  #clearTimer(which: "dwell" | "view" | "retry"): void {
    const id = which === "dwell" ? this.#dwellTimer : which === "view" ? this.#viewTimer : this.#retryTimer;
    if (id === undefined) return;
    this.#host.timers.clear(id);
    if (which === "dwell") this.#dwellTimer = undefined;
    else if (which === "view") this.#viewTimer = undefined;
    else this.#retryTimer = undefined;
  }
}
