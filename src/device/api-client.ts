// Small JSON calls to the Makapix HTTPS API (protocol sheet §7–§9): provisioning, credentials, renewal,
// token rotation. One call at a time over the project's streaming HTTP client in `anyStatus` mode, so
// that a 404 or 429 arrives with its status and its `{"detail": …}` body instead of as a failure.
// Replies are parsed as they stream in, within fixed bounds (body bytes, string length, total text),
// so a hostile or broken server cannot make the device hold more than a credential set.
//
// Memory (worst case, one call): the HTTP client's buffers (its own, ~6 KiB + the read buffer), the
// tokenizer's text buffer (MAXIMUM_STRING_UNITS code units = 8 KiB), and the reply value (at most
// MAXIMUM_TEXT_UNITS code units of strings = 3 PEMs of 4 KB plus small fields, ≤ 128 values).

import { JsonError } from "../json/errors.js";
import { JsonValueParser, type JsonObject, type JsonValue } from "../json/value.js";
import { HttpError } from "../net/errors.js";
import { HttpClient, type HttpMethod, type HttpResponseInfo, type HttpSink } from "../net/http.js";
import type { Host } from "../ports.js";
import { utf8Encode } from "../util/utf8.js";

/** A PEM is at most 4 KB (sheet §2); this is the longest string a reply may carry. */
export const MAXIMUM_STRING_UNITS = 4096;
/** Three PEMs and the small fields around them. */
const MAXIMUM_TEXT_UNITS = 3 * MAXIMUM_STRING_UNITS + 2048;
/** A credentials reply is ~5 KB with RSA 2048; JSON escapes ("\n") make it a little longer. */
export const MAXIMUM_REPLY_BYTES = 20 * 1024;
const MAXIMUM_VALUES = 128;
/** Longest `detail` text kept for messages. */
const DETAIL_UNITS = 200;

export interface ApiReply {
  status: number;
  /** The reply when it was a JSON object within bounds; undefined otherwise (an HTML error page…). */
  body: JsonObject | undefined;
  /** The service's `{"detail": …}` text (clipped), when it sent one as a string. */
  detail: string | undefined;
  /** From a Retry-After header, in ms. */
  retryAfterMs: number | undefined;
}

export interface ApiCallOptions {
  method: HttpMethod;
  /** A JSON object sent as the body. */
  json?: { [key: string]: string | number | boolean | null };
  /** Sent as `Authorization: Bearer …`; never logged. */
  bearer?: string;
}

export interface ApiClientOptions {
  /** API base URL, e.g. "https://makapix.club/api" (a trailing slash is dropped). */
  apiBase: string;
  /** PEM CA the API's certificate chains to (an https base needs one). */
  ca: string;
  /** Per call, connect included; default 20 s. */
  totalTimeoutMs?: number;
}

/** A failure below HTTP (DNS, TCP, TLS, timeout, truncated reply): worth trying again later. */
export class ApiNetworkError extends Error {
  override readonly name = "ApiNetworkError";
  readonly httpError: HttpError;
  constructor(cause: HttpError) {
    super(cause.message);
    this.httpError = cause;
  }
}

export class ApiClient {
  readonly apiBase: string;
  readonly #http: HttpClient;
  readonly #totalTimeoutMs: number;
  /** One parser for every call (its text buffer is the biggest piece here): reset per call. */
  readonly #parser = new JsonValueParser({ maxDepth: 8, maxStringUnits: MAXIMUM_STRING_UNITS, maxTotalUnits: MAXIMUM_TEXT_UNITS, maxNodes: MAXIMUM_VALUES });
  #cancel: (() => void) | undefined;

  constructor(host: Host, options: ApiClientOptions) {
    this.apiBase = trimSlashes(options.apiBase);
    this.#http = new HttpClient(host, { ca: options.ca, maximumBodyBytes: MAXIMUM_REPLY_BYTES, attempts: 1 });
    this.#totalTimeoutMs = options.totalTimeoutMs ?? 20_000;
  }

  /** True while a call is in flight. */
  get busy(): boolean {
    return this.#http.busy;
  }

  /**
   * Calls `{apiBase}{path}`. Resolves with whatever status the service answered; rejects with
   * ApiNetworkError when no complete answer came (or HttpError "aborted" after `cancel`).
   */
  async call(path: string, options: ApiCallOptions): Promise<ApiReply> {
    const parser = this.#parser;
    parser.reset();
    let info: HttpResponseInfo | undefined;
    let parseError = false;
    const sink: HttpSink = {
      begin(response) {
        info = response;
        parser.reset();
        parseError = false;
      },
      data(chunk) {
        if (parseError) return;
        try {
          parser.push(chunk);
        } catch (error) {
          if (!(error instanceof JsonError)) throw error;
          parseError = true; // an unreadable body is reported as no body, not as a network failure
        }
      },
      end() {},
      abort() {},
    };
    const headers: string[] = [];
    if (options.bearer !== undefined) headers.push(`Authorization: Bearer ${options.bearer}`);
    const request = this.#http.request(
      this.apiBase + path,
      {
        method: options.method,
        headers,
        anyStatus: true,
        ...(options.json ? { body: utf8Encode(JSON.stringify(options.json)) } : {}),
      },
      sink,
      { totalTimeoutMs: this.#totalTimeoutMs },
    );
    this.#cancel = request.cancel;
    let status: number;
    try {
      status = (await request.result).status;
    } catch (error) {
      if (error instanceof HttpError && error.kind !== "aborted") throw new ApiNetworkError(error);
      throw error;
    } finally {
      this.#cancel = undefined;
    }
    let body: JsonObject | undefined;
    if (!parseError) {
      try {
        const value: JsonValue = parser.finish();
        if (typeof value === "object" && value !== null && !Array.isArray(value)) body = value;
      } catch (error) {
        if (!(error instanceof JsonError)) throw error;
      }
    }
    const detail = body?.["detail"];
    return {
      status,
      body,
      detail: typeof detail === "string" ? (detail.length > DETAIL_UNITS ? detail.slice(0, DETAIL_UNITS) : detail) : undefined,
      retryAfterMs: info?.retryAfterMs,
    };
  }

  /** Stops the call in flight; its promise rejects with HttpError "aborted". */
  cancel(): void {
    this.#cancel?.();
  }
}

/** A string field of a reply, or undefined when absent, null or another type. */
export function stringField(object: JsonObject | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === "string" ? value : undefined;
}

/** `{"host": string, "port": 1..65535}` under `key`, or undefined. */
export function endpointField(object: JsonObject | undefined, key: string): { host: string; port: number } | undefined {
  const value = object?.[key];
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const host = value["host"];
  const port = value["port"];
  if (typeof host !== "string" || host === "" || host.length > 253) return undefined;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function trimSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end--;
  return url.slice(0, end);
}
