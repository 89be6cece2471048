// The promoted feed over plain HTTPS, for a device that has no credentials yet (protocol sheet §9: the
// reference player plays it before registration, so a new device shows art at once).
//
//   GET {api}/feed/promoted?limit=N[&cursor=C] → {"items": [Post, …], "next_cursor": string | null}
//
// The shape is the service's generic page (`Page[Post]`: `items` and `next_cursor`) with its web `Post`
// schema, which differs from the MQTT query_posts records: the id is `id` (not `post_id`), alpha facts
// are `uses_transparency`/`uses_alpha`, there is no `storage_shard`, and `art_url` may be relative to
// the site ("/api/vault/…"). That reading comes from the service's published source; the sheet only
// names the endpoint. Posts are read as they stream in (ArtworkPost, as the artwork pipeline takes
// them; playlists and broken records are skipped), so a page costs what its kept posts cost.
// `queryPosts` adapts the client to ChannelFeed, so the scheduler can play it like any channel.
//
// Memory: the HTTP client's buffers (~8 KiB), the tokenizer (1 KiB text buffer), one record being
// built, and the kept posts (at most `pageSize`).

import { JsonError } from "../json/errors.js";
import { BOOLEAN, defineSchema, INTEGER, RecordBuilder, STRING } from "../json/records.js";
import type { JsonText } from "../json/text.js";
import { JsonTokenizer, type JsonHandler } from "../json/tokenizer.js";
import type { QueryPosts } from "../makapix/channel-feed.js";
import type { ArtworkPost } from "../art/artwork.js";
import type { PostPage } from "../makapix/posts.js";
import { HttpError } from "../net/errors.js";
import { HttpClient, type HttpSink } from "../net/http.js";
import { parseHttpUrl } from "../net/url.js";
import type { Host } from "../ports.js";

const INT32 = 0x7fffffff;

/** The web Post fields the player uses; the rest (title, owner, hashtags…) is skipped unread. */
const FEED_POST_SCHEMA = defineSchema([
  { key: "id", property: "postId", type: INTEGER, min: 1, max: Number.MAX_SAFE_INTEGER, required: true },
  { key: "kind", property: "kind", type: STRING, maxUnits: 16 },
  { key: "storage_key", property: "storageKey", type: STRING, maxUnits: 128, required: true },
  { key: "storage_shard", property: "storageShard", type: STRING, maxUnits: 64 },
  { key: "art_url", property: "artUrl", type: STRING, maxUnits: 512 },
  { key: "width", property: "width", type: INTEGER, min: 1, max: 65535 },
  { key: "height", property: "height", type: INTEGER, min: 1, max: 65535 },
  { key: "frame_count", property: "frameCount", type: INTEGER, min: 0, max: INT32 },
  { key: "dwell_time_ms", property: "dwellTimeMs", type: INTEGER, min: 0, max: INT32 },
  { key: "uses_transparency", property: "transparencyActual", type: BOOLEAN },
  { key: "uses_alpha", property: "alphaActual", type: BOOLEAN },
]);

const TOP_SCHEMA = defineSchema([{ key: "next_cursor", property: "nextCursor", type: STRING, maxUnits: 512 }]);

export const DEFAULT_PAGE_SIZE = 20;
/** The service's own ceiling for `limit`. */
const MAXIMUM_PAGE_SIZE = 200;

export type PromotedFeedErrorKind = "network" | "status" | "malformed";

export class PromotedFeedError extends Error {
  override readonly name = "PromotedFeedError";
  readonly kind: PromotedFeedErrorKind;
  readonly status: number | undefined;
  constructor(kind: PromotedFeedErrorKind, message: string, status?: number) {
    super(`${kind}: ${message}`);
    this.kind = kind;
    this.status = status;
  }
}

export interface PromotedFeedOptions {
  /** e.g. "https://makapix.club/api". */
  apiBase: string;
  /** PEM CA of the API's certificate. */
  ca: string;
  /** Posts asked for (and kept) per page: 1–200, default 20. */
  pageSize?: number;
}

export class PromotedFeedClient {
  readonly #apiBase: string;
  /** "https://host:port", for art URLs relative to the site. */
  readonly #origin: string;
  readonly #pageSize: number;
  readonly #http: HttpClient;
  #cancel: (() => void) | undefined;
  /** For ChannelFeed: `cursor` and `limit` are honoured; other query fields do not apply here. */
  readonly queryPosts: QueryPosts;

