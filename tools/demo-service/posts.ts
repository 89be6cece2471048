// query_posts and get_post over the catalogue, as the service answers them (sheet §3): channel and
// visibility filters, criteria, sorts, offset or keyset cursors, include_fields, nulls omitted,
// and the 128 KiB trim measured on minified JSON.

import type { Catalogue } from "./catalogue.js";
import type { ArtworkPost, Post } from "./catalogue-data.js";
import { matchesCriteria, type Criterion, type CriteriaSubject } from "./criteria.js";
import { minifiedJsonBytes, type JsonValue } from "./python-json.js";
import { seededRandom, shuffled } from "./random.js";
import type { ReactionStore } from "./reactions.js";
import { RpcError } from "./rpc-error.js";

export const DEFAULT_DWELL_MS = 30000;
export const MAX_REPLY_BYTES = 131072;
export const OPTIONAL_ARTWORK_FIELDS: readonly string[] = [
  "owner_handle",
  "metadata_modified_at",
  "artwork_modified_at",
  "width",
  "height",
  "frame_count",
  "dwell_time_ms",
  "transparency_actual",
  "alpha_actual",
];

export type Channel = "all" | "promoted" | "user" | "by_user" | "hashtag" | "reactions" | "artwork";
export type Sort = "server_order" | "created_at" | "random" | "reacted_at";

export interface PostQuery {
  channel: Channel;
  userHandle?: string | undefined;
  userSqid?: string | undefined;
  hashtag?: string | undefined;
  sort: Sort;
  randomSeed?: number | undefined;
  cursor?: string | undefined;
  limit: number;
  criteria: Criterion[];
  includeFields?: string[] | undefined;
}

export interface PostSource {
  catalogue: Catalogue;
  reactions: ReactionStore;
  /** https vault base for art_url, no trailing slash. */
  vaultUrl: string;
}

export interface PostsPage {
  posts: JsonValue[];
  hasMore: boolean;
  nextCursor?: string;
}

/** The posts of one query_posts page (before trimming). Throws RpcError for the service's refusals. */
export function queryPosts(source: PostSource, query: PostQuery): PostsPage {
  const { catalogue } = source;
  const owner = catalogue.ownerHandle;
  let candidates = catalogue.posts.filter((post) => isListed(catalogue, post, query.channel === "user"));
  let reactedAt: Map<number, { at: string; id: number }> | undefined;

  switch (query.channel) {
    case "promoted":
      candidates = candidates.filter((post) => post.promoted);
      break;
    case "user":
      candidates = candidates.filter((post) => post.owner === owner);
      break;
    case "by_user": {
      const user = resolveUser(catalogue, query, "by_user");
      candidates = candidates.filter((post) => post.owner === user);
      break;
    }
    case "reactions": {
      const user = resolveUser(catalogue, query, "reactions");
      reactedAt = source.reactions.latestByPost(user);
      // The reactions channel also shows the owner's own not-yet-public posts.
      candidates = catalogue.posts.filter((post) => reactedAt!.has(post.postId) && (isListed(catalogue, post, false) || (post.owner === owner && isListed(catalogue, post, true))));
      break;
    }
    case "hashtag": {
      if (!query.hashtag) throw new RpcError("missing_hashtag", "hashtag is required when channel='hashtag'");
      const tag = query.hashtag.trim().toLowerCase();
      if (!tag) throw new RpcError("invalid_hashtag", "hashtag cannot be empty");
      candidates = candidates.filter((post) => post.hashtags.includes(tag));
      break;
    }
    // "all" and "artwork" filter nothing: "artwork" returns playlists too (service policy).
  }
  candidates = candidates.filter((post) => matchesCriteria(criteriaSubject(post), query.criteria));
  const ordered = sortPosts(candidates, query, reactedAt);

  let page: Post[];
  let nextCursor: string | undefined;
  let hasMore: boolean;
  if (reactedAt) {
    // Keyset paging on the reaction time: the cursor is base64 of {"id", "sort"}.
    const after = decodeReactionCursor(query.cursor);
    const rest = after === undefined ? ordered : ordered.filter((post) => Date.parse(reactedAt!.get(post.postId)!.at) < after);
    hasMore = rest.length > query.limit;
    page = rest.slice(0, query.limit);
    if (hasMore) {
      const last = reactedAt.get(page[page.length - 1]!.postId)!;
      nextCursor = encodeReactionCursor(last.id, last.at);
    }
  } else {
    const offset = offsetCursor(query.cursor);
    hasMore = ordered.length > offset + query.limit;
    page = ordered.slice(offset, offset + query.limit);
    if (hasMore) nextCursor = String(offset + query.limit);
  }
  const include = new Set((query.includeFields ?? []).filter((name) => OPTIONAL_ARTWORK_FIELDS.includes(name)));
  return { posts: page.map((post) => postPayload(source, post, include)), hasMore, ...(nextCursor !== undefined ? { nextCursor } : {}) };
}

