// A streaming HTTP/1.1 client (GET, and POST with a small body) over the Network port: http and https, redirects, timeouts on the
// Timers port, retries with exponential backoff, and the body handed to a sink chunk by chunk as it
// arrives (never held whole). One request at a time per client: it owns one read buffer and one head
// buffer, reused for every request. Host names are resolved by the host binding (connectTcp/connectTls
// take names); its resolver errors are reported as kind "dns".
//
// Memory (worst case, per client): read buffer (2 KiB default) + head buffer (4 KiB default, also used
// to encode the request, and as the write queue for the part of it the socket cannot take yet: ECMA-419
// backpressure; the response head only arrives once the request has gone) + the header strings copied out of it (at most the head buffer's size in
// total) + a transient request string (URL ≤ 2048 characters) + a few small objects per request and
// per connection attempt. The body is never buffered here.

import type { Host } from "../ports.js";
import { SocketWriter } from "../util/socket-writer.js";
import { HttpError } from "./errors.js";
import { HttpResponseParser } from "./http-parse.js";
import { Transfer, type ClientResources } from "./http-transfer.js";
import type { HttpClientOptions, HttpRequest, HttpRequestInit, HttpRequestOptions, HttpResult, HttpSink } from "./http-types.js";

// The client's types live in http-types.ts, which the transfer shares without importing this module.
export type { HttpClientOptions, HttpMethod, HttpRequest, HttpRequestInit, HttpRequestOptions, HttpResponseInfo, HttpResult, HttpSink } from "./http-types.js";

const DEFAULTS: Required<HttpRequestOptions> = Object.freeze({
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
});
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
      // The head is encoded into headBuffer and written from it once per connection: what the socket
      // cannot take yet waits in headBuffer itself (it moves to the front), no second buffer.
      writer: new SocketWriter(headBuffer),
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
    return this.request(url, {}, sink, options);
  }

  /**
   * Sends a request shaped by `init` and streams the response body into `sink` (a 2xx one, or any
   * with `init.anyStatus`). A 301/302/303 redirect of a POST becomes a GET without the body (as
   * browsers do); 307/308 repeat it. Every failure arrives as an HttpError from `result`.
   */
  request(url: string, init: HttpRequestInit, sink: HttpSink, options: HttpRequestOptions = {}): HttpRequest {
    let transfer: Transfer | undefined;
    const result = new Promise<HttpResult>((resolve, reject) => {
      if (this.#active) {
        reject(new HttpError("busy", "another request is in progress on this client"));
        return;
      }
      const settings = { ...this.#defaults, ...withoutUndefined(options) };
      transfer = new Transfer(this.#resources, this.#host, settings, init, sink, resolve, reject);
      this.#active = transfer;
      transfer.start(url);
    });
    return { result, cancel: () => transfer?.fail(new HttpError("aborted", "cancelled by the caller"), true) };
  }
}

/** Options with undefined values removed, so that they do not override defaults when spread. */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key in options) if (options[key] !== undefined) out[key] = options[key];
  return out;
}
