// The durable view journal (issue 12 item 7): views earned but not yet acknowledged by the service,
// kept over the Storage port so that they survive a reboot. The ViewReporter (views.ts) appends a view
// when it is earned, removes it on a final ack, and at start-up replays what `load` returns with the
// original timestamps.
//
// One key per view, `<prefix>.<n>` (n = a sequence number in base 36, oldest first), so recording or
// removing a view is one storage step and never rewrites the others. A value is a compact JSON array
// and the CRC-32 of it: a value torn by a power cut is detected, logged and dropped (the view was being
// recorded when the power went). Bounded: at most `maximumEntries` views; the oldest goes first, with a
// log line. Storage failures are logged, never thrown: the view then lives in memory only.
// The journal belongs to one player key (kept under `<prefix>k`): views earned under another identity
// (before a factory reset and a new registration, or pasted credentials of another player) are dropped
// at load rather than reported as this player's.

import type { Log, Storage } from "../ports.js";
import { CRC32_START, crc32Final, crc32Update } from "../art/crc32.js";
import { utf8Decode, utf8Encode } from "../util/utf8.js";
import { errorMessage } from "../util/errors.js";

/** Why the artwork was on screen, and from which channel. */
export interface ViewContext {
  /** "artwork": the user asked for it (show_artwork, a button); "channel": rotation. */
  intent: "artwork" | "channel";
  /** 0 server_order, 1 created_at, 2 random. */
  playOrder: 0 | 1 | 2;
  channel: string;
  channelUserSqid?: string;
  channelHashtag?: string;
}

export interface JournaledView {
  /** The journal's sequence number (orders views; names the storage key). */
  readonly id: number;
  readonly postId: number;
  /** The timestamp the view was earned at (or re-stamped at after a rate limit). */
  readonly timestamp: string;
  readonly context: ViewContext;
}

export interface ViewJournalOptions {
  /** Key prefix inside the Storage namespace, 1–4 characters without "."; default "vj". */
  prefix?: string;
  /** Views kept; the oldest is dropped beyond this. Default 32. */
  maximumEntries?: number;
}

/** Longest stored value: a view's fields are short (channel names, a sqid, a hashtag). */
const MAXIMUM_ENTRY_BYTES = 512;
const MAXIMUM_ID = 36 ** 9 - 1;

function crcHex(bytes: Uint8Array, end: number): string {
  return crc32Final(crc32Update(CRC32_START, bytes, 0, end)).toString(16).padStart(8, "0");
}

function isShortText(value: unknown, maximum: number): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= maximum;
}

export class ViewJournal {
  readonly #storage: Storage;
  readonly #log: Log;
  readonly #prefix: string;
  /** Holds the player key the views belong to; outside the entries' "<prefix>." key space. */
  readonly #ownerKey: string;
  readonly #maximumEntries: number;
  /** Ids present in storage, oldest first. */
  readonly #ids: number[] = [];
  #nextId = 1;

  constructor(storage: Storage, log: Log, options: ViewJournalOptions = {}) {
    const prefix = options.prefix ?? "vj";
    if (prefix.length < 1 || prefix.length > 4 || prefix.includes(".")) throw new Error(`view journal prefix "${prefix}" must be 1–4 characters without "."`);
    this.#storage = storage;
    this.#log = log;
    this.#prefix = `${prefix}.`;
    this.#ownerKey = `${prefix}k`;
    this.#maximumEntries = Math.max(1, options.maximumEntries ?? 32);
  }

  /** Views in the journal. */
  get size(): number {
    return this.#ids.length;
  }

