// One channel's stream of artworks: pages fetched with query_posts, the cursor passed back verbatim,
// the next page prefetched before the current one runs out, playlists skipped, and the channel started
// again from the top once it is exhausted. Holds at most two pages of posts.

import type { Log } from "../ports.js";
import { channelQueryFields, type ChannelSpec } from "./channels.js";
import type { ArtworkPost } from "../art/artwork.js";
import { criteriaValue, INCLUDE_FIELDS, type Criterion, type PostPage } from "./posts.js";
import type { RequestValue } from "./requests.js";

/** Runs one query_posts request with the given fields (the request broker plus a streaming reader). */
export type QueryPosts = (fields: { [key: string]: RequestValue }) => Promise<PostPage>;

export interface FeedOptions {
  pageSize: number;
  /** Prefetch once this many artworks or fewer are left; -1: only fetch when empty. */
  prefetchAt: number;
  criteria: Criterion[];
  /** Seed for sort=random, fixed per session so pages do not repeat posts. */
  randomSeed: number;
}

export type FeedResult = { artwork: ArtworkPost } | { empty: true } | { error: Error };

export class ChannelFeed {
  readonly spec: ChannelSpec;
  readonly #query: QueryPosts;
  readonly #log: Log;
  readonly #options: FeedOptions;
  readonly #buffer: ArtworkPost[] = [];
  #cursor: string | undefined;
  #hasMore = true;
  #fetching: Promise<void> | undefined;
  #lastError: Error | undefined;
  /** Artworks seen since the channel last started from the top (0 after a full pass = empty channel). */
  #seenThisPass = 0;
  #pagesFetched = 0;

  constructor(spec: ChannelSpec, query: QueryPosts, log: Log, options: FeedOptions) {
    this.spec = spec;
    this.#query = query;
    this.#log = log;
    this.#options = options;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  get pagesFetched(): number {
    return this.#pagesFetched;
  }

  /** The next artwork, fetching (and prefetching) pages as needed. */
  async next(): Promise<FeedResult> {
    for (let rounds = 0; rounds < 3; rounds++) {
      if (this.#buffer.length === 0) {
        if (!this.#hasMore) {
          if (this.#seenThisPass === 0) {
            // Nothing playable now; the next call asks the service again (art may be posted meanwhile).
            this.#hasMore = true;
            this.#cursor = undefined;
            return { empty: true };
          }
          // Exhausted: play the channel again from the top.
          this.#cursor = undefined;
          this.#hasMore = true;
          this.#seenThisPass = 0;
        }
        await this.#fetch();
        if (this.#lastError && this.#buffer.length === 0) {
          const error = this.#lastError;
          this.#lastError = undefined;
          return { error };
        }
        if (this.#buffer.length === 0) continue;
      }
      const artwork = this.#buffer.shift()!;
      this.#seenThisPass++;
      if (this.#buffer.length <= this.#options.prefetchAt && this.#hasMore) void this.#fetch();
      return { artwork };
    }
    return { empty: true };
  }

  #fetch(): Promise<void> {
    if (this.#fetching) return this.#fetching;
    const fields: { [key: string]: RequestValue } = {
      ...channelQueryFields(this.spec),
      limit: this.#options.pageSize,
      include_fields: [...INCLUDE_FIELDS],
      criteria: criteriaValue(this.#options.criteria),
    };
    if (this.spec.sort === "random") fields["random_seed"] = this.#options.randomSeed;
    if (this.#cursor !== undefined) fields["cursor"] = this.#cursor;
    this.#lastError = undefined;
    this.#fetching = this.#query(fields).then(
      (page) => {
        this.#fetching = undefined;
        this.#pagesFetched++;
        let playlists = 0;
        for (const post of page.posts) {
          if (post.kind === "artwork") this.#buffer.push(post);
          else playlists++;
        }
        if (playlists > 0) this.#log.write("debug", `scheduler: skipped ${playlists} playlist(s) in ${this.spec.name}`);
        this.#hasMore = page.hasMore && page.nextCursor !== undefined;
        this.#cursor = page.nextCursor;
      },
      (error: Error) => {
        this.#fetching = undefined;
        this.#lastError = error;
        this.#log.write("warn", `scheduler: ${this.spec.name}: ${error.message}`);
      },
    );
    return this.#fetching;
  }
}
