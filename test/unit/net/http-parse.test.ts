// The incremental response parser on its own: every framing, bytes split at every position, and the
// typed errors for malformed or cut-off responses.

import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpError } from "../../../src/net/errors.js";
import { HttpResponseParser, type ResponseHead } from "../../../src/net/http-parse.js";
import { utf8Decode, utf8Encode } from "../../../src/util/utf8.js";
import { concatBytes } from "../../support/bytes.js";
import { chunked, httpResponse, patternBytes } from "../../support/scripted-http.js";

interface Parsed {
  heads: ResponseHead[];
  body: Uint8Array;
  chunks: number;
  completions: number;
}

function parser(headBytes = 4096) {
  const parsed: Parsed = { heads: [], body: new Uint8Array(0), chunks: 0, completions: 0 };
  const parts: Uint8Array[] = [];
  const instance = new HttpResponseParser(
    {
      head: (head) => parsed.heads.push(head),
      body: (chunk) => {
        parsed.chunks++;
        parts.push(chunk.slice());
        parsed.body = concatBytes(parts);
      },
      complete: () => parsed.completions++,
    },
    new Uint8Array(headBytes),
  );
  return { instance, parsed };
}

/** Feeds `pieces` in order; `close` = the connection ends afterwards. */
function parse(pieces: Uint8Array[], close = false): Parsed {
  const { instance, parsed } = parser();
  for (const piece of pieces) instance.push(piece);
  if (close) instance.finish();
  return parsed;
}

function parseError(bytes: Uint8Array | string, close = false): HttpError {
  const raw = typeof bytes === "string" ? utf8Encode(bytes) : bytes;
  try {
    parse([raw], close);
  } catch (error) {
    assert.ok(error instanceof HttpError, String(error));
    return error;
  }
  assert.fail("no error");
}

/** The same response split in two at every position, and one byte at a time, parses identically. */
function assertSplitInvariant(raw: Uint8Array, close: boolean, expectedBody: Uint8Array, status = 200): void {
  const check = (result: Parsed, label: string) => {
    assert.equal(result.heads.length, 1, label);
    assert.equal(result.heads[0]!.status, status, label);
    assert.deepEqual(result.body, expectedBody, label);
    assert.equal(result.completions, 1, label);
  };
  for (let split = 0; split <= raw.length; split++) {
    check(parse([raw.subarray(0, split), raw.subarray(split)], close), `split at ${split}`);
  }
  const singles: Uint8Array[] = [];
  for (let i = 0; i < raw.length; i++) singles.push(raw.subarray(i, i + 1));
  check(parse(singles, close), "byte by byte");
}

test("Content-Length body, split at every byte", () => {
  const body = patternBytes(300);
  const raw = httpResponse(200, ["Content-Type: image/png", "Content-Length: 300", "X-Other: y"], body);
  assertSplitInvariant(raw, false, body);
  const head = parse([raw]).heads[0]!;
  assert.equal(head.contentLength, 300);
  assert.equal(head.chunked, false);
  assert.equal(head.contentType, "image/png");
});

test("chunked body with extensions and trailers, split at every byte", () => {
  const parts = [patternBytes(17, 2), patternBytes(1, 3), patternBytes(40, 4)];
  const body = concatBytes(parts);
  const framed = concatBytes([
    utf8Encode("11;name=value\r\n"),
    parts[0]!,
    utf8Encode("\r\n1 ; a=\"quoted;x\"\r\n"),
    parts[1]!,
    utf8Encode("\r\n28\r\n"),
    parts[2]!,
    utf8Encode("\r\n0;last\r\nExpires: never\r\nX-Checksum: abc\r\n\r\n"),
  ]);
  const raw = concatBytes([httpResponse(200, ["Transfer-Encoding: chunked"]), framed]);
  assertSplitInvariant(raw, false, body);
  assert.equal(parse([raw]).heads[0]!.chunked, true);
  // Upper-case hex, bare-LF line endings (tolerated), and a trailing-whitespace size line.
  const lenient = utf8Encode("HTTP/1.1 200 OK\nTransfer-Encoding: Chunked\n\nA \r\n0123456789\n0\n\n");
  assert.equal(utf8Decode(parse([lenient]).body, 0, 10), "0123456789");
});

test("a body without Content-Length or chunking ends when the connection closes", () => {
  const body = patternBytes(100, 5);
  const raw = httpResponse(200, ["Content-Type: image/gif"], body);
  assertSplitInvariant(raw, true, body);
  const open = parse([raw]);
  assert.equal(open.completions, 0, "not complete while the connection is open");
  assert.deepEqual(open.body, body, "but streamed as it arrived");
});

test("bytes after a complete message are ignored; so is an interim 100 Continue", () => {
  const result = parse([utf8Encode("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiGARBAGE")]);
  assert.equal(result.heads.length, 1);
  assert.equal(utf8Decode(result.body, 0, result.body.length), "hi");
  assert.equal(result.completions, 1);
});

test("no body: 204, 304 and Content-Length 0 complete at the end of the head", () => {
  for (const raw of ["HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"]) {
    const result = parse([utf8Encode(raw)]);
    assert.equal(result.completions, 1, raw);
    assert.equal(result.chunks, 0, raw);
  }
});