/** get_post: the post, or the service's reason for refusing it. */
export function getPost(source: PostSource, postId: number, includeFields: string[] | undefined): JsonValue {
  const { catalogue } = source;
  const post = catalogue.posts.find((p) => p.postId === postId);
  if (!post) throw new RpcError("not_found", `Post ${postId} not found`);
  if (post.visibility === "deleted") throw new RpcError("deleted", "Post has been deleted");
  if (post.visibility === "not_visible") throw new RpcError("not_visible", "Post is not visible");
  if (post.visibility === "hidden_by_user" || post.visibility === "hidden_by_mod" || post.visibility === "non_conformant") {
    throw new RpcError("not_available", "Post is not available");
  }
  if (hasUnapprovedHashtag(catalogue, post)) throw new RpcError("content_not_approved", "Post contains content not approved by user");
  const include = new Set((includeFields ?? []).filter((name) => OPTIONAL_ARTWORK_FIELDS.includes(name)));
  return postPayload(source, post, include);
}

function isListed(catalogue: Catalogue, post: Post, ownPosts: boolean): boolean {
  if (post.visibility !== "public" && !(post.visibility === "private" && ownPosts)) return false;
  return !hasUnapprovedHashtag(catalogue, post);
}

function hasUnapprovedHashtag(catalogue: Catalogue, post: Post): boolean {
  return post.hashtags.some((tag) => catalogue.monitoredHashtags.includes(tag) && !catalogue.approvedHashtags.includes(tag));
}

function resolveUser(catalogue: Catalogue, query: PostQuery, channel: string): string {
  let user;
  if (query.userHandle) user = catalogue.users.find((u) => u.handle === query.userHandle);
  else if (query.userSqid) user = catalogue.users.find((u) => u.sqid === query.userSqid);
  else throw new RpcError("missing_user_identifier", `user_handle or user_sqid is required when channel='${channel}'`);
  if (!user) throw new RpcError("user_not_found", `User '${query.userHandle || query.userSqid}' not found`);
  return user.handle;
}

function sortPosts(posts: Post[], query: PostQuery, reactedAt: Map<number, { at: string; id: number }> | undefined): Post[] {
  const byIdDesc = (a: Post, b: Post) => b.postId - a.postId;
  if (reactedAt && (query.sort === "server_order" || query.sort === "reacted_at")) {
    return posts.slice().sort((a, b) => {
      const ra = reactedAt.get(a.postId)!;
      const rb = reactedAt.get(b.postId)!;
      return Date.parse(rb.at) - Date.parse(ra.at) || rb.id - ra.id;
    });
  }
  if (query.sort === "created_at") return posts.slice().sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || byIdDesc(a, b));
  if (query.sort === "random") {
    // Seeded: the same order on every page (Postgres setseed(seed % 1000000 / 1e6)); unseeded:
    // a new shuffle per request, so pages overlap and repeat, as on the real service.
    const inIdOrder = posts.slice().sort((a, b) => a.postId - b.postId);
    const random = query.randomSeed === undefined ? Math.random : seededRandom((((query.randomSeed % 1_000_000) + 1_000_000) % 1_000_000) + 1);
    return shuffled(inIdOrder, random);
  }
  return posts.slice().sort(byIdDesc); // server_order, and reacted_at outside the reactions channel
}

/** Offset cursors are decimal strings; anything else restarts from the top (the service logs and ignores it). */
function offsetCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  if (!/^\s*[+-]?\d+\s*$/.test(cursor)) return 0;
  const offset = Number(cursor.trim());
  if (offset < 0) throw new RpcError("internal_error", "Internal error processing query: OFFSET must not be negative");
  return offset;
}