  constructor(host: Host, options: PromotedFeedOptions) {
    let base = options.apiBase;
    while (base.endsWith("/")) base = base.slice(0, -1);
    const url = parseHttpUrl(base); // throws HttpError "url" for a base that cannot work
    this.#apiBase = base;
    this.#origin = `${url.secure ? "https" : "http"}://${url.authority}`;
    const size = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAXIMUM_PAGE_SIZE) throw new RangeError(`pageSize must be 1..${MAXIMUM_PAGE_SIZE}`);
    this.#pageSize = size;
    this.#http = new HttpClient(host, { ca: options.ca, maximumBodyBytes: 1024 * 1024 });
    this.queryPosts = (fields) => {
      const cursor = fields["cursor"];
      const limit = fields["limit"];
      return this.fetchPage(typeof cursor === "string" ? cursor : undefined, typeof limit === "number" ? limit : undefined);
    };
  }

  /** One page, newest promoted first. Rejects with PromotedFeedError. */
  async fetchPage(cursor?: string, limit?: number): Promise<PostPage> {
    const size = limit !== undefined && Number.isInteger(limit) && limit >= 1 && limit <= this.#pageSize ? limit : this.#pageSize;
    const reader = new FeedPageReader(size, this.#origin);
    const sink: HttpSink = {
      begin: () => reader.reset(),
      data: (chunk) => reader.push(chunk),
      end: () => undefined,
      abort: () => reader.reset(),
    };
    const query = `?limit=${size}${cursor !== undefined ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const request = this.#http.request(`${this.#apiBase}/feed/promoted${query}`, {}, sink);
    this.#cancel = request.cancel;
    try {
      await request.result;
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.kind === "status") throw new PromotedFeedError("status", error.message, error.status);
        if (error.kind === "aborted" && error.message.includes("sink")) throw new PromotedFeedError("malformed", error.message);
        throw new PromotedFeedError("network", error.message);
      }
      throw error;
    } finally {
      this.#cancel = undefined;
    }
    try {
      return reader.finish();
    } catch (error) {
      if (error instanceof JsonError) throw new PromotedFeedError("malformed", error.message);
      throw error;
    }
  }

  cancel(): void {
    this.#cancel?.();
  }
}

/** Streams one page: `items[*]` → ArtworkPost, `next_cursor` → the cursor. Throws JsonError on a bad page. */
export class FeedPageReader implements JsonHandler {
  readonly #tokenizer: JsonTokenizer;
  readonly #top: RecordBuilder;
  readonly #builder: RecordBuilder;
  readonly #maximumPosts: number;
  readonly #origin: string;
  #posts: ArtworkPost[] = [];
  #depth = 0;
  #inItems = false;
  #sawItems = false;
  #key: "items" | "other" = "other";
  #inRecord = false;
  /** Records skipped: playlists, bad fields, posts beyond the page size. */
  skipped = 0;

  constructor(maximumPosts: number, origin: string) {
    this.#maximumPosts = maximumPosts;
    this.#origin = origin;
    this.#tokenizer = new JsonTokenizer(this, { maxDepth: 16, maxStringUnits: 512, defaultStringLimit: 0, defaultOverflow: "truncate" });
    this.#top = new RecordBuilder(this.#tokenizer, true);
    this.#builder = new RecordBuilder(this.#tokenizer);
  }

  reset(): void {
    this.#tokenizer.reset();
    this.#posts = [];
    this.#depth = 0;
    this.#inItems = this.#sawItems = this.#inRecord = false;
    this.skipped = 0;
  }

  push(chunk: Uint8Array): void {
    this.#tokenizer.push(chunk);
  }

