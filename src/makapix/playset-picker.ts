// Chooses which channel of a playset supplies the next artwork. Smooth weighted round robin: over any
// run of picks each channel's share follows its weight, spread out evenly, and the order is fully
// deterministic (no random numbers, so a test or a user sees the same sequence every time).
// Exposure modes map to weights: equal → all 1; manual → the user's weights; proportional → the
// weights the service computed for the playset.

import type { ChannelFeed } from "./channel-feed.js";

export class PlaysetPicker {
  readonly #feeds: ChannelFeed[];
  readonly #weights: number[];
  readonly #credit: number[];
  readonly #total: number;

  constructor(entries: { feed: ChannelFeed; weight: number }[]) {
    this.#feeds = entries.map((entry) => entry.feed);
    this.#weights = entries.map((entry) => entry.weight);
    this.#credit = entries.map(() => 0);
    this.#total = this.#weights.reduce((sum, weight) => sum + weight, 0);
  }

  get channels(): number {
    return this.#feeds.length;
  }

  next(): ChannelFeed {
    let best = 0;
    for (let i = 0; i < this.#feeds.length; i++) {
      this.#credit[i]! += this.#weights[i]!;
      if (this.#credit[i]! > this.#credit[best]!) best = i;
    }
    this.#credit[best]! -= this.#total;
    return this.#feeds[best]!;
  }
}
