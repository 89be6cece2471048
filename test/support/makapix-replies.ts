// Deterministic Makapix replies for tests and benchmarks, written the way the service publishes
// them: Python's json.dumps defaults (", " and ": " separators, every non-ASCII character escaped as
// \uXXXX, surrogate pairs for the astral ones). Portable: no Node APIs (the unit tests run in XS).

/** xorshift32: small, fast, the same sequence on every engine. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.#state = x;
    return x / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

function hex4(unit: number): string {
  return "\\u" + unit.toString(16).padStart(4, "0");
}

// Iterates by code point and joins parts once: in XS, charCodeAt(i) on a long string costs O(i)
// and each `+=` copies the whole string.
function quote(s: string): string {
  const out: string[] = ['"'];
  for (const character of s) {
    // codePointAt, not charCodeAt/length: in a Moddable app an emoji is one index whose charCodeAt
    // is the whole code point. ensure_ascii writes astral characters as a surrogate-pair escape.
    const unit = character.codePointAt(0)!;
    if (unit > 0xffff) out.push(hex4(0xd800 + ((unit - 0x10000) >> 10)) + hex4(0xdc00 + ((unit - 0x10000) & 0x3ff)));
    else if (unit === 0x22) out.push('\\"');
    else if (unit === 0x5c) out.push("\\\\");
    else if (unit === 0x0a) out.push("\\n");
    else if (unit === 0x0d) out.push("\\r");
    else if (unit === 0x09) out.push("\\t");
    else if (unit === 0x08) out.push("\\b");
    else if (unit === 0x0c) out.push("\\f");
    else if (unit < 0x20 || unit > 0x7e) out.push(hex4(unit));
    else out.push(character);
  }
  out.push('"');
  return out.join("");
}

/** JSON as the service publishes it (json.dumps with ensure_ascii and default separators). */
export function serviceJson(value: Plain | undefined): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return JSON.stringify(value);
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) return "[" + value.map((item) => serviceJson(item)).join(", ") + "]";
  const members: string[] = [];
  for (const key of Object.keys(value)) members.push(quote(key) + ": " + serviceJson(value[key]));
  return "{" + members.join(", ") + "}";
}

function uuid(random: Random): string {
  let s = "";
  for (let i = 0; i < 32; i++) {
    s += "0123456789abcdef"[random.int(16)];
    if (i === 7 || i === 11 || i === 15 || i === 19) s += "-";
  }
  return s;
}

