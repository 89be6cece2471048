// Requests to the Makapix service over MQTT (protocol sheet §3): publish to request/{id}, correlate the
// reply streamed on response/{id}, time out, retry a bounded number of times, map failures to
// MakapixError. Replies are never held whole: each request brings a ReplyReader that consumes the
// payload chunks as they arrive and keeps only what it extracts.

import type { Host, TimerId } from "../ports.js";
import type { PublishHeader } from "../mqtt/packets.js";
import type { MessageHandler } from "../mqtt/subscriptions.js";
import { MakapixError } from "./errors.js";
import { uuidV4 } from "./ids.js";
import type { Messaging } from "./messaging.js";
import type { PlayerTopics } from "./topics.js";
import { deepFreeze } from "../util/freeze.js";

/** Consumes one reply as it streams in. */
export interface ReplyReader<T> {
  /** Starts (or restarts, for a retry) a reply. */
  reset(): void;
  /** The next bytes of the reply; throws on malformed input (the reply is then invalid). */
  data(chunk: Uint8Array): void;
  /** The reply is complete: returns the result, or throws MakapixError (success:false carries its code). */
  finish(): T;
}

/** A field value of a request body: what JSON.stringify writes. */
export type RequestValue = string | number | boolean | null | RequestValue[] | { [key: string]: RequestValue };

export interface RequestOptions {
  /** Attempts in total for a reply that does not come or a rate-limited request (default 3). */
  attempts?: number;
  timeoutMs?: number;
}

export interface RequestBrokerOptions {
  /** No reply within this → the attempt failed (sheet: 30 s). */
  timeoutMs?: number;
  /** Requests awaiting a reply at once; the rest wait in a bounded queue. */
  maximumInFlight?: number;
  maximumQueued?: number;
  /** First wait before retrying a rate-limited request; doubles per attempt. */
  retryDelayMs?: number;
  /** After authentication_failed, requests fail fast for this long (doubling up to the cap). */
  authenticationBackoffMs?: number;
  authenticationBackoffCapMs?: number;
}

export interface RequestBrokerObserver {
  /** The service refused our identity: show it, back off, keep the credentials (sheet §3). */
  authenticationFailed?(retryAfterMs: number): void;
}

interface Pending {
  type: string;
  fields: { [key: string]: RequestValue };
  reader: ReplyReader<unknown>;
  /** Attempts made so far (1 while the first is out), and the limit. */
  attempt: number;
  maximumAttempts: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
  requestId: string;
  timer: TimerId | undefined;
  /** Set once a reply began arriving for the current attempt. */
  receiving: boolean;
  /** The reply could not be read; remember why until it ends. */
  readError: Error | undefined;
}

const DEFAULTS = deepFreeze({
  timeoutMs: 30_000,
  maximumInFlight: 4,
  maximumQueued: 8,
  retryDelayMs: 5_000,
  authenticationBackoffMs: 60_000,
  authenticationBackoffCapMs: 30 * 60_000,
});

export class RequestBroker implements MessageHandler {
  readonly #host: Host;
  readonly #messaging: Messaging;
  readonly #topics: PlayerTopics;
  readonly #playerKey: string;
  readonly #options: typeof DEFAULTS;
  readonly #observers: RequestBrokerObserver[] = [];
  readonly #inFlight: Pending[] = [];
  readonly #queued: Pending[] = [];
  readonly #idScratch = new Uint8Array(16);
  /** The request whose reply is streaming now (one message at a time). */
  #current: Pending | undefined;
  #blockedUntil = 0;
  #authenticationBackoffMs: number;

  constructor(host: Host, messaging: Messaging, playerKey: string, topics: PlayerTopics, options: RequestBrokerOptions = {}) {
    this.#host = host;
    this.#messaging = messaging;
    this.#topics = topics;
    this.#playerKey = playerKey;
    this.#options = { ...DEFAULTS, ...options };
    this.#authenticationBackoffMs = this.#options.authenticationBackoffMs;
  }

