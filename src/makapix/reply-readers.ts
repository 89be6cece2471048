// Reply readers for the request broker, on the streaming reply extractor: each reply is read as it
// arrives, the records the player uses are kept as read (their schemas hold only the fields it uses),
// the rest is skipped, and a success:false reply becomes a MakapixError with the service's error_code.

import { JsonError } from "../json/errors.js";
import { ReplyExtractor, type ReplySummary } from "./reply-extractor.js";
import type { ChannelRecord, CommentRecord } from "./records.js";
import type { JsonKernels, Log } from "../ports.js";
import { EXPOSURE_MODES, PICK_MODES, PLAYSET_CHANNEL_TYPES, type ExposureMode, type PickMode, type PlaysetChannel, type PlaysetChannelType, type PlaysetSpec } from "./channels.js";
import { MakapixError } from "./errors.js";
import type { Post, PostPage } from "./posts.js";
import type { ReplyReader } from "./requests.js";

/** success:false → the service's error as a MakapixError (unknown codes are kept as text). */
export function failureOf(summary: ReplySummary): MakapixError | undefined {
  if (summary.success) return undefined;
  return new MakapixError(summary.errorCode ?? "unknown", summary.error ?? "the service reported a failure");
}

/**
 * A reader that keeps what its callbacks keep and turns the summary into a result: the shape of every
 * reader but query_posts, which has its own bound on posts.
 */
class ExtractingReader<T> implements ReplyReader<T> {
  readonly #extractor: ReplyExtractor;
  readonly #reset: () => void;
  readonly #result: (summary: ReplySummary) => T;

  constructor(callbacks: ConstructorParameters<typeof ReplyExtractor>[0], reset: () => void, result: (summary: ReplySummary) => T, commentBodyUnits?: number, kernels?: JsonKernels) {
    this.#extractor = new ReplyExtractor(callbacks, { ...(commentBodyUnits ? { commentBodyUnits } : {}), ...(kernels ? { kernels } : {}) });
    this.#reset = reset;
    this.#result = result;
  }

  reset(): void {
    this.#extractor.reset();
    this.#reset();
  }

  data(chunk: Uint8Array): void {
    this.#extractor.push(chunk);
  }

  finish(): T {
    let summary: ReplySummary;
    try {
      summary = this.#extractor.finish();
    } catch (error) {
      throw new MakapixError("invalid_reply", error instanceof JsonError ? error.message : String(error));
    }
    const failure = failureOf(summary);
    if (failure) throw failure;
    return this.#result(summary);
  }
}

// Every reader takes the host's native JSON kernels (`kernels`, Host.jsonKernels through MakapixApi), if any.

/** get_post: the one post of the reply. */
export function postReader(kernels?: JsonKernels): ReplyReader<Post> {
  let post: Post | undefined;
  return new ExtractingReader<Post>(
    { post: (record) => (post = record) },
    () => (post = undefined),
    () => {
      if (!post) throw new MakapixError("invalid_reply", "get_post: the reply has no usable post");
      return post;
    },
    undefined,
    kernels,
  );
}

/** submit_reaction, revoke_reaction: success or a typed failure, nothing else. */
export function acknowledgementReader(kernels?: JsonKernels): ReplyReader<void> {
  return new ExtractingReader<void>({}, () => undefined, () => undefined, undefined, kernels);
}

export interface CommentPage {
  comments: CommentRecord[];
  hasMore: boolean;
  nextCursor?: string;
}

/** get_comments: at most `maximumComments` comments, bodies cut to `bodyUnits` characters. */
export function commentsReader(maximumComments: number, bodyUnits = 512, kernels?: JsonKernels): ReplyReader<CommentPage> {
  let comments: CommentRecord[] = [];
  return new ExtractingReader<CommentPage>(
    { comment: (comment) => comments.length < maximumComments && comments.push(comment) },
    () => (comments = []),
    (summary) => {
      const page: CommentPage = { comments, hasMore: summary.hasMore === true };
      if (summary.nextCursor !== undefined) page.nextCursor = summary.nextCursor;
      return page;
    },
    bodyUnits,
    kernels,
  );
}


/** get_playset: the playset as the scheduler plays it; at most `maximumChannels` channels. */
export function playsetReader(maximumChannels = 64, kernels?: JsonKernels): ReplyReader<PlaysetSpec> {
  let channels: PlaysetChannel[] = [];
  const keep = (record: ChannelRecord) => {
    if (channels.length >= maximumChannels || !PLAYSET_CHANNEL_TYPES.includes(record.type as PlaysetChannelType)) return;
    const channel: PlaysetChannel = { type: record.type as PlaysetChannelType, name: record.name ?? record.identifier ?? "", displayName: record.displayName ?? "" };
    if (record.identifier !== undefined) channel.identifier = record.identifier;
    if (record.weight !== undefined) channel.weight = record.weight;
    channels.push(channel);
  };
  return new ExtractingReader<PlaysetSpec>(
    { channel: keep },
    () => (channels = []),
    (summary) => ({
      name: summary.playsetName ?? "",
      channels,
      exposureMode: EXPOSURE_MODES.includes(summary.exposureMode as ExposureMode) ? (summary.exposureMode as ExposureMode) : "equal",
      pickMode: PICK_MODES.includes(summary.pickMode as PickMode) ? (summary.pickMode as PickMode) : "recency",
    }),
    undefined,
    kernels,
  );
}

/** echo: the data sent back and the service's time. */
export function echoReader(kernels?: JsonKernels): ReplyReader<{ echoData: string; receivedAt: string }> {
  return new ExtractingReader({}, () => undefined, (summary) => ({ echoData: summary.echoData ?? "", receivedAt: summary.receivedAt ?? "" }), undefined, kernels);
}

/** query_posts: a page of at most `maximumPosts` posts; one malformed post is skipped (and logged once). `kernels`: the host's native JSON kernels, if any. */
export class PostsReader extends ExtractingReader<PostPage> {
  constructor(log: Log, maximumPosts = 50, kernels?: JsonKernels) {
    let posts: Post[] = [];
    let rejected = 0;
    super(
      {
        post: (record) => posts.length < maximumPosts && posts.push(record),
        rejected: (error) => {
          if (rejected++ === 0) log.write("warn", `makapix: skipped a post in a reply: ${error.message}`);
        },
      },
      () => {
        posts = [];
        rejected = 0;
      },
      (summary) => {
        const page: PostPage = { posts, hasMore: summary.hasMore === true };
        if (page.hasMore && summary.nextCursor !== undefined) page.nextCursor = summary.nextCursor;
        posts = [];
        return page;
      },
      undefined,
      kernels,
    );
  }
}
