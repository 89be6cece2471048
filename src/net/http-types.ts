// The HTTP client's options, request and sink shapes: shared by the client (http.ts) and the
// transfer that runs one request (http-transfer.ts), so that neither imports the other's module for them.

import type { HttpError } from "./errors.js";

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

export type HttpMethod = "GET" | "POST";

/** What a request sends besides its URL (GET with no extra headers when omitted). */
export interface HttpRequestInit {
  method?: HttpMethod;
  /**
   * Extra header lines, e.g. "Authorization: Bearer …" (never logged). A line with CR, LF or no
   * colon is refused (kind "url").
   */
  headers?: readonly string[];
  /** The request body (sent with Content-Length); head and body must fit the head buffer together. */
  body?: Uint8Array;
  /** Content-Type of the body; default "application/json". */
  contentType?: string;
  /**
   * Hand every final response to the sink, whatever its status (an API's 404 or 429 carries a JSON
   * body worth reading): `begin` reports the status and `result` resolves with it. Statuses are then
   * the caller's to judge, so they are never retried here. Redirects are still followed.
   */
  anyStatus?: boolean;
}

export interface HttpResponseInfo {
  status: number;
  /** The URL that answered (after redirects). */
  url: string;
  contentLength: number | undefined;
  contentType: string | undefined;
  /** A Retry-After the response carried (in ms), for `anyStatus` callers judging a 429 or 503. */
  retryAfterMs?: number | undefined;
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