function encodeReactionCursor(reactionId: number, reactedAt: string): string {
  // Python: base64(json.dumps({"id": str(id), "sort": datetime.isoformat()})).
  const sort = reactedAt.replace(/Z$/, "+00:00");
  return Buffer.from(`{"id": "${reactionId}", "sort": "${sort}"}`).toString("base64");
}

function decodeReactionCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  try {
    const data = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { sort?: unknown };
    const at = typeof data.sort === "string" ? Date.parse(data.sort) : NaN;
    return Number.isNaN(at) ? undefined : at;
  } catch {
    return undefined;
  }
}

export function artUrl(source: PostSource, post: ArtworkPost): string {
  if (post.artUrlEmpty) return "";
  const folder = post.storageShard ? `${post.storageShard}/` : "";
  return `${source.vaultUrl}/${folder}${post.storageKey}.${post.nativeFormat}`;
}

/** The post object on the wire: mandatory fields, requested optional ones, nulls left out. */
export function postPayload(source: PostSource, post: Post, include: ReadonlySet<string>): JsonValue {
  if (post.kind === "playlist") {
    return {
      post_id: post.postId,
      kind: "playlist",
      owner_handle: post.owner,
      created_at: post.createdAt,
      metadata_modified_at: post.metadataModifiedAt,
      total_artworks: post.items.length,
      dwell_time_ms: post.dwellTimeMs ?? DEFAULT_DWELL_MS,
    };
  }
  const out: { [key: string]: JsonValue } = {
    post_id: post.postId,
    kind: "artwork",
    created_at: post.createdAt,
    storage_key: post.storageKey,
    art_url: artUrl(source, post),
    storage_shard: post.storageShard,
    native_format: post.nativeFormat,
  };
  const optional: [string, JsonValue][] = [
    ["owner_handle", post.owner],
    ["metadata_modified_at", post.metadataModifiedAt],
    ["artwork_modified_at", post.artworkModifiedAt],
    ["width", post.width],
    ["height", post.height],
    ["frame_count", post.frameCount],
    ["dwell_time_ms", post.dwellTimeMs ?? DEFAULT_DWELL_MS],
    ["transparency_actual", post.transparencyActual],
    ["alpha_actual", post.alphaActual],
  ];
  for (const [name, value] of optional) if (include.has(name)) out[name] = value;
  return out;
}

export function criteriaSubject(post: Post): CriteriaSubject {
  if (post.kind === "playlist") {
    return {
      kind: "playlist",
      width: null,
      height: null,
      frame_count: null,
      min_frame_duration_ms: null,
      max_frame_duration_ms: null,
      unique_colors: null,
      transparency_meta: null,
      alpha_meta: null,
      transparency_actual: null,
      alpha_actual: null,
      renditions: [],
    };
  }
  return {
    kind: "artwork",
    width: post.width,
    height: post.height,
    frame_count: post.frameCount,
    min_frame_duration_ms: post.minFrameDurationMs,
    max_frame_duration_ms: post.maxFrameDurationMs,
    unique_colors: post.uniqueColors,
    transparency_meta: post.transparencyMeta,
    alpha_meta: post.alphaMeta,
    transparency_actual: post.transparencyActual,
    alpha_actual: post.alphaActual,
    renditions: post.files,
  };
}

/**
 * The service's cap on query_posts replies: when the minified JSON exceeds `limit` bytes, keep the
 * longest prefix of posts that fits (next_cursor is not rewound: the rest of the page is skipped).
 */
export function trimReply<T extends { posts: JsonValue[] }>(reply: T, limit = MAX_REPLY_BYTES): T {
  if (minifiedJsonBytes(reply as unknown as JsonValue) <= limit) return reply;
  let low = 0;
  let high = reply.posts.length;
  while (low < high) {
    const mid = Math.floor((low + high + 1) / 2);
    if (minifiedJsonBytes({ ...reply, posts: reply.posts.slice(0, mid) } as unknown as JsonValue) <= limit) low = mid;
    else high = mid - 1;
  }
  return { ...reply, posts: reply.posts.slice(0, low) };
}
