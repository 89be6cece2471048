// The Makapix reply records (protocol sheet §3) as schemas for the JSON layer's RecordBuilder: posts,
// comments, channels and the scalar top-level fields of a reply.
//
// A post record is the player's Post itself (src/makapix/posts.ts): the schema reads only the fields
// the player uses, so a page of posts costs no more than the records it keeps, with no copy. Listed
// values (kind, native_format) are stored as the schema's shared strings, not per-post copies.

import { NATIVE_FORMATS } from "../art/artwork.js";
import { BOOLEAN, defineSchema, INTEGER, NUMBER, STRING, type FieldSpec, type RecordSchema } from "../json/records.js";

export interface CommentRecord {
  commentId: string;
  postId?: number;
  /** Absent for anonymous comments. */
  authorHandle?: string;
  body?: string;
  depth?: number;
  parentId?: string;
  createdAt?: string;
  deleted?: boolean;
}

export interface ChannelRecord {
  /** named | user | hashtag | sdcard (others may appear: the consumer decides). */
  type: string;
  name?: string;
  identifier?: string;
  displayName?: string;
  weight?: number;
}

const INT32 = 0x7fffffff;
const TIMESTAMP = 40;

function text(key: string, property: string, maxUnits: number, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { key, property, type: STRING, maxUnits, ...extra };
}

function integer(key: string, property: string, min: number, max: number, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { key, property, type: INTEGER, min, max, ...extra };
}

function flag(key: string, property: string, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { key, property, type: BOOLEAN, ...extra };
}

// Identifiers, URLs and cursors are rejected when too long (a cut one is wrong); text meant for
// display is truncated.
export const POST_SCHEMA = defineSchema(
  [
    integer("post_id", "postId", 1, Number.MAX_SAFE_INTEGER, { required: true }),
    text("kind", "kind", 16, { values: ["artwork", "playlist"], required: true }),
    text("storage_key", "storageKey", 128),
    text("art_url", "artUrl", 512),
    text("storage_shard", "storageShard", 64),
    // A format this player does not know leaves the field absent: the rendition choice guesses it.
    text("native_format", "nativeFormat", 16, { values: NATIVE_FORMATS, unlisted: "absent" }),
    text("owner_handle", "ownerHandle", 64, { overflow: "truncate" }),
    integer("width", "width", 1, 65535),
    integer("height", "height", 1, 65535),
    integer("frame_count", "frameCount", 0, INT32),
    integer("dwell_time_ms", "dwellTimeMs", 0, INT32),
    flag("transparency_actual", "transparencyActual"),
    flag("alpha_actual", "alphaActual"),
    integer("total_artworks", "totalArtworks", 0, INT32),
  ],
  (record) =>
    record.kind === "artwork" && record.storageKey === undefined ? { code: "missing", reason: "an artwork needs storage_key" } : undefined,
);

export const DEFAULT_COMMENT_BODY_UNITS = 512;

/** Comment bodies reach 2000 characters; the consumer chooses how much of them to keep. */
export function commentSchema(bodyUnits = DEFAULT_COMMENT_BODY_UNITS): RecordSchema {
  return defineSchema([
    text("comment_id", "commentId", 64, { required: true }),
    integer("post_id", "postId", 1, Number.MAX_SAFE_INTEGER),
    text("author_handle", "authorHandle", 64, { overflow: "truncate" }),
    text("body", "body", bodyUnits, { overflow: "truncate" }),
    integer("depth", "depth", 0, 255),
    text("parent_id", "parentId", 64),
    text("created_at", "createdAt", TIMESTAMP),
    flag("deleted", "deleted"),
  ]);
}

export const COMMENT_SCHEMA = commentSchema();

export const CHANNEL_SCHEMA = defineSchema([
  text("type", "type", 16, { required: true }),
  text("name", "name", 64),
  text("identifier", "identifier", 128),
  text("display_name", "displayName", 128, { overflow: "truncate" }),
  { key: "weight", property: "weight", type: NUMBER, min: 0 },
]);

/** The scalar top-level fields of every reply (§3). The record-valued ones are the extractor's. */
export const REPLY_SCHEMA = defineSchema([
  text("request_id", "requestId", 128),
  flag("success", "success", { required: true }),
  text("error", "error", 256, { overflow: "truncate" }),
  text("error_code", "errorCode", 64, { overflow: "truncate" }),
  flag("has_more", "hasMore"),
  text("next_cursor", "nextCursor", 512),
  text("playset_name", "playsetName", 64),
  text("exposure_mode", "exposureMode", 32),
  text("pick_mode", "pickMode", 32),
  text("echo_data", "echoData", 512),
  text("received_at", "receivedAt", TIMESTAMP),
]);
