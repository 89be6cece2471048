// A streaming HTTP/1.1 GET client over the Network port: http and https, redirects, timeouts on the
// Timers port, retries with exponential backoff, and the body handed to a sink chunk by chunk as it
// arrives (never held whole). One request at a time per client: it owns one read buffer and one head
// buffer, reused for every request. Host names are resolved by the host binding (connectTcp/connectTls
// take names); its resolver errors are reported as kind "dns".
//
// Memory (worst case, per client): read buffer (2 KiB default) + head buffer (4 KiB default, also used
// to encode the request) + the header strings copied out of it (at most the head buffer's size in
// total) + a transient request string (URL ≤ 2048 characters) + a few small objects per request and
// per connection attempt. The body is never buffered here.

import type { Host, Socket, SocketHandlers, TimerId } from "../ports.js";
import { utf8EncodeInto } from "../util/utf8.js";
import { HttpError, classifySocketError, isRetryable } from "./errors.js";
import { HttpResponseParser, parseRetryAfter, type ResponseHead } from "./http-parse.js";
import { formatUrl, parseHttpUrl, resolveUrl, type HttpUrl } from "./url.js";

export interface HttpClientOptions {
  /** PEM CA certificate(s) that must have signed an https server's certificate. */
  ca?: string;
  userAgent?: string;
  /** Larger bodies fail with "too_large" (announced ones before any byte is read). Default 5 MiB. */
  maximumBodyBytes?: number;
  /** Default 5. */
  maximumRedirects?: number;
  /** Tries per URL, the first included. Default 3. */
  attempts?: number;
  /** From connecting until connected (TLS handshake included). Default 10 s. */
  connectTimeoutMs?: number;
  /** Longest silence between received bytes once the request is sent. Default 15 s. */
  idleTimeoutMs?: number;
  /** The whole request: redirects, retries and their waits included. Default 120 s. */
  totalTimeoutMs?: number;
  /** First retry delay ceiling; doubles per retry, with equal jitter. Default 1 s. */
  backoffInitialMs?: number;
  backoffMaximumMs?: number;
  /** A server's Retry-After is honoured up to this. Default 30 s. */
  retryAfterCapMs?: number;
  /** Socket read size, which is also the largest chunk the sink receives. Default 2048. */
  readBufferBytes?: number;
  /** Largest response head (status line + headers). Default 4096. */
  headBufferBytes?: number;
}

export type HttpRequestOptions = Omit<HttpClientOptions, "readBufferBytes" | "headBufferBytes">;

export interface HttpResponseInfo {
  status: number;
  /** The URL that answered (after redirects). */
  url: string;
  contentLength: number | undefined;
  contentType: string | undefined;
}

/**
 * Receives one response body: begin, data chunks, then end — or abort. After an abort with
 * `retrying` true, a new begin follows (the sink must discard what it gathered first).
 */
export interface HttpSink {
  begin(response: HttpResponseInfo): void;
  /** A view into the client's read buffer, valid only during the call: copy what must be kept. */
  data(chunk: Uint8Array): void;
  end(): void;
  abort(error: HttpError, retrying: boolean): void;
}

export interface HttpResult {
  status: number;
  url: string;
  bodyBytes: number;
  /** Attempts made on the final URL. */
  attempts: number;
  redirects: number;
}

export interface HttpRequest {
  /** Settles once: the result after the sink's `end`, or an HttpError. */
  readonly result: Promise<HttpResult>;
  /** Stops the request: the sink is aborted (if it had begun) and `result` rejects with "aborted". */
  cancel(): void;
}

const DEFAULTS: Required<HttpRequestOptions> = {
  ca: "",
  userAgent: "MakapixPlayer/0.1",
  maximumBodyBytes: 5 * 1024 * 1024,
  maximumRedirects: 5,
  attempts: 3,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 15_000,
  totalTimeoutMs: 120_000,
  backoffInitialMs: 1000,
  backoffMaximumMs: 10_000,
  retryAfterCapMs: 30_000,
};

const REDIRECTS = [301, 302, 303, 307, 308];

/** What every request of one client shares: its buffers, its parser, and the way to report being done. */
interface ClientResources {
  readonly parser: HttpResponseParser;
  readonly readBuffer: Uint8Array;
  readonly headBuffer: Uint8Array;
  /** A number in [0, 1) from the Random port, for backoff jitter. */
  unitRandom(): number;
  finished(transfer: Transfer): void;
}

export class HttpClient {
  readonly #host: Host;
  readonly #defaults: Required<HttpRequestOptions>;
  readonly #resources: ClientResources;
  #active: Transfer | undefined;

