// One HttpClient.get(): its URL (which redirects change), connection attempts, timers (connect,
// idle, total, retry wait) and the sink's progress. It owns nothing big: the buffers and the parser
// belong to the client and are lent to one transfer at a time.
// (Over 400 lines: one request's whole life — connect, send, head, body, redirects, retries and its
// four timers — whose steps hand the same socket and state to each other.)

import type { Host, Socket, SocketErrorCause, SocketHandlers, TimerId } from "../ports.js";
import type { SocketWriter } from "../util/socket-writer.js";
import { utf8EncodeInto } from "../util/utf8.js";
import { HttpError, isRetryable, socketErrorKind } from "./errors.js";
import type { HttpMethod, HttpRequestInit, HttpRequestOptions, HttpResult, HttpSink } from "./http-types.js";
import type { HttpResponseParser, ResponseHead } from "./http-parse.js";
import { parseRetryAfter, retryDelayMs } from "./retry.js";
import { formatUrl, parseHttpUrl, resolveUrl, type HttpUrl } from "./url.js";

const REDIRECTS = Object.freeze([301, 302, 303, 307, 308]);

/** What every request of one client shares: its buffers, its parser, and the way to report being done. */
export interface ClientResources {
  readonly parser: HttpResponseParser;
  readonly readBuffer: Uint8Array;
  readonly headBuffer: Uint8Array;
  /** Sends the request without overrunning the socket (ECMA-419 onWritable counts); holds a whole head. */
  readonly writer: SocketWriter;
  /** A number in [0, 1) from the Random port, for backoff jitter. */
  unitRandom(): number;
  finished(transfer: Transfer): void;
}