  observe(observer: RequestBrokerObserver): void {
    this.#observers.push(observer);
  }

  /** Subscribes to replies; call once, before the first request. */
  subscribe(): Promise<number> {
    return this.#messaging.subscribe(this.#topics.responses, this);
  }

  get inFlight(): number {
    return this.#inFlight.length;
  }

  get queued(): number {
    return this.#queued.length;
  }

  /** Sends a request and resolves with what `reader` made of the reply. */
  request<T>(type: string, fields: { [key: string]: RequestValue }, reader: ReplyReader<T>, options: RequestOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const now = this.#host.clock.monotonicMs();
      if (now < this.#blockedUntil) {
        const seconds = Math.ceil((this.#blockedUntil - now) / 1000);
        reject(new MakapixError("authentication_failed", `the service refused this player; retrying in ${seconds} s`));
        return;
      }
      const pending: Pending = {
        type,
        fields,
        reader: reader as ReplyReader<unknown>,
        attempt: 0,
        maximumAttempts: Math.max(1, options.attempts ?? 3),
        resolve: resolve as (value: unknown) => void,
        reject,
        requestId: "",
        timer: undefined,
        receiving: false,
        readError: undefined,
      };
      if (this.#inFlight.length < this.#options.maximumInFlight) {
        this.#send(pending);
      } else if (this.#queued.length < this.#options.maximumQueued) {
        this.#queued.push(pending);
      } else {
        reject(new MakapixError("busy", `${this.#inFlight.length} requests in flight and ${this.#queued.length} queued`));
      }
    });
  }

  /** Fails every request (the session is stopping). */
  cancelAll(reason: string): void {
    for (const pending of [...this.#inFlight, ...this.#queued]) {
      this.#clearTimer(pending);
      pending.reject(new MakapixError("publish_failed", reason));
    }
    this.#inFlight.length = 0;
    this.#queued.length = 0;
    this.#current = undefined;
  }

  // --- MessageHandler: replies on response/#

  begin(topic: string, _header: PublishHeader): void {
    const requestId = topic.startsWith(this.#topics.responsePrefix) ? topic.slice(this.#topics.responsePrefix.length) : topic;
    const pending = this.#inFlight.find((candidate) => candidate.requestId === requestId);
    if (!pending) {
      this.#host.log.write("info", `makapix: dropped a late or unknown reply (${requestId.length > 40 ? "…" : requestId})`);
      this.#current = undefined;
      return;
    }
    this.#current = pending;
    pending.receiving = true;
    pending.readError = undefined;
    pending.reader.reset();
  }

  data(chunk: Uint8Array): void {
    const pending = this.#current;
    if (!pending || pending.readError) return;
    try {
      pending.reader.data(chunk);
    } catch (error) {
      pending.readError = asError(error);
    }
  }

  end(): void {
    const pending = this.#current;
    this.#current = undefined;
    if (!pending) return;
    pending.receiving = false;
    if (pending.readError) {
      this.#settle(pending, invalidReply(pending, pending.readError));
      return;
    }
    let result: unknown;
    try {
      result = pending.reader.finish();
    } catch (error) {
      const failure = error instanceof MakapixError ? error : invalidReply(pending, asError(error));
      this.#onFailure(pending, failure);
      return;
    }
    this.#settle(pending, undefined, result);
  }

  abort(reason: string): void {
    const pending = this.#current;
    this.#current = undefined;
    if (!pending) return;
    // The reply was cut (connection lost): the timeout decides whether to ask again.
    pending.receiving = false;
    this.#host.log.write("info", `makapix: reply to ${pending.type} cut off (${reason}); waiting for its timeout`);
  }

  // --- internals

  #send(pending: Pending): void {
    if (!this.#inFlight.includes(pending)) this.#inFlight.push(pending);
    pending.attempt++;
    pending.requestId = uuidV4(this.#host.random, this.#idScratch);
    const body = JSON.stringify({
      ...pending.fields,
      request_id: pending.requestId,
      request_type: pending.type,
      player_key: this.#playerKey,
    });
    const attemptId = pending.requestId;
    pending.timer = this.#host.timers.set(() => {
      pending.timer = undefined;
      if (pending.requestId === attemptId) this.#onTimeout(pending);
    }, this.#options.timeoutMs);
    this.#messaging.publish(this.#topics.request(pending.requestId), body, { qos: 1, oneShot: true }).then(
      () => undefined,
      (error: Error) => {
        if (pending.requestId === attemptId && this.#inFlight.includes(pending)) {
          this.#settle(pending, new MakapixError("publish_failed", `${pending.type}: ${error.message}`));
        }
      },
    );
  }

  #onTimeout(pending: Pending): void {
    if (pending.receiving) {
      // Bytes are still arriving: a large reply on a slow link is not a lost one.
      pending.timer = this.#host.timers.set(() => this.#onTimeout(pending), this.#options.timeoutMs / 2);
      return;
    }
    this.#retryOrFail(pending, new MakapixError("timeout", `${pending.type}: no reply within ${this.#options.timeoutMs / 1000} s`), 0);
  }

