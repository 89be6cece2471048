// Why an HTTP transfer failed, in a form callers can act on: `kind` says what to do next (a 404 means
// "try another rendition", `too_large` means "skip this artwork", `timeout` or `connect` mean "later").

import type { SocketErrorCause } from "../ports.js";

export type HttpErrorKind =
  /** The URL cannot be fetched: not http/https, malformed, credentials in it, too long. */
  | "url"
  /** The host name did not resolve (reported by the host binding, which does the resolution). */
  | "dns"
  /** The TCP connection failed or broke before a response. */
  | "connect"
  /** TLS handshake or certificate verification failed (or no CA was given for https). */
  | "tls"
  /** Connect, idle-between-bytes or total timeout (the message says which). */
  | "timeout"
  /** The final response was not 2xx; `status` holds the code. */
  | "status"
  /** Too many redirects, or a redirect without a usable Location. */
  | "redirect"
  /** The response is not valid HTTP/1.x (status line, header, chunk framing, transfer coding). */
  | "protocol"
  /** The connection ended before the body was complete. */
  | "truncated"
  /** The body is larger than the configured maximum. */
  | "too_large"
  /** Cancelled by the caller, or the sink threw. */
  | "aborted"
  /** The client is already running a request (one at a time: it owns one set of buffers). */
  | "busy";

export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly kind: HttpErrorKind;
  /** The HTTP status for kind "status" (and the last status seen for "redirect"). */
  readonly status: number | undefined;
  /** For 429/5xx: the server's Retry-After, in milliseconds, when it sent one we understood. */
  readonly retryAfterMs: number | undefined;

  constructor(kind: HttpErrorKind, message: string, status?: number, retryAfterMs?: number) {
    super(`${kind}: ${message}`);
    this.kind = kind;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Failures worth another attempt: the network or the server may be fine a moment later. */
export function isRetryable(error: HttpError): boolean {
  switch (error.kind) {
    case "dns":
    case "connect":
    case "timeout":
    case "truncated":
      return true;
    case "status":
      return error.status !== undefined && (error.status >= 500 || error.status === 429);
    default:
      return false;
  }
}

/** The kind of a socket failure, from the cause the host binding reports with it. */
export function socketErrorKind(cause: SocketErrorCause): "dns" | "tls" | "connect" {
  return cause === "network" ? "connect" : cause;
}