  constructor(host: Host, options: HttpClientOptions = {}) {
    this.#host = host;
    const { readBufferBytes, headBufferBytes, ...rest } = options;
    this.#defaults = { ...DEFAULTS, ...withoutUndefined(rest) };
    const headBuffer = new Uint8Array(headBufferBytes ?? 4096);
    const randomBytes = new Uint8Array(3);
    const parser = new HttpResponseParser(
      {
        head: (head) => this.#active?.onHead(head),
        body: (chunk) => this.#active?.onBody(chunk),
        complete: () => this.#active?.onComplete(),
      },
      headBuffer,
    );
    this.#resources = {
      parser,
      readBuffer: new Uint8Array(readBufferBytes ?? 2048),
      headBuffer,
      unitRandom: () => {
        host.random.fill(randomBytes);
        return (randomBytes[0]! | (randomBytes[1]! << 8) | (randomBytes[2]! << 16)) / 0x1000000;
      },
      finished: (transfer) => {
        if (this.#active === transfer) this.#active = undefined;
      },
    };
  }

  get busy(): boolean {
    return this.#active !== undefined;
  }

  /** GETs `url`, streaming a 2xx body into `sink`. Every failure arrives as an HttpError from `result`. */
  get(url: string, sink: HttpSink, options: HttpRequestOptions = {}): HttpRequest {
    let transfer: Transfer | undefined;
    const result = new Promise<HttpResult>((resolve, reject) => {
      if (this.#active) {
        reject(new HttpError("busy", "another request is in progress on this client"));
        return;
      }
      const settings = { ...this.#defaults, ...withoutUndefined(options) };
      transfer = new Transfer(this.#resources, this.#host, settings, sink, resolve, reject);
      this.#active = transfer;
      transfer.start(url);
    });
    return { result, cancel: () => transfer?.fail(new HttpError("aborted", "cancelled by the caller"), true) };
  }
}

/** One get(): its URL, connection attempts, timers and the sink's progress. */
class Transfer {
  readonly #client: ClientResources;
  readonly #host: Host;
  readonly #settings: Required<HttpRequestOptions>;
  readonly #sink: HttpSink;
  readonly #resolve: (result: HttpResult) => void;
  readonly #reject: (error: HttpError) => void;
  #url: HttpUrl | undefined;
  #attempt = 0;
  #redirects = 0;
  #settled = false;
  /** Identifies the current connection; callbacks of older ones are ignored. */
  #connection = 0;
  #socket: Socket | undefined;
  #connecting = false;
  #connected = false;
  #earlyEvents = 0;
  #lastActivityMs = 0;
  #status = 0;
  #begun = false;
  #bodyBytes = 0;
  #connectTimer: TimerId | undefined;
  #idleTimer: TimerId | undefined;
  #totalTimer: TimerId | undefined;
  #retryTimer: TimerId | undefined;

  constructor(
    client: ClientResources,
    host: Host,
    settings: Required<HttpRequestOptions>,
    sink: HttpSink,
    resolve: (result: HttpResult) => void,
    reject: (error: HttpError) => void,
  ) {
    this.#client = client;
    this.#host = host;
    this.#settings = settings;
    this.#sink = sink;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(text: string): void {
    try {
      this.#url = parseHttpUrl(text);
    } catch (error) {
      this.fail(asHttpError(error, "url"), true);
      return;
    }
    this.#totalTimer = this.#host.timers.set(() => {
      this.#totalTimer = undefined;
      this.fail(new HttpError("timeout", `no complete response within ${this.#settings.totalTimeoutMs} ms`), true);
    }, this.#settings.totalTimeoutMs);
    this.#attempt = 1;
    this.#connect();
  }

  #connect(): void {
    const url = this.#url!;
    if (url.secure && this.#settings.ca === "") {
      this.fail(new HttpError("tls", "https URL but no CA certificate configured"), true);
      return;
    }
    const id = ++this.#connection;
    this.#connected = false;
    this.#connecting = true;
    this.#earlyEvents = 0;
    this.#client.parser.reset();
    const handlers: SocketHandlers = {
      onWritable: () => this.#onWritable(id),
      onReadable: () => this.#onReadable(id),
      onError: (reason) => this.#onSocketError(id, reason),
    };
    this.#connectTimer = this.#host.timers.set(() => {
      this.#connectTimer = undefined;
      this.fail(new HttpError("timeout", `not connected to ${url.authority} within ${this.#settings.connectTimeoutMs} ms`));
    }, this.#settings.connectTimeoutMs);
    let socket: Socket;
    try {
      const network = this.#host.network;
      const target = { host: url.hostname, port: url.port };
      socket = url.secure ? network.connectTls({ ...target, ca: this.#settings.ca }, handlers) : network.connectTcp(target, handlers);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.fail(new HttpError(classifySocketError(reason), reason));
      return;
    }
    this.#connecting = false;
    if (id !== this.#connection) {
      socket.close(); // it failed while connecting
      return;
    }
    this.#socket = socket;
    // A host may call handlers from inside connect (before we held the socket): replay them now.
    if (this.#earlyEvents & 1) this.#onWritable(id);
    if (this.#earlyEvents & 2) this.#onReadable(id);
  }

  #onWritable(id: number): void {
    if (id !== this.#connection || this.#connected) return; // later onWritable calls only report space
    if (this.#connecting) {
      this.#earlyEvents |= 1;
      return;
    }
    this.#connected = true;
    this.#clearTimer("connect");
    const url = this.#url!;
    const request =
      `GET ${url.target} HTTP/1.1\r\nHost: ${url.authority}\r\nUser-Agent: ${this.#settings.userAgent.replace(/[\x00-\x1f\x7f]/g, "")}\r\n` +
      "Accept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n";
    // The head buffer is free until the response starts, so the request is encoded there.
    let length: number;
    try {
      length = utf8EncodeInto(request, this.#client.headBuffer, 0);
    } catch {
      this.fail(new HttpError("url", `request longer than ${this.#client.headBuffer.length} bytes`), true);
      return;
    }
    this.#lastActivityMs = this.#host.clock.monotonicMs();
    try {
      this.#socket!.write(this.#client.headBuffer.subarray(0, length));
    } catch (error) {
      this.fail(new HttpError("connect", `write failed: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    // A host may deliver (even the whole response) from inside write.
    if (id === this.#connection) this.#armIdle(this.#settings.idleTimeoutMs);
  }

  #onReadable(id: number): void {
    if (id !== this.#connection) return;
    if (this.#connecting) {
      this.#earlyEvents |= 2;
      return;
    }
    const socket = this.#socket!;
    const buffer = this.#client.readBuffer;
    for (;;) {
      const count = socket.read(buffer);
      if (count <= 0) return;
      this.#lastActivityMs = this.#host.clock.monotonicMs();
      try {
        this.#client.parser.push(count === buffer.length ? buffer : buffer.subarray(0, count));
      } catch (error) {
        this.fail(asHttpError(error, "protocol"));
        return;
      }
      if (id !== this.#connection) return; // the response ended or failed inside push
    }
  }

  #onSocketError(id: number, reason: string): void {
    if (id !== this.#connection) return;
    const kind = classifySocketError(reason);
    if (!this.#connected) {
      this.fail(new HttpError(kind, reason));
      return;
    }
    // Take what the host still holds, then judge: a peer closing is how close-delimited bodies end.
    if (!this.#connecting) this.#onReadable(id);
    if (id !== this.#connection) return;
    if (kind === "tls") {
      this.fail(new HttpError("tls", reason));
      return;
    }
    try {
      this.#client.parser.finish();
    } catch (error) {
      this.fail(asHttpError(error, "truncated"));
    }
  }

  // --- parser events (they throw HttpError to end the response; #onReadable turns that into fail)
  onHead(head: ResponseHead): void {
    const url = this.#url!;
    this.#status = head.status;
    if (REDIRECTS.indexOf(head.status) >= 0) {
      if (head.location === undefined) throw new HttpError("redirect", `${head.status} without a Location`, head.status);
      if (this.#redirects >= this.#settings.maximumRedirects) {
        throw new HttpError("redirect", `more than ${this.#settings.maximumRedirects} redirects`, head.status);
      }
      const next = resolveUrl(url, head.location);
      this.#redirects++;
      this.#closeConnection();
      this.#url = next;
      this.#attempt = 1;
      // Not from inside the parser's push: the next connection reuses the parser.
      this.#retryTimer = this.#host.timers.set(() => {
        this.#retryTimer = undefined;
        this.#connect();
      }, 0);
      return;
    }
    if (head.status < 200 || head.status > 299) {
      const retryAfter = head.retryAfter === undefined ? undefined : parseRetryAfter(head.retryAfter, this.#host.clock.wallTimeMs());
      throw new HttpError("status", `${head.status} from ${url.authority}`, head.status, retryAfter);
    }
    if (head.contentEncoding !== undefined && head.contentEncoding !== "identity") {
      throw new HttpError("protocol", `body sent with Content-Encoding ${head.contentEncoding} despite Accept-Encoding: identity`);
    }
    const maximum = this.#settings.maximumBodyBytes;
    if (head.contentLength !== undefined && head.contentLength > maximum) {
      throw new HttpError("too_large", `Content-Length ${head.contentLength} exceeds the maximum of ${maximum} bytes`);
    }
    this.#begun = true;
    this.#bodyBytes = 0;
    this.#callSink("begin", () =>
      this.#sink.begin({ status: head.status, url: formatUrl(url), contentLength: head.contentLength, contentType: head.contentType }),
    );
  }

  onBody(chunk: Uint8Array): void {
    if (!this.#begun) return;
    this.#bodyBytes += chunk.length;
    if (this.#bodyBytes > this.#settings.maximumBodyBytes) {
      throw new HttpError("too_large", `body exceeds the maximum of ${this.#settings.maximumBodyBytes} bytes`);
    }
    this.#callSink("data", () => this.#sink.data(chunk));
  }

  onComplete(): void {
    if (!this.#begun) return;
    this.#closeConnection();
    this.#begun = false;
    this.#callSink("end", () => this.#sink.end());
    this.#settle({ status: this.#status, url: formatUrl(this.#url!), bodyBytes: this.#bodyBytes, attempts: this.#attempt, redirects: this.#redirects });
  }

  /** Ends the current attempt; retries when the error allows it and attempts remain, else settles. */
  fail(error: HttpError, final = false): void {
    if (this.#settled) return;
    this.#closeConnection();
    const retry = !final && isRetryable(error) && this.#attempt < this.#settings.attempts;
    if (this.#begun) {
      this.#begun = false;
      try {
        this.#sink.abort(error, retry);
      } catch {
        // The sink is being told to give up; its own failure to do so changes nothing here.
      }
    }
    if (!retry) {
      this.#settle(error);
      return;
    }
    const delayMs = this.#retryDelayMs(error);
    this.#host.log.write("info", `http: ${this.#url!.authority}: ${error.message}; attempt ${this.#attempt + 1} in ${delayMs} ms`);
    this.#attempt++;
    this.#retryTimer = this.#host.timers.set(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delayMs);
  }

  #retryDelayMs(error: HttpError): number {
    const { backoffInitialMs, backoffMaximumMs, retryAfterCapMs } = this.#settings;
    const exponent = this.#attempt - 1 < 20 ? this.#attempt - 1 : 20;
    const uncapped = backoffInitialMs * 2 ** exponent;
    const ceiling = uncapped < backoffMaximumMs ? uncapped : backoffMaximumMs;
    let delay = Math.floor(ceiling / 2 + this.#client.unitRandom() * (ceiling / 2));
    if (error.retryAfterMs !== undefined) {
      const asked = error.retryAfterMs < retryAfterCapMs ? error.retryAfterMs : retryAfterCapMs;
      if (asked > delay) delay = asked;
    }
    return delay;
  }

  #callSink(what: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      throw new HttpError("aborted", `sink ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #armIdle(ms: number): void {
    this.#idleTimer = this.#host.timers.set(() => {
      this.#idleTimer = undefined;
      const quietMs = this.#host.clock.monotonicMs() - this.#lastActivityMs;
      const limit = this.#settings.idleTimeoutMs;
      if (quietMs >= limit) this.fail(new HttpError("timeout", `no data from ${this.#url!.authority} for ${limit} ms`));
      else this.#armIdle(limit - quietMs);
    }, ms);
  }

  #closeConnection(): void {
    this.#connection++;
    this.#client.parser.halt();
    this.#clearTimer("connect");
    this.#clearTimer("idle");
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connected = false;
    if (socket) {
      try {
        socket.close();
      } catch {
        // Closing a broken socket may throw on some hosts; it is gone either way.
      }
    }
  }

  #settle(outcome: HttpResult | HttpError): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#closeConnection();
    this.#clearTimer("total");
    this.#clearTimer("retry");
    this.#client.finished(this);
    if (outcome instanceof HttpError) this.#reject(outcome);
    else this.#resolve(outcome);
  }

  #clearTimer(which: "connect" | "idle" | "total" | "retry"): void {
    const timers = this.#host.timers;
    if (which === "connect" && this.#connectTimer !== undefined) timers.clear(this.#connectTimer);
    else if (which === "idle" && this.#idleTimer !== undefined) timers.clear(this.#idleTimer);
    else if (which === "total" && this.#totalTimer !== undefined) timers.clear(this.#totalTimer);
    else if (which === "retry" && this.#retryTimer !== undefined) timers.clear(this.#retryTimer);
    if (which === "connect") this.#connectTimer = undefined;
    else if (which === "idle") this.#idleTimer = undefined;
    else if (which === "total") this.#totalTimer = undefined;
    else this.#retryTimer = undefined;
  }
}

function asHttpError(error: unknown, kind: "url" | "protocol" | "truncated"): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(kind, error instanceof Error ? error.message : String(error));
}

/** Options with undefined values removed, so that they do not override defaults when spread. */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key in options) if (options[key] !== undefined) out[key] = options[key];
  return out;
}