  /**
   * Reads the journal, oldest first. Damaged entries and entries beyond the bound are deleted and logged.
   * With `playerKey`, views journaled under another player key are deleted (logged) and the journal is
   * this key's from now on.
   */
  load(playerKey?: string): JournaledView[] {
    this.#ids.length = 0;
    let keys: string[];
    let owner: string | undefined;
    try {
      keys = this.#storage.keys();
      owner = playerKey === undefined ? undefined : this.#storage.readText(this.#ownerKey);
    } catch (error) {
      this.#log.write("warn", `views: the journal could not be read: ${errorMessage(error)}`);
      return [];
    }
    const foreign = playerKey !== undefined && owner !== undefined && owner !== playerKey;
    const ids: number[] = [];
    for (const key of keys) {
      if (!key.startsWith(this.#prefix)) continue;
      const id = parseInt(key.slice(this.#prefix.length), 36);
      if (!Number.isInteger(id) || id < 1 || id > MAXIMUM_ID || this.#key(id) !== key) this.#delete(key, "a stray journal key");
      else if (foreign) this.#delete(key, "a view earned under another player key");
      else ids.push(id);
    }
    // Written after the other key's views are gone: a power cut in between drops them at the next load.
    if (playerKey !== undefined && owner !== playerKey) {
      try {
        this.#storage.write(this.#ownerKey, playerKey);
      } catch (error) {
        this.#log.write("warn", `views: the journal's player could not be stored: ${errorMessage(error)}`);
      }
    }
    ids.sort((a, b) => a - b);
    const views: JournaledView[] = [];
    for (const id of ids) {
      const view = this.#read(id);
      if (view) views.push(view);
      else this.#delete(this.#key(id), "a damaged journal entry (cut off by a power loss?)");
    }
    while (views.length > this.#maximumEntries) {
      const oldest = views.shift()!;
      this.#delete(this.#key(oldest.id), `the view of post ${oldest.postId} from ${oldest.timestamp}: the journal holds ${this.#maximumEntries}`);
    }
    for (const view of views) this.#ids.push(view.id);
    this.#nextId = ids.length > 0 ? ids[ids.length - 1]! + 1 : 1;
    return views;
  }

  /**
   * Records a view. When the journal is full the oldest view is deleted first (logged). Returns the
   * entry, or undefined when it could not be stored (logged; the caller keeps the view in memory).
   */
  append(postId: number, timestamp: string, context: ViewContext): JournaledView | undefined {
    // 36^9 ids: at one view per 5 s, millions of years.
    if (this.#nextId > MAXIMUM_ID) return undefined;
    const view: JournaledView = Object.freeze({ id: this.#nextId, postId, timestamp, context });
    const value = this.#encode(view);
    if (!value) {
      this.#log.write("warn", `views: the view of post ${postId} is too large for the journal; kept in memory only`);
      return undefined;
    }
    while (this.#ids.length >= this.#maximumEntries) {
      const oldest = this.#ids.shift()!;
      this.#delete(this.#key(oldest), `the oldest unsent view: the journal holds ${this.#maximumEntries}`);
    }
    try {
      this.#storage.write(this.#key(view.id), value);
    } catch (error) {
      this.#log.write("warn", `views: the view of post ${postId} could not be journaled (${errorMessage(error)}); kept in memory only`);
      return undefined;
    }
    this.#nextId++;
    this.#ids.push(view.id);
    return view;
  }

  /** The service answered finally (or the view was given up): it leaves the journal. */
  remove(view: JournaledView): void {
    const index = this.#ids.indexOf(view.id);
    if (index < 0) return;
    this.#ids.splice(index, 1);
    try {
      this.#storage.delete(this.#key(view.id));
    } catch (error) {
      this.#log.write("warn", `views: the journal entry of post ${view.postId} could not be deleted: ${errorMessage(error)}`);
    }
  }

  /**
   * The same view with a new timestamp (a rate-limited view is re-sent as a new one). The new entry is
   * written before the old one is deleted, so a power cut in between loses nothing.
   */
  restamp(view: JournaledView, timestamp: string): JournaledView | undefined {
    const next = this.append(view.postId, timestamp, view.context);
    if (next) this.remove(view);
    return next;
  }

  #key(id: number): string {
    return this.#prefix + id.toString(36);
  }

  #delete(key: string, why: string): void {
    this.#log.write("warn", `views: dropped ${why}`);
    try {
      this.#storage.delete(key);
    } catch (error) {
      this.#log.write("warn", `views: ${key} could not be deleted: ${errorMessage(error)}`);
    }
  }

  #encode(view: JournaledView): Uint8Array | undefined {
    const c = view.context;
    const fields = [view.postId, view.timestamp, c.intent === "artwork" ? "a" : "c", c.playOrder, c.channel, c.channelUserSqid ?? null, c.channelHashtag ?? null];
    let body: Uint8Array;
    try {
      body = utf8Encode(JSON.stringify(fields));
    } catch {
      return undefined;
    }
    if (body.length + 9 > MAXIMUM_ENTRY_BYTES) return undefined;
    const value = new Uint8Array(body.length + 9);
    value.set(body, 0);
    value[body.length] = 0x0a;
    value.set(utf8Encode(crcHex(body, body.length)), body.length + 1);
    return value;
  }

  #read(id: number): JournaledView | undefined {
    let fields: unknown;
    try {
      const value = this.#storage.read(this.#key(id));
      if (!value || value.length < 10 || value.length > MAXIMUM_ENTRY_BYTES) return undefined;
      const end = value.length - 9;
      if (value[end] !== 0x0a || utf8Decode(value, end + 1, value.length) !== crcHex(value, end)) return undefined;
      fields = JSON.parse(utf8Decode(value, 0, end));
    } catch {
      return undefined;
    }
    if (!Array.isArray(fields) || fields.length !== 7) return undefined;
    const [postId, timestamp, intent, playOrder, channel, sqid, hashtag] = fields as unknown[];
    if (typeof postId !== "number" || !Number.isInteger(postId) || postId < 1) return undefined;
    if (!isShortText(timestamp, 40) || (intent !== "a" && intent !== "c") || (playOrder !== 0 && playOrder !== 1 && playOrder !== 2) || !isShortText(channel, 128)) return undefined;
    if ((sqid !== null && !isShortText(sqid, 128)) || (hashtag !== null && !isShortText(hashtag, 256))) return undefined;
    const context: ViewContext = { intent: intent === "a" ? "artwork" : "channel", playOrder, channel };
    if (sqid !== null) context.channelUserSqid = sqid;
    if (hashtag !== null) context.channelHashtag = hashtag;
    return Object.freeze({ id, postId, timestamp, context: Object.freeze(context) });
  }
}
