// Typed calls for every request the service answers (protocol sheet §3). Arguments are checked here
// against the service's own limits, so a call that would only come back as `internal_error` fails at
// once with a clear message instead of costing a round trip.

import type { PlaysetSpec } from "./channels.js";
import { MakapixError } from "./errors.js";
import type { Post, PostPage } from "./posts.js";
import {
  acknowledgementReader,
  commentsReader,
  echoReader,
  playsetReader,
  postReader,
  PostsReader,
  type CommentPage,
} from "./reply-readers.js";
import type { RequestBroker, RequestValue } from "./requests.js";
import type { JsonKernels, Log } from "../ports.js";
import { codePointCount } from "../util/string-model.js";

export interface CommentQuery {
  cursor?: string;
  /** 1–200; default 20 (bodies can be 2000 characters: ask for small pages). */
  limit?: number;
}

export class MakapixApi {
  readonly #requests: RequestBroker;
  readonly #log: Log;
  /** The host's native JSON kernels, for every reply; TypeScript otherwise. */
  readonly #jsonKernels: JsonKernels | undefined;

  constructor(requests: RequestBroker, log: Log, jsonKernels?: JsonKernels) {
    this.#requests = requests;
    this.#log = log;
    this.#jsonKernels = jsonKernels;
  }

  /** query_posts with the given fields (channel, sort, cursor, limit, criteria, include_fields…). */
  queryPosts(fields: { [key: string]: RequestValue }): Promise<PostPage> {
    const limit = fields["limit"];
    if (limit !== undefined && !isIntegerIn(limit, 1, 50)) return invalid(`query_posts: limit must be 1–50, not ${String(limit)}`);
    return this.#requests.request("query_posts", fields, new PostsReader(this.#log, typeof limit === "number" ? limit : 50, this.#jsonKernels));
  }

  getPost(postId: number, includeFields?: readonly string[]): Promise<Post> {
    if (!isPostId(postId)) return invalid(`get_post: post_id ${String(postId)}`);
    const fields: { [key: string]: RequestValue } = { post_id: postId };
    if (includeFields) fields["include_fields"] = [...includeFields];
    return this.#requests.request("get_post", fields, postReader(this.#jsonKernels));
  }

  submitReaction(postId: number, emoji: string): Promise<void> {
    return this.#reaction("submit_reaction", postId, emoji);
  }

  revokeReaction(postId: number, emoji: string): Promise<void> {
    return this.#reaction("revoke_reaction", postId, emoji);
  }

  getComments(postId: number, query: CommentQuery = {}): Promise<CommentPage> {
    if (!isPostId(postId)) return invalid(`get_comments: post_id ${String(postId)}`);
    const limit = query.limit ?? 20;
    if (!isIntegerIn(limit, 1, 200)) return invalid(`get_comments: limit must be 1–200, not ${limit}`);
    const fields: { [key: string]: RequestValue } = { post_id: postId, limit };
    if (query.cursor !== undefined) fields["cursor"] = query.cursor;
    return this.#requests.request("get_comments", fields, commentsReader(limit, 512, this.#jsonKernels));
  }

  /** Only "followed_artists" exists today. Not capped by the service: one channel per followed artist. */
  getPlayset(playsetName: string): Promise<PlaysetSpec> {
    return this.#requests.request("get_playset", { playset_name: playsetName }, playsetReader(64, this.#jsonKernels));
  }

  /** A cheap round trip (the service allows 10 per minute). */
  echo(data: string): Promise<{ echoData: string; receivedAt: string }> {
    if (codePointCount(data) > 512) return invalid("echo: at most 512 characters");
    return this.#requests.request("echo", { echo_data: data }, echoReader(this.#jsonKernels));
  }

  #reaction(type: string, postId: number, emoji: string): Promise<void> {
    if (!isPostId(postId)) return invalid(`${type}: post_id ${String(postId)}`);
    const codePoints = codePointCount(emoji);
    if (codePoints < 1 || codePoints > 20) return invalid(`${type}: an emoji is 1–20 code points, not ${codePoints}`);
    return this.#requests.request(type, { post_id: postId, emoji }, acknowledgementReader(this.#jsonKernels));
  }
}

function isIntegerIn(value: unknown, minimum: number, maximum: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= minimum && value <= maximum;
}

function isPostId(value: unknown): value is number {
  return isIntegerIn(value, 1, Number.MAX_SAFE_INTEGER);
}

function invalid<T>(message: string): Promise<T> {
  return Promise.reject(new MakapixError("invalid_request", message));
}
