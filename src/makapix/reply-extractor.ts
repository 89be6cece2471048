// Reads a Makapix reply (protocol sheet §3) as it streams in: each post, comment or channel is
// handed to a callback the moment its object closes, and the top-level fields come back as a
// summary at the end. Everything else is skipped without being stored.
//
//   const extractor = new ReplyExtractor({ post(p) {...}, rejected(e) {...} });
//   MessageHandler: begin → extractor.reset(); data(chunk) → extractor.push(chunk);
//                   end → const summary = extractor.finish(); abort → extractor.reset()
//
// What is read: `posts[*]` and `post` → Post (src/makapix/posts.ts), `comments[*]` → CommentRecord, `channels[*]` →
// ChannelRecord, and the scalars of REPLY_SCHEMA. A record with a bad field is reported to
// `rejected` (with its path, e.g. "posts[3].width") and the reply goes on; so is an element that is
// not an object (null elements are ignored). A reply that is not an object, a wrong-typed top-level
// field (`success: "yes"`, `posts: {}`), a known top-level key twice, and any syntax, UTF-8, depth or
// truncation error make push()/finish() throw a JsonError: the whole reply is then invalid, and the
// consumer must drop what it kept from it (records already delivered were each valid, but belong to
// a reply that is not).
//
// Memory (worst case): the tokenizer (text buffer of 512 code units = 1 KiB by default, larger only
// if commentBodyUnits asks for it; 40-byte number buffer; ~40 scalars), one record being built
// (≤ 14 properties, strings within their limits: < 2 KiB), the summary (≤ 11 properties, ≤ 1.5 K
// code units), and a few scalars. Measured in XS: < 8 KiB at peak (test/oracle/json-memory.test.ts).
// The consumer's callbacks decide what else is kept.

import type { JsonKernels } from "../ports.js";
import { JsonError, withPathPrefix } from "../json/errors.js";
import { RecordBuilder, type RecordSchema } from "../json/records.js";
import { nameTable, type JsonText } from "../json/text.js";
import type { JsonHandler } from "../json/tokenizer.js";
import { JsonTokenizer } from "../json/tokenizer.js";
import type { Post } from "./posts.js";
import type { ChannelRecord, CommentRecord } from "./records.js";
import { CHANNEL_SCHEMA, COMMENT_SCHEMA, commentSchema, DEFAULT_COMMENT_BODY_UNITS, POST_SCHEMA, REPLY_SCHEMA } from "./records.js";

export interface ReplyCallbacks {
  post?(post: Post): void;
  comment?(comment: CommentRecord): void;
  channel?(channel: ChannelRecord): void;
  /** A record (or array element) that was skipped, and why. */
  rejected?(error: JsonError): void;
}

export interface ReplySummary {
  requestId?: string;
  success: boolean;
  error?: string;
  errorCode?: string;
  hasMore?: boolean;
  nextCursor?: string;
  playsetName?: string;
  exposureMode?: string;
  pickMode?: string;
  echoData?: string;
  receivedAt?: string;
  /** Records handed to the callbacks, and records rejected. */
  posts: number;
  comments: number;
  channels: number;
  rejected: number;
}

export interface ReplyExtractorOptions {
  /** Comment body characters kept (longer bodies are truncated); default 512. */
  commentBodyUnits?: number;
  /** Deepest nesting accepted (default 32). */
  maxDepth?: number;
  /** Native string scanning (the host's `jsonKernels`); TypeScript otherwise. */
  kernels?: JsonKernels;
}

// The record-valued top-level keys.
const COLLECTION_KEYS = Object.freeze(["posts", "comments", "channels", "post"] as const);
const COLLECTION_TABLE = nameTable(COLLECTION_KEYS);
const POSTS = 0;
const COMMENTS = 1;
const CHANNELS = 2;
const POST = 3;
const NONE = -1;

export class ReplyExtractor implements JsonHandler {
  readonly #callbacks: ReplyCallbacks;
  readonly #tokenizer: JsonTokenizer;
  readonly #top: RecordBuilder;
  /** Builds the current record, whatever its schema: one record is open at a time. */
  readonly #builder: RecordBuilder;
  readonly #commentSchema: RecordSchema;

