// Incremental HTTP/1.x response parser: bytes go in as they arrive, in pieces of any size; out come
// the head (status and the few headers the client acts on), the body as views of the pushed bytes,
// and the end of the message. Framing: Content-Length, chunked (extensions and trailers skipped), or
// until the connection closes. Anything malformed throws an HttpError ("protocol", or "truncated"
// from `finish` when the connection ends early).
//
// Memory: the head (status line + headers) is gathered in one caller-supplied buffer (4 KiB in the
// client): a longer head is refused. Header values the client needs are copied out as strings (each
// at most the buffer size); everything else, and the whole body, is never copied.

import { HttpError } from "./errors.js";
import { TOKEN, hexValue, isDigit, latin1, nameIs, parseDecimal } from "./head-text.js";

export interface ResponseHead {
  status: number;
  /** Content-Length, when given and the body is not chunked. */
  contentLength: number | undefined;
  chunked: boolean;
  /** Location; bytes outside ASCII arrive percent-encoded, so it is ready for `resolveUrl`. */
  location: string | undefined;
  contentType: string | undefined;
  /** Lower-cased; undefined or "identity" when the body is not encoded. */
  contentEncoding: string | undefined;
  retryAfter: string | undefined;
}

export interface ResponseEvents {
  /** The final head (interim 1xx responses are skipped). */
  head(head: ResponseHead): void;
  /** A view into the pushed bytes, valid only during the call. */
  body(chunk: Uint8Array): void;
  /** The message is complete; bytes after it are ignored. */
  complete(): void;
}

const enum State {
  Head,
  LengthBody,
  CloseBody,
  ChunkSize,
  ChunkSizeSpace,
  ChunkExtension,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailer,
  Done,
}

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
/** Chunk-size lines (with extensions) and the trailer section are skipped, but only this far. */
const MAXIMUM_SKIPPED_BYTES = 4096;
/** 8 hex digits = 4 GiB - 1: far above any body cap, and exact in a double. */
const MAXIMUM_CHUNK_SIZE_DIGITS = 8;


export class HttpResponseParser {
  readonly #events: ResponseEvents;
  readonly #head: Uint8Array;
  #state = State.Head;
  #halted = false;
  /** Counts resets: an event handler may reset the parser for a new response (a new request started
   *  from inside `complete`), and the bytes still being pushed belong to the old one. */
  #generation = 0;
  #headLength = 0;
  #lineStart = 0;
  #sawStatusLine = false;
  #sawAnyByte = false;
  #status = 0;
  #contentLength: number | undefined;
  #transferCodings = "";
  #location: string | undefined;
  #contentType: string | undefined;
  #contentEncoding: string | undefined;
  #retryAfter: string | undefined;
  /** Body bytes left (Content-Length) or chunk bytes left. */
  #remaining = 0;
  #sizeDigits = 0;
  #skipped = 0;
  #trailerLineBytes = 0;
  #expectedLength = 0;

  constructor(events: ResponseEvents, headBuffer: Uint8Array) {
    this.#events = events;
    this.#head = headBuffer;
  }

  /** Ready for a new response (on a new connection). */
  reset(): void {
    this.#generation++;
    this.#state = State.Head;
    this.#halted = false;
    this.#sawAnyByte = false;
    this.#resetHead();
  }

  /** Stop delivering events for the rest of this response (the client dropped the connection). */
  halt(): void {
    this.#halted = true;
  }

  get complete(): boolean {
    return this.#state === State.Done;
  }

  get receivingHead(): boolean {
    return this.#state === State.Head;
  }