function timestamp(random: Random): string {
  const day = 1 + random.int(28);
  const hour = random.int(24);
  const minute = random.int(60);
  const second = random.int(60);
  const micro = random.int(1000000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `2026-${two(1 + random.int(12))}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.${String(micro).padStart(6, "0")}+00:00`;
}

const HANDLES = ["pixelfox", "r\u00e9my", "\u30c9\u30c3\u30c8\u7d75", "8bit_bard", "tiny-tiles", "\u{1f3a8}artist", "null", "x"];
const WORDS = ["sunset", "\u00e9t\u00e9", "\u732b", "\u{1f431}", "pixel", "\"quoted\"", "back\\slash", "tab\there", "line\nbreak", "caf\u00e9", "\u0434\u043e\u043c"];
const FORMATS = ["png", "gif", "webp", "bmp"];

function words(random: Random, count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(random.pick(WORDS));
  return parts.join(" ");
}

export interface PostOptions {
  /** Unknown fields the player must skip: a title and description of this many words, hashtags, reactions. */
  extraWords?: number;
  /** Share of playlists (default 0.1). */
  playlistShare?: number;
}

/** One post object as the service sends it with every include field (snake_case, nulls omitted). */
export function makePost(random: Random, postId: number, options: PostOptions = {}): { [key: string]: Plain } {
  const extraWords = options.extraWords ?? 0;
  const handle = random.pick(HANDLES);
  if (random.chance(options.playlistShare ?? 0.1)) {
    const playlist: { [key: string]: Plain } = {
      post_id: postId,
      kind: "playlist",
      owner_handle: handle,
      created_at: timestamp(random),
      metadata_modified_at: timestamp(random),
      listed_at: timestamp(random),
      total_artworks: random.int(200),
      dwell_time_ms: 30000,
    };
    if (extraWords > 0) playlist.title = words(random, extraWords);
    return playlist;
  }
  const storageKey = uuid(random);
  const shard = random.chance(0.1) ? "" : `${random.int(16).toString(16)}${random.int(16).toString(16)}/${random.int(16).toString(16)}${random.int(16).toString(16)}`;
  const format = random.pick(FORMATS);
  const size = random.pick([8, 16, 32, 64, 128, 256]);
  const post: { [key: string]: Plain } = {
    post_id: postId,
    kind: "artwork",
    created_at: timestamp(random),
    storage_key: storageKey,
    art_url: random.chance(0.1) ? "" : `https://vault.makapix.club/${shard}/${storageKey}.${format}`,
    storage_shard: shard,
    native_format: format,
    listed_at: timestamp(random),
    owner_handle: handle,
    metadata_modified_at: timestamp(random),
    artwork_modified_at: timestamp(random),
    width: size,
    height: random.chance(0.8) ? size : size / 2,
    frame_count: random.chance(0.7) ? 1 : 2 + random.int(120),
    dwell_time_ms: random.pick([30000, 10000, 60000]),
    transparency_actual: random.chance(0.3),
    alpha_actual: random.chance(0.2),
  };
  if (random.chance(0.2)) post.promoted_at = timestamp(random);
  if (extraWords > 0) {
    post.title = words(random, extraWords);
    post.description = words(random, extraWords * 2);
    post.hashtags = [random.pick(WORDS), random.pick(WORDS)];
    post.reactions = { "\u2764\ufe0f": random.int(50), "\u{1f525}": random.int(9), nested: { deeper: [1, [2, { three: null }]] } };
  }
  return post;
}

export function makePosts(count: number, seed: number, options: PostOptions = {}): { [key: string]: Plain }[] {
  const random = new Random(seed);
  const posts: { [key: string]: Plain }[] = [];
  for (let i = 0; i < count; i++) posts.push(makePost(random, 1000 + i * 7, options));
  return posts;
}

export function queryPostsReply(posts: Plain[], requestId = "5f0c6d2e-8a1b-4c3d-9e4f-a0b1c2d3e4f5"): { [key: string]: Plain } {
  return { request_id: requestId, success: true, posts, next_cursor: "eyJvZmZzZXQiOiA1MH0=", has_more: true, error: null };
}

/** A query_posts reply of at least `bytes` bytes as published (posts with long unknown fields). */
export function queryPostsOfSize(bytes: number, seed: number): string {
  const random = new Random(seed);
  const posts: Plain[] = [];
  let size = serviceJson(queryPostsReply([])).length;
  while (size < bytes) {
    const post = makePost(random, 1000 + posts.length, { extraWords: 40 });
    size += serviceJson(post).length + 2;
    posts.push(post);
  }
  return serviceJson(queryPostsReply(posts));
}

const CAMEL: { [key: string]: string } = {
  post_id: "postId",
  kind: "kind",
  storage_key: "storageKey",
  art_url: "artUrl",
  storage_shard: "storageShard",
  native_format: "nativeFormat",
  owner_handle: "ownerHandle",
  width: "width",
  height: "height",
  frame_count: "frameCount",
  dwell_time_ms: "dwellTimeMs",
  transparency_actual: "transparencyActual",
  alpha_actual: "alphaActual",
  total_artworks: "totalArtworks",
  comment_id: "commentId",
  author_handle: "authorHandle",
  body: "body",
  depth: "depth",
  parent_id: "parentId",
  deleted: "deleted",
  type: "type",
  name: "name",
  identifier: "identifier",
  display_name: "displayName",
  weight: "weight",
};

/** The record the extractor should deliver for a service object: known fields, camelCase, nulls dropped. */
export function expectedRecord(object: { [key: string]: Plain }): { [key: string]: Plain } {
  const record: { [key: string]: Plain } = {};
  for (const key of Object.keys(object)) {
    const property = CAMEL[key];
    if (property !== undefined && object[key] !== null) record[property] = object[key]!;
  }
  return record;
}