  /** Containers open, the top-level object being 1. */
  #depth = 0;
  /** The top-level key whose value is being read, as an index into COLLECTION_KEYS, or NONE. */
  #collection = NONE;
  #collectionsSeen = 0;
  /** True while inside the array of a record collection (at depth 2). */
  #inArray = false;
  #index = 0;
  /** The record being built and the depth of its object, or undefined. */
  #record: RecordBuilder | undefined;
  #recordDepth = 0;
  #posts = 0;
  #comments = 0;
  #channels = 0;
  #rejected = 0;
  #summary: ReplySummary | undefined;

  constructor(callbacks: ReplyCallbacks, options: ReplyExtractorOptions = {}) {
    const bodyUnits = options.commentBodyUnits ?? DEFAULT_COMMENT_BODY_UNITS;
    const comments = bodyUnits === DEFAULT_COMMENT_BODY_UNITS ? COMMENT_SCHEMA : commentSchema(bodyUnits);
    const capacity = Math.max(REPLY_SCHEMA.maxUnits, POST_SCHEMA.maxUnits, comments.maxUnits, CHANNEL_SCHEMA.maxUnits);
    this.#callbacks = callbacks;
    // Strings are skipped unless a known field asks to keep them.
    this.#tokenizer = new JsonTokenizer(this, {
      maxDepth: options.maxDepth ?? 32,
      maxStringUnits: capacity,
      defaultStringLimit: 0,
      defaultOverflow: "truncate",
      ...(options.kernels ? { kernels: options.kernels } : {}),
    });
    this.#top = new RecordBuilder(this.#tokenizer, true);
    this.#builder = new RecordBuilder(this.#tokenizer);
    this.#commentSchema = comments;
  }

  reset(): void {
    this.#tokenizer.reset();
    this.#depth = 0;
    this.#collection = NONE;
    this.#collectionsSeen = 0;
    this.#inArray = false;
    this.#index = 0;
    this.#record = undefined;
    this.#posts = this.#comments = this.#channels = 0;
    this.#rejected = 0;
    this.#summary = undefined;
  }

  /** Feeds the next bytes of the reply. Throws JsonError when the reply as a whole is invalid. */
  push(chunk: Uint8Array): void {
    this.#tokenizer.push(chunk);
  }

  /** The reply is complete: its top-level fields (the same object if called again before reset()). Throws JsonError when it is invalid or incomplete. */
  finish(): ReplySummary {
    if (this.#summary) return this.#summary;
    this.#tokenizer.end();
    // The top builder was begun by the top-level object, so a complete document has been through it.
    const summary = this.#top.finish() as unknown as ReplySummary;
    summary.posts = this.#posts;
    summary.comments = this.#comments;
    summary.channels = this.#channels;
    summary.rejected = this.#rejected;
    this.#summary = summary;
    return summary;
  }

  // ---- JsonHandler ----

  beginObject(): void {
    const depth = ++this.#depth;
    if (depth === 1) {
      this.#top.begin(REPLY_SCHEMA);
      return;
    }
    if (this.#record) {
      if (depth === this.#recordDepth + 1) this.#record.container("an object");
      return;
    }
    if (depth === 2) {
      if (this.#collection === POST) this.#beginRecord(depth);
      else if (this.#collection !== NONE) throw this.#topType("an array");
      else this.#top.container("an object");
    } else if (depth === 3 && this.#inArray) {
      this.#beginRecord(depth);
    }
  }

  endObject(): void {
    const depth = this.#depth--;
    if (this.#record && depth === this.#recordDepth) this.#endRecord();
  }

  beginArray(): void {
    const depth = ++this.#depth;
    if (depth === 1) throw this.#notAnObject("an array");
    if (this.#record) {
      if (depth === this.#recordDepth + 1) this.#record.container("an array");
      return;
    }
    if (depth === 2) {
      if (this.#collection === POST) throw this.#topType("an object");
      if (this.#collection !== NONE) {
        this.#inArray = true;
        this.#index = 0;
      } else this.#top.container("an array");
    } else if (depth === 3 && this.#inArray) {
      this.#rejectElement("an array");
    }
  }

  endArray(): void {
    const depth = this.#depth--;
    if (depth === 2) this.#inArray = false;
  }

  key(key: JsonText): void {
    if (this.#record) {
      if (this.#depth === this.#recordDepth) this.#record.key(key);
      return;
    }
    if (this.#depth !== 1) return;
    const collection = key.find(COLLECTION_TABLE);
    this.#collection = collection;
    if (collection === NONE) {
      this.#top.key(key);
      return;
    }
    const bit = 1 << collection;
    if ((this.#collectionsSeen & bit) !== 0) {
      throw new JsonError("duplicate", "appears twice", this.#tokenizer.offset, COLLECTION_KEYS[collection]);
    }
    this.#collectionsSeen |= bit;
    this.#top.key(key); // not in REPLY_SCHEMA: clears its current field
  }

  string(value: JsonText): void {
    if (this.#scalar("a string")) this.#record!.string(value);
    else if (this.#depth === 1 && this.#collection === NONE) this.#top.string(value);
  }

  number(value: number): void {
    if (this.#scalar("a number")) this.#record!.number(value);
    else if (this.#depth === 1 && this.#collection === NONE) this.#top.number(value);
  }

  boolean(value: boolean): void {
    if (this.#scalar("a boolean")) this.#record!.boolean(value);
    else if (this.#depth === 1 && this.#collection === NONE) this.#top.boolean(value);
  }

  null(): void {
    if (this.#depth === 0) throw this.#notAnObject("null");
    if (this.#record) {
      if (this.#depth === this.#recordDepth) this.#record.null();
    } else if (this.#depth === 1) {
      this.#top.null(); // absent, for a collection too
    } else if (this.#depth === 2 && this.#inArray) {
      this.#index++; // a null element: nothing to deliver
    }
  }

  // ---- helpers ----

  /**
   * Routing shared by the non-null scalars: true when the value is a field of the record being
   * built. Also rejects what cannot be: a scalar document, a scalar collection, a scalar element.
   */
  #scalar(found: string): boolean {
    const depth = this.#depth;
    if (depth === 0) throw this.#notAnObject(found);
    if (this.#record) return depth === this.#recordDepth;
    if (depth === 1 && this.#collection !== NONE) throw this.#topType(found);
    if (depth === 2 && this.#inArray) this.#rejectElement(found);
    return false;
  }

  #beginRecord(depth: number): void {
    this.#record = this.#builder;
    this.#recordDepth = depth;
    const collection = this.#collection;
    const schema = collection === COMMENTS ? this.#commentSchema : collection === CHANNELS ? CHANNEL_SCHEMA : POST_SCHEMA;
    // Keys the schema does not know are no events at all (the builder ignores them anyway): with native
    // kernels their values are skipped in C.
    this.#tokenizer.filterKeys(schema.keyTable);
    this.#record.begin(schema);
  }

  #endRecord(): void {
    const builder = this.#record!;
    const collection = this.#collection;
    this.#record = undefined;
    let record: Record<string, unknown>;
    try {
      record = builder.finish();
    } catch (error) {
      if (!(error instanceof JsonError)) throw error;
      this.#reject(withPathPrefix(error, this.#path()));
      return;
    }
    if (collection !== POST) this.#index++;
    // The casts: the schemas above guarantee the shapes (required fields, types, kinds).
    const callbacks = this.#callbacks;
    if (collection === POSTS || collection === POST) {
      this.#posts++;
      callbacks.post?.(record as unknown as Post);
    } else if (collection === COMMENTS) {
      this.#comments++;
      callbacks.comment?.(record as unknown as CommentRecord);
    } else {
      this.#channels++;
      callbacks.channel?.(record as unknown as ChannelRecord);
    }
  }

  #path(): string {
    const name = COLLECTION_KEYS[this.#collection]!;
    return this.#collection === POST ? name : `${name}[${this.#index}]`;
  }

  #rejectElement(found: string): void {
    this.#reject(new JsonError("type", `must be an object, not ${found}`, this.#tokenizer.offset, this.#path()));
  }

  #reject(error: JsonError): void {
    if (this.#collection !== POST) this.#index++;
    this.#rejected++;
    this.#callbacks.rejected?.(error);
  }

  #topType(found: string): JsonError {
    const name = COLLECTION_KEYS[this.#collection]!;
    const expected = this.#collection === POST ? "an object" : "an array";
    return new JsonError("type", `must be ${expected}, not ${found}`, this.#tokenizer.offset, name);
  }

  #notAnObject(found: string): JsonError {
    return new JsonError("type", `a reply must be an object, not ${found}`, this.#tokenizer.offset);
  }
}