  push(bytes: Uint8Array): void {
    const end = bytes.length;
    const generation = this.#generation;
    let at = 0;
    if (end > 0) this.#sawAnyByte = true;
    while (at < end && !this.#halted && generation === this.#generation) {
      switch (this.#state) {
        case State.Head:
          at = this.#pushHead(bytes, at, end);
          break;
        case State.LengthBody:
        case State.ChunkData: {
          const take = this.#remaining < end - at ? this.#remaining : end - at;
          this.#remaining -= take;
          const chunk = bytes.subarray(at, at + take);
          at += take;
          if (this.#remaining === 0) this.#state = this.#state === State.LengthBody ? State.Done : State.ChunkDataCr;
          this.#events.body(chunk);
          if (this.#state === State.Done && !this.#halted && generation === this.#generation) this.#events.complete();
          break;
        }
        case State.CloseBody:
          this.#events.body(at === 0 ? bytes : bytes.subarray(at));
          at = end;
          break;
        case State.Done:
          return;
        default:
          at = this.#pushChunkFraming(bytes, at, end);
      }
    }
  }

  /** The connection ended: a close-delimited body is complete, anything else unfinished is truncated. */
  finish(): void {
    if (this.#halted) return;
    switch (this.#state) {
      case State.Done:
        return;
      case State.CloseBody:
      case State.Trailer: // every chunk arrived; only the (ignored) trailer section was cut
        this.#state = State.Done;
        this.#events.complete();
        return;
      case State.Head:
        throw new HttpError("truncated", this.#sawAnyByte ? "connection closed inside the response head" : "connection closed before any response");
      case State.LengthBody:
        throw new HttpError("truncated", `connection closed after ${this.#expectedLength - this.#remaining} of ${this.#expectedLength} body bytes`);
      default:
        throw new HttpError("truncated", "connection closed before the final chunk");
    }
  }

  #resetHead(): void {
    this.#headLength = 0;
    this.#lineStart = 0;
    this.#sawStatusLine = false;
    this.#status = 0;
    this.#contentLength = undefined;
    this.#transferCodings = "";
    this.#location = undefined;
    this.#contentType = undefined;
    this.#contentEncoding = undefined;
    this.#retryAfter = undefined;
  }

  /** Gathers head bytes; each complete line is parsed at once. Returns where it stopped. */
  #pushHead(bytes: Uint8Array, at: number, end: number): number {
    const head = this.#head;
    while (at < end) {
      const byte = bytes[at++]!;
      if (this.#headLength === head.length) {
        throw new HttpError("protocol", `response head larger than ${head.length} bytes`);
      }
      head[this.#headLength++] = byte;
      if (byte !== LF) continue;
      let lineEnd = this.#headLength - 1;
      if (lineEnd > this.#lineStart && head[lineEnd - 1] === CR) lineEnd--;
      const lineStart = this.#lineStart;
      this.#lineStart = this.#headLength;
      if (lineEnd === lineStart) {
        // Tolerate blank lines before the status line (RFC 9112 §2.2 robustness).
        if (!this.#sawStatusLine) {
          this.#headLength = 0;
          this.#lineStart = 0;
          continue;
        }
        this.#endOfHead();
        return at;
      }
      if (this.#sawStatusLine) this.#headerLine(lineStart, lineEnd);
      else this.#statusLine(lineStart, lineEnd);
    }
    return at;
  }

  #statusLine(start: number, end: number): void {
    const h = this.#head;
    // "HTTP/1.x 200" then end of line or a space and the reason phrase (which may be empty).
    const ok =
      end - start >= 12 &&
      h[start] === 72 && h[start + 1] === 84 && h[start + 2] === 84 && h[start + 3] === 80 && h[start + 4] === 47 &&
      isDigit(h[start + 5]!) && h[start + 6] === 46 && isDigit(h[start + 7]!) && h[start + 8] === SP &&
      isDigit(h[start + 9]!) && isDigit(h[start + 10]!) && isDigit(h[start + 11]!) &&
      (end - start === 12 || h[start + 12] === SP);
    if (!ok) throw new HttpError("protocol", `malformed status line "${latin1(h, start, end < start + 40 ? end : start + 40)}"`);
    if (h[start + 5] !== 49) throw new HttpError("protocol", `unsupported HTTP version ${latin1(h, start, start + 8)}`);
    const status = (h[start + 9]! - 48) * 100 + (h[start + 10]! - 48) * 10 + (h[start + 11]! - 48);
    if (status < 100) throw new HttpError("protocol", `status code ${status} out of range`);
    this.#status = status;
    this.#sawStatusLine = true;
  }

  #headerLine(start: number, end: number): void {
    const h = this.#head;
    if (h[start] === SP || h[start] === HT) throw new HttpError("protocol", "obsolete folded header line");
    let colon = start;
    while (colon < end && h[colon] !== 58) {
      const c = h[colon]!;
      if (c >= 128 || TOKEN[c] === 0) throw new HttpError("protocol", `invalid byte 0x${c.toString(16)} in a header name`);
      colon++;
    }
    if (colon === end || colon === start) throw new HttpError("protocol", `malformed header line "${latin1(h, start, end < start + 40 ? end : start + 40)}"`);
    let valueStart = colon + 1;
    let valueEnd = end;
    while (valueStart < valueEnd && (h[valueStart] === SP || h[valueStart] === HT)) valueStart++;
    while (valueEnd > valueStart && (h[valueEnd - 1] === SP || h[valueEnd - 1] === HT)) valueEnd--;
    for (let i = valueStart; i < valueEnd; i++) {
      if (h[i] === 0 || h[i] === CR) throw new HttpError("protocol", "NUL or bare CR in a header value");
    }
    if (nameIs(h, start, colon, "content-length")) {
      const length = parseDecimal(h, valueStart, valueEnd);
      if (length === undefined) throw new HttpError("protocol", `bad Content-Length "${latin1(h, valueStart, valueEnd)}"`);
      if (this.#contentLength !== undefined && this.#contentLength !== length) throw new HttpError("protocol", "conflicting Content-Length headers");
      this.#contentLength = length;
    } else if (nameIs(h, start, colon, "transfer-encoding")) {
      const codings = latin1(h, valueStart, valueEnd).toLowerCase();
      this.#transferCodings = this.#transferCodings === "" ? codings : `${this.#transferCodings},${codings}`;
    } else if (nameIs(h, start, colon, "location")) {
      this.#location = latin1(h, valueStart, valueEnd, true);
    } else if (nameIs(h, start, colon, "content-type")) {
      this.#contentType = latin1(h, valueStart, valueEnd);
    } else if (nameIs(h, start, colon, "content-encoding")) {
      this.#contentEncoding = latin1(h, valueStart, valueEnd).toLowerCase();
    } else if (nameIs(h, start, colon, "retry-after")) {
      this.#retryAfter = latin1(h, valueStart, valueEnd);
    }
  }

  #endOfHead(): void {
    const status = this.#status;
    if (status < 200) {
      // 100 Continue, 103 Early Hints…: interim, the real response follows. 101 would switch protocols.
      if (status === 101) throw new HttpError("protocol", "unexpected 101 Switching Protocols");
      this.#resetHead();
      return;
    }
    let chunked = false;
    if (this.#transferCodings !== "") {
      const codings = this.#transferCodings.split(",");
      for (let i = 0; i < codings.length; i++) {
        const coding = codings[i]!.trim();
        const last = i === codings.length - 1;
        if (last && coding === "chunked") chunked = true;
        else if (coding !== "identity" && coding !== "") throw new HttpError("protocol", `unsupported transfer coding "${this.#transferCodings}"`);
      }
    }
    const head: ResponseHead = {
      status,
      // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length.
      contentLength: chunked ? undefined : this.#contentLength,
      chunked,
      location: this.#location,
      contentType: this.#contentType,
      contentEncoding: this.#contentEncoding,
      retryAfter: this.#retryAfter,
    };
    const noBody = status === 204 || status === 304;
    if (noBody || head.contentLength === 0) this.#state = State.Done;
    else if (chunked) this.#startChunkSize();
    else if (head.contentLength !== undefined) {
      this.#state = State.LengthBody;
      this.#remaining = head.contentLength;
      this.#expectedLength = head.contentLength;
    } else this.#state = State.CloseBody;
    this.#events.head(head);
    if (this.#state === State.Done && !this.#halted) this.#events.complete();
  }

  #startChunkSize(): void {
    this.#state = State.ChunkSize;
    this.#remaining = 0;
    this.#sizeDigits = 0;
    this.#skipped = 0;
  }

  /** The bytes between chunks: size line (with extensions), CRLF after data, trailer section. */
  #pushChunkFraming(bytes: Uint8Array, at: number, end: number): number {
    while (at < end) {
      const byte = bytes[at]!;
      switch (this.#state) {
        case State.ChunkSize: {
          const digit = hexValue(byte);
          if (digit >= 0) {
            if (++this.#sizeDigits > MAXIMUM_CHUNK_SIZE_DIGITS) throw new HttpError("protocol", "chunk size too large");
            this.#remaining = this.#remaining * 16 + digit;
            break;
          }
          if (this.#sizeDigits === 0) throw new HttpError("protocol", `chunk size expected, got byte 0x${byte.toString(16)}`);
          this.#state = State.ChunkSizeSpace;
          // Look at this byte again in the next state: at-- undoes the at++ after the switch (a
          // `continue` out of a switch leaves a stack slot behind in XS 17: scripts/switch-continue.mjs).
          at--;
          break;
        }
        case State.ChunkSizeSpace:
          if (byte === SP || byte === HT) break;
          if (byte === 59 /* ; */) this.#state = State.ChunkExtension;
          else if (byte === CR) this.#state = State.ChunkSizeLf;
          else if (byte === LF) {
            at++;
            this.#endOfChunkSize();
            return at;
          } else throw new HttpError("protocol", `invalid byte 0x${byte.toString(16)} after the chunk size`);
          break;
        case State.ChunkExtension:
          if (++this.#skipped > MAXIMUM_SKIPPED_BYTES) throw new HttpError("protocol", "chunk extension too long");
          if (byte === LF) {
            at++;
            this.#endOfChunkSize();
            return at;
          }
          break;
        case State.ChunkSizeLf:
          if (byte !== LF) throw new HttpError("protocol", "CR without LF in a chunk size line");
          at++;
          this.#endOfChunkSize();
          return at;
        case State.ChunkDataCr:
          if (byte === CR) this.#state = State.ChunkDataLf;
          else if (byte === LF) this.#startChunkSize();
          else throw new HttpError("protocol", "chunk data longer than its size");
          break;
        case State.ChunkDataLf:
          if (byte !== LF) throw new HttpError("protocol", "chunk data longer than its size");
          this.#startChunkSize();
          break;
        case State.Trailer:
          if (++this.#skipped > MAXIMUM_SKIPPED_BYTES) throw new HttpError("protocol", "trailer section too long");
          if (byte === LF) {
            if (this.#trailerLineBytes === 0) {
              this.#state = State.Done;
              this.#events.complete();
              return at + 1;
            }
            this.#trailerLineBytes = 0;
          } else if (byte !== CR) {
            this.#trailerLineBytes++;
          }
          break;
        default:
          return at;
      }
      at++;
    }
    return at;
  }

  #endOfChunkSize(): void {
    if (this.#remaining === 0) {
      this.#state = State.Trailer;
      this.#skipped = 0;
      this.#trailerLineBytes = 0;
    } else {
      this.#state = State.ChunkData;
    }
  }
}