test("Transfer-Encoding overrides Content-Length; header names are case-insensitive and values trimmed", () => {
  const raw = concatBytes([
    utf8Encode("HTTP/1.1 301 Moved\r\ncOnTeNt-LeNgTh: 999\r\nTRANSFER-ENCODING:  chunked \r\nlocation:\t/new path\r\nRetry-After: 7\r\n\r\n"),
    chunked(["abc"]),
  ]);
  const result = parse([raw]);
  const head = result.heads[0]!;
  assert.equal(head.status, 301);
  assert.equal(head.chunked, true);
  assert.equal(head.contentLength, undefined);
  assert.equal(head.location, "/new path");
  assert.equal(head.retryAfter, "7");
  assert.equal(result.completions, 1);
  // A Location with raw UTF-8 bytes comes out percent-encoded (ready for the URL resolver).
  const utf8Location = concatBytes([utf8Encode("HTTP/1.1 302 Found\r\nLocation: /caf"), new Uint8Array([0xc3, 0xa9]), utf8Encode("\r\n\r\n")]);
  assert.equal(parse([utf8Location]).heads[0]!.location, "/caf%C3%A9");
  // Identical repeated Content-Length is fine; a reason phrase may be absent.
  assert.equal(parse([utf8Encode("HTTP/1.1 200\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx")]).completions, 1);
});

test("malformed status lines and headers are protocol errors", () => {
  const cases: [string, RegExp][] = [
    ["HTTP/1.1 2000 OK\r\n\r\n", /malformed status line/],
    ["HTTP/1.1 20 OK\r\n\r\n", /malformed status line/],
    ["HTTP/1.1 abc OK\r\n\r\n", /malformed status line/],
    ["ICY 200 OK\r\n\r\n", /malformed status line/],
    ["http/1.1 200 OK\r\n\r\n", /malformed status line/],
    ["HTTP/2.0 200 OK\r\n\r\n", /unsupported HTTP version/],
    ["HTTP/1.1 099 Odd\r\n\r\n", /out of range/],
    ["HTTP/1.1 101 Switching Protocols\r\n\r\n", /101/],
    ["HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n", /malformed header line/],
    ["HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", /malformed header line/],
    ["HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", /invalid byte 0x20 in a header name/],
    ["HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n", /folded/],
    ["HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", /bare CR/],
    ["HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", /bad Content-Length/],
    ["HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", /bad Content-Length/],
    ["HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", /bad Content-Length/],
    ["HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n", /bad Content-Length/],
    ["HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", /conflicting/],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", /unsupported transfer coding/],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n", /unsupported transfer coding/],
  ];
  for (const [raw, message] of cases) {
    const error = parseError(raw);
    assert.equal(error.kind, "protocol", raw);
    assert.match(error.message, message, raw);
  }
});

test("malformed chunk framing is a protocol error", () => {
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const cases: [string, RegExp][] = [
    ["xyz\r\n", /chunk size expected/],
    ["\r\n", /chunk size expected/],
    ["-5\r\n", /chunk size expected/],
    ["5x\r\nhello\r\n0\r\n\r\n", /invalid byte 0x78 after the chunk size/],
    ["123456789\r\n", /chunk size too large/],
    ["5\rX", /CR without LF/],
    ["3\r\nhello\r\n0\r\n\r\n", /chunk data longer than its size/],
    ["3\r\nhel\rX", /chunk data longer than its size/],
    [`1;${"e".repeat(5000)}\r\n`, /chunk extension too long/],
    [`0\r\nX-Big: ${"t".repeat(5000)}\r\n\r\n`, /trailer section too long/],
  ];
  for (const [framing, message] of cases) {
    const error = parseError(head + framing);
    assert.equal(error.kind, "protocol", framing.slice(0, 20));
    assert.match(error.message, message, framing.slice(0, 20));
  }
});

test("a head larger than the head buffer is refused; one that just fits is accepted", () => {
  const base = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: \r\n\r\n";
  const fits = base.replace("X-Pad: ", "X-Pad: " + "p".repeat(4096 - base.length));
  assert.equal(utf8Encode(fits).length, 4096);
  assert.equal(parse([utf8Encode(fits)]).completions, 1);
  const error = parseError(fits.replace("X-Pad: ", "X-Pad: p"));
  assert.equal(error.kind, "protocol");
  assert.match(error.message, /response head larger than 4096 bytes/);
});

test("the connection ending early is 'truncated', with where it stopped", () => {
  const cases: [string, RegExp][] = [
    ["", /before any response/],
    ["HTTP/1.1 200 OK\r\nContent-Le", /inside the response head/],
    ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", /after 3 of 10 body bytes/],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", /before the final chunk/],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n", /before the final chunk/],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0", /before the final chunk/],
  ];
  for (const [raw, message] of cases) {
    const error = parseError(raw, true);
    assert.equal(error.kind, "truncated", raw);
    assert.match(error.message, message, raw);
  }
  // After the last chunk only the (ignored) trailer section was cut: the body is complete.
  const cut = parse([utf8Encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n")], true);
  assert.equal(cut.completions, 1);
});

test("halt stops events for the rest of the response; reset starts a new one", () => {
  const { instance, parsed } = parser();
  instance.push(utf8Encode("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc"));
  instance.halt();
  instance.push(utf8Encode("def"));
  instance.finish();
  assert.equal(parsed.completions, 0);
  assert.equal(parsed.body.length, 3);
  instance.reset();
  instance.push(utf8Encode("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
  assert.equal(parsed.heads[1]!.status, 404);
  assert.equal(parsed.completions, 1);
});
