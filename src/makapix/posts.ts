// Posts as the player keeps them: only the fields it uses (protocol sheet §3), so a page of them stays
// small. The reply extractor builds these straight from the reply (POST_SCHEMA in records.ts); the
// scheduler and the artwork pipeline consume them. An artwork post is the artwork stage's own shape.

import type { ArtworkPost } from "../art/artwork.js";
import type { RequestValue } from "./requests.js";

export interface PlaylistPost {
  kind: "playlist";
  postId: number;
  totalArtworks?: number;
  dwellTimeMs?: number;
}

export type Post = ArtworkPost | PlaylistPost;

export interface PostPage {
  posts: Post[];
  hasMore: boolean;
  /** Present only when `hasMore`; passed back verbatim. */
  nextCursor?: string;
}

/** Fields asked for in every query: what the scheduler and the rendition choice need. */
export const INCLUDE_FIELDS: readonly string[] = Object.freeze(["width", "height", "frame_count", "dwell_time_ms", "transparency_actual", "alpha_actual", "owner_handle"]);

/** One AND-ed filter of query_posts (`field`, `op`, `value`). */
export interface Criterion {
  field: string;
  op: "eq" | "neq" | "lt" | "gt" | "lte" | "gte" | "in" | "not_in" | "is_null" | "is_not_null";
  value?: RequestValue;
}

/**
 * Only art this player can show: artworks (every channel can return playlists, which no request
 * expands), within the decoders' size limit.
 */
export function playableCriteria(maximumSide: number): Criterion[] {
  return [
    { field: "kind", op: "eq", value: "artwork" },
    { field: "width", op: "lte", value: maximumSide },
    { field: "height", op: "lte", value: maximumSide },
  ];
}

export function criteriaValue(criteria: Criterion[]): RequestValue {
  return criteria.map((criterion) => {
    const entry: { [key: string]: RequestValue } = { field: criterion.field, op: criterion.op };
    if (criterion.value !== undefined) entry["value"] = criterion.value;
    return entry;
  });
}