  finish(): PostPage {
    this.#tokenizer.end();
    if (!this.#sawItems) throw new JsonError("missing", "a feed page needs items", this.#tokenizer.offset, "items");
    const top = this.#top.finish();
    const cursor = top["nextCursor"];
    const posts = this.#posts;
    this.#posts = [];
    return typeof cursor === "string" && cursor !== "" ? { posts, hasMore: true, nextCursor: cursor } : { posts, hasMore: false };
  }

  beginObject(): void {
    const depth = ++this.#depth;
    if (depth === 1) return this.#top.begin(TOP_SCHEMA);
    if (this.#inRecord) {
      if (depth === 4) this.#builder.container("an object");
      return;
    }
    if (depth === 2) {
      if (this.#key === "items") throw this.#wrong("items", "an array", "an object");
      this.#top.container("an object");
    } else if (depth === 3 && this.#inItems) {
      this.#inRecord = true;
      this.#builder.begin(FEED_POST_SCHEMA);
    }
  }

  endObject(): void {
    const depth = this.#depth--;
    if (this.#inRecord && depth === 3) {
      this.#inRecord = false;
      let record: Record<string, unknown>;
      try {
        record = this.#builder.finish();
      } catch (error) {
        if (!(error instanceof JsonError)) throw error;
        this.skipped++;
        return;
      }
      this.#keep(record);
    }
  }

  beginArray(): void {
    const depth = ++this.#depth;
    if (depth === 1) throw new JsonError("type", "a feed page must be an object, not an array", this.#tokenizer.offset);
    if (this.#inRecord) {
      if (depth === 4) this.#builder.container("an array");
      return;
    }
    if (depth === 2) {
      if (this.#key === "items") {
        this.#inItems = true;
        this.#sawItems = true;
      } else this.#top.container("an array");
    } else if (depth === 3 && this.#inItems) this.skipped++;
  }

  endArray(): void {
    if (this.#depth-- === 2) this.#inItems = false;
  }

  key(key: JsonText): void {
    if (this.#inRecord) {
      if (this.#depth === 3) this.#builder.key(key);
      return;
    }
    if (this.#depth !== 1) return;
    const isItems = key.length === 5 && key.toString() === "items";
    if (isItems && this.#sawItems) throw new JsonError("duplicate", "appears twice", this.#tokenizer.offset, "items");
    this.#key = isItems ? "items" : "other";
    this.#top.key(key);
  }

  string(value: JsonText): void {
    if (this.#scalar("a string")) this.#builder.string(value);
    else if (this.#depth === 1) this.#top.string(value);
  }

  number(value: number): void {
    if (this.#scalar("a number")) this.#builder.number(value);
    else if (this.#depth === 1) this.#top.number(value);
  }

  boolean(value: boolean): void {
    if (this.#scalar("a boolean")) this.#builder.boolean(value);
    else if (this.#depth === 1) this.#top.boolean(value);
  }

  null(): void {
    if (this.#depth === 0) throw new JsonError("type", "a feed page must be an object, not null", this.#tokenizer.offset);
    if (this.#inRecord && this.#depth === 3) this.#builder.null();
    else if (this.#depth === 1) this.#top.null();
  }

  /** True when the scalar is a field of the record being read; refuses impossible places. */
  #scalar(found: string): boolean {
    const depth = this.#depth;
    if (depth === 0) throw new JsonError("type", `a feed page must be an object, not ${found}`, this.#tokenizer.offset);
    if (this.#inRecord) return depth === 3;
    if (depth === 1 && this.#key === "items") throw this.#wrong("items", "an array", found);
    if (depth === 2 && this.#inItems) this.skipped++;
    return false;
  }

  #keep(record: Record<string, unknown>): void {
    const kind = record["kind"];
    if ((kind !== undefined && kind !== "artwork") || this.#posts.length >= this.#maximumPosts) {
      this.skipped++;
      return;
    }
    // The casts: FEED_POST_SCHEMA guarantees these fields' types.
    const post: ArtworkPost = {
      kind: "artwork",
      postId: record["postId"] as number,
      storageKey: record["storageKey"] as string,
      storageShard: (record["storageShard"] as string | undefined) ?? "",
    };
    const artUrl = this.#absolute(record["artUrl"] as string | undefined);
    if (artUrl !== undefined) post.artUrl = artUrl;
    for (const field of ["width", "height", "frameCount", "dwellTimeMs"] as const) {
      const value = record[field];
      if (typeof value === "number") post[field] = value;
    }
    if (record["transparencyActual"] !== undefined) post.transparencyActual = record["transparencyActual"] as boolean;
    if (record["alphaActual"] !== undefined) post.alphaActual = record["alphaActual"] as boolean;
    this.#posts.push(post);
  }

  /** An art URL the pipeline can fetch: absolute http(s) as given, "/…" on the API's origin, else none. */
  #absolute(url: string | undefined): string | undefined {
    if (url === undefined || url === "") return undefined;
    if (url.startsWith("https://") || url.startsWith("http://")) return url;
    if (url.startsWith("/") && !url.startsWith("//")) return this.#origin + url;
    return undefined;
  }

  #wrong(key: string, expected: string, found: string): JsonError {
    return new JsonError("type", `must be ${expected}, not ${found}`, this.#tokenizer.offset, key);
  }
}