  #onFailure(pending: Pending, error: MakapixError): void {
    if (error.code === "authentication_failed") {
      // Replies to requests sent before the block all say so: one block, one step of the back-off.
      const now = this.#host.clock.monotonicMs();
      if (now >= this.#blockedUntil) {
        const backoff = this.#authenticationBackoffMs;
        this.#blockedUntil = now + backoff;
        this.#authenticationBackoffMs = Math.min(backoff * 2, this.#options.authenticationBackoffCapMs);
        for (const observer of this.#observers) observer.authenticationFailed?.(backoff);
      }
      this.#settle(pending, error);
      return;
    }
    if (error.code === "rate_limit_exceeded") {
      this.#retryOrFail(pending, error, this.#options.retryDelayMs * 2 ** (pending.attempt - 1));
      return;
    }
    this.#settle(pending, error);
  }

  #retryOrFail(pending: Pending, error: MakapixError, delayMs: number): void {
    this.#clearTimer(pending);
    if (pending.attempt >= pending.maximumAttempts) {
      this.#settle(pending, error);
      return;
    }
    this.#host.log.write("info", `makapix: ${error.message}; asking again (attempt ${pending.attempt + 1} of ${pending.maximumAttempts})`);
    // A new id per attempt: a late reply to the old one is then recognisably stale.
    pending.requestId = "";
    if (delayMs <= 0) {
      this.#send(pending);
      return;
    }
    pending.timer = this.#host.timers.set(() => {
      pending.timer = undefined;
      if (this.#inFlight.includes(pending)) this.#send(pending);
    }, delayMs);
  }

  #settle(pending: Pending, error: Error | undefined, result?: unknown): void {
    this.#clearTimer(pending);
    const index = this.#inFlight.indexOf(pending);
    if (index >= 0) this.#inFlight.splice(index, 1);
    if (error) pending.reject(error);
    else {
      this.#authenticationBackoffMs = this.#options.authenticationBackoffMs;
      pending.resolve(result);
    }
    const next = this.#queued.shift();
    if (!next) return;
    const now = this.#host.clock.monotonicMs();
    if (now < this.#blockedUntil) {
      // Queued before the block: it would only be refused too.
      this.#settle(next, new MakapixError("authentication_failed", `the service refused this player; retrying in ${Math.ceil((this.#blockedUntil - now) / 1000)} s`));
      return;
    }
    this.#send(next);
  }

  #clearTimer(pending: Pending): void {
    if (pending.timer !== undefined) {
      this.#host.timers.clear(pending.timer);
      pending.timer = undefined;
    }
  }
}

function invalidReply(pending: Pending, cause: Error): MakapixError {
  return new MakapixError("invalid_reply", `${pending.type}: ${cause.message}`);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