/** One get(): its URL, connection attempts, timers and the sink's progress. */
export class Transfer {
  readonly #client: ClientResources;
  readonly #host: Host;
  readonly #settings: Required<HttpRequestOptions>;
  readonly #sink: HttpSink;
  /** Extra header lines as the caller gave them; checked and joined ("Name: value\r\n" each) by start(). */
  readonly #headerLines: readonly string[];
  #headers = "";
  readonly #contentType: string;
  readonly #anyStatus: boolean;
  #method: HttpMethod;
  #body: Uint8Array | undefined;
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
  #earlyWritable = 0;
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
    init: HttpRequestInit,
    sink: HttpSink,
    resolve: (result: HttpResult) => void,
    reject: (error: HttpError) => void,
  ) {
    this.#client = client;
    this.#host = host;
    this.#settings = settings;
    this.#sink = sink;
    this.#method = init.method ?? "GET";
    this.#body = init.body;
    this.#anyStatus = init.anyStatus === true;
    this.#contentType = init.contentType ?? "application/json";
    this.#headerLines = init.headers ?? [];
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(text: string): void {
    try {
      let headers = "";
      for (const line of this.#headerLines) headers += checkedHeaderLine(line) + "\r\n";
      this.#headers = headers;
      checkedHeaderLine(`Content-Type: ${this.#contentType}`);
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
      onWritable: (count) => this.#onWritable(id, count),
      onReadable: () => this.#onReadable(id),
      onError: (reason, cause) => this.#onSocketError(id, reason, cause),
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
      this.fail(new HttpError("connect", reason));
      return;
    }
    this.#connecting = false;
    if (id !== this.#connection) {
      socket.close(); // it failed while connecting
      return;
    }
    this.#socket = socket;
    this.#client.writer.attach(socket);
    // A host may call handlers from inside connect (before we held the socket): replay them now.
    if (this.#earlyEvents & 1) this.#onWritable(id, this.#earlyWritable);
    if (this.#earlyEvents & 2) this.#onReadable(id);
  }

  /** ECMA-419: the first call means connected; every call says how many bytes the socket takes now. */
  #onWritable(id: number, count: number): void {
    if (id !== this.#connection) return;
    if (this.#connecting) {
      this.#earlyEvents |= 1;
      this.#earlyWritable = count;
      return;
    }
    const writer = this.#client.writer;
    if (this.#connected) {
      // More room: the rest of the request goes out.
      try {
        writer.onWritable(count);
      } catch (error) {
        this.fail(new HttpError("connect", error instanceof Error ? error.message : String(error)));
      }
      return;
    }
    writer.onWritable(count); // nothing is queued yet: this only records the count
    this.#connected = true;
    this.#clearTimer("connect");
    const url = this.#url!;
    const body = this.#body;
    const framing = body ? `Content-Type: ${this.#contentType}\r\nContent-Length: ${body.length}\r\n` : this.#method === "POST" ? "Content-Length: 0\r\n" : "";
    const request =
      `${this.#method} ${url.target} HTTP/1.1\r\nHost: ${url.authority}\r\nUser-Agent: ${this.#settings.userAgent.replace(/[\x00-\x1f\x7f]/g, "")}\r\n` +
      `Accept: */*\r\nAccept-Encoding: identity\r\n${this.#headers}${framing}Connection: close\r\n\r\n`;
    // The head buffer is free until the response starts, so the request is encoded there.
    const buffer = this.#client.headBuffer;
    let length = -1;
    try {
      length = utf8EncodeInto(request, buffer, 0);
    } catch {
      // too long: reported below
    }
    if (length >= 0 && body) {
      if (length + body.length <= buffer.length) {
        buffer.set(body, length);
        length += body.length;
      } else length = -1;
    }
    if (length < 0) {
      this.fail(new HttpError("url", `request longer than ${buffer.length} bytes`), true);
      return;
    }
    this.#lastActivityMs = this.#host.clock.monotonicMs();
    try {
      // What the socket cannot take now is copied to the writer's queue (as large as the head buffer).
      writer.write(this.#client.headBuffer.subarray(0, length));
    } catch (error) {
      this.fail(new HttpError("connect", error instanceof Error ? error.message : String(error)));
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

  #onSocketError(id: number, reason: string, cause: SocketErrorCause): void {
    if (id !== this.#connection) return;
    const kind = socketErrorKind(cause);
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
      if (this.#method !== "GET" && head.status !== 307 && head.status !== 308) {
        this.#method = "GET";
        this.#body = undefined;
      }
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
    if ((head.status < 200 || head.status > 299) && !this.#anyStatus) {
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
      this.#sink.begin({
        status: head.status,
        url: formatUrl(url),
        contentLength: head.contentLength,
        contentType: head.contentType,
        ...(head.retryAfter !== undefined ? { retryAfterMs: parseRetryAfter(head.retryAfter, this.#host.clock.wallTimeMs()) } : {}),
      }),
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
    this.#begun = false;
    // The client is free before the sink hears `end`, so the sink may start the next download.
    this.#finish();
    try {
      this.#sink.end();
    } catch (error) {
      this.#reject(new HttpError("aborted", `sink end failed: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    this.#resolve({ status: this.#status, url: formatUrl(this.#url!), bodyBytes: this.#bodyBytes, attempts: this.#attempt, redirects: this.#redirects });
  }

  /** Ends the current attempt; retries when the error allows it and attempts remain, else settles. */
  fail(error: HttpError, final = false): void {
    if (this.#settled) return;
    this.#closeConnection();
    const retry = !final && isRetryable(error) && this.#attempt < this.#settings.attempts;
    // When giving up, the client is free before the sink hears it (it may start a fallback download).
    if (!retry) this.#finish();
    if (this.#begun) {
      this.#begun = false;
      try {
        this.#sink.abort(error, retry);
      } catch {
        // The sink is being told to give up; its own failure to do so changes nothing here.
      }
    }
    if (!retry) {
      this.#reject(error);
      return;
    }
    const delayMs = retryDelayMs(this.#attempt, this.#settings, this.#client.unitRandom(), error.retryAfterMs);
    this.#host.log.write("info", `http: ${this.#url!.authority}: ${error.message}; attempt ${this.#attempt + 1} in ${delayMs} ms`);
    this.#attempt++;
    this.#retryTimer = this.#host.timers.set(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delayMs);
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
      this.#client.writer.detach(); // what the socket never took is dropped with it
      try {
        socket.close();
      } catch {
        // Closing a broken socket may throw on some hosts; it is gone either way.
      }
    }
  }

  /** The request is over (the promise is settled right after): no connection, no timers, client free. */
  #finish(): void {
    this.#settled = true;
    this.#closeConnection();
    this.#clearTimer("total");
    this.#clearTimer("retry");
    this.#client.finished(this);
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

/** A header line a caller supplied must stay one header line: a name, a colon, no CR, LF or NUL. */
function checkedHeaderLine(line: string): string {
  let clean = typeof line === "string" && line.indexOf(":") > 0;
  if (clean) for (const character of line) if (character === "\r" || character === "\n" || character === "\u0000") clean = false;
  if (!clean) throw new HttpError("url", "a request header line is malformed");
  return line;
}

function asHttpError(error: unknown, kind: "url" | "protocol" | "truncated"): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(kind, error instanceof Error ? error.message : String(error));
}

