// The HTTP client on a virtual clock and an in-memory network: requests, streaming, redirects,
// retries with backoff, timeouts, truncation, the size cap, cancellation and the sink's contract.
// (Over 400 lines: one case per behaviour listed above.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponseInfo, type HttpResult, type HttpSink } from "../../../src/net/http.js";
import { HttpError } from "../../../src/net/errors.js";
import type { SocketErrorCause } from "../../../src/ports.js";
import { utf8Decode } from "../../../src/util/utf8.js";
import { concatBytes } from "../../support/bytes.js";
import { ScriptedHttpServer, chunked, httpResponse, patternBytes, type Exchange, type ServerScript } from "../../support/scripted-http.js";
import { createVirtualHost, type VirtualHost } from "../../support/virtual-host.js";

const URL = "http://vault.test/ab/cd/key.png";

function setup(respond: ServerScript["respond"], options: HttpClientOptions = {}, connect?: ServerScript["connect"]) {
  const host = createVirtualHost(3);
  const script: ServerScript = connect ? { respond, connect } : { respond };
  const server = new ScriptedHttpServer(host, script);
  const client = new HttpClient(host, { ca: "TEST CA PEM", ...options });
  return { host, server, client };
}

interface Recorder extends HttpSink {
  events: string[];
  infos: HttpResponseInfo[];
  body: () => Uint8Array;
  chunkSizes: number[];
}

function recorder(onData?: (chunk: Uint8Array) => void): Recorder {
  let parts: Uint8Array[] = [];
  const sink: Recorder = {
    events: [],
    infos: [],
    chunkSizes: [],
    body: () => concatBytes(parts),
    begin(info) {
      parts = [];
      sink.infos.push(info);
      sink.events.push(`begin ${info.status}`);
    },
    data(chunk) {
      sink.chunkSizes.push(chunk.length);
      parts.push(chunk.slice());
      onData?.(chunk);
    },
    end() {
      sink.events.push("end");
    },
    abort(error, retrying) {
      sink.events.push(`abort ${error.kind} ${retrying ? "retrying" : "final"}`);
    },
  };
  return sink;
}

interface Outcome {
  settled: boolean;
  result?: HttpResult;
  error?: HttpError;
}

function track(request: HttpRequest): Outcome {
  const outcome: Outcome = { settled: false };
  request.result.then(
    (result) => Object.assign(outcome, { settled: true, result }),
    (error: unknown) => {
      assert.ok(error instanceof HttpError, `rejected with ${String(error)}`);
      Object.assign(outcome, { settled: true, error });
    },
  );
  return outcome;
}

/** Nothing left behind: no timers, no open connections. */
function assertQuiet(host: VirtualHost): void {
  assert.equal(host.timers.pending, 0, "timers left pending");
  for (const connection of host.network.connections) assert.equal(connection.isOpen, false, "connection left open");
}

const ok = (body: Uint8Array | string, headers: string[] = []) =>
  httpResponse(200, [`Content-Length: ${typeof body === "string" ? body.length : body.length}`, ...headers], body);

test("sends a minimal GET and streams a Content-Length body in chunks no larger than the read buffer", async () => {
  const body = patternBytes(10_000);
  const { host, server, client } = setup((exchange) => exchange.send(ok(body, ["Content-Type: image/png"]), 3000), { readBufferBytes: 1024 });
  const sink = recorder();
  const outcome = track(client.get("http://vault.test:8080/ab/cd/key.png?v=1", sink));
  assert.equal(client.busy, true);
  await host.timers.advance(0);
  assert.equal(
    server.exchanges[0]!.request,
    "GET /ab/cd/key.png?v=1 HTTP/1.1\r\nHost: vault.test:8080\r\nUser-Agent: MakapixPlayer/0.1\r\nAccept: */*\r\n" +
      "Accept-Encoding: identity\r\nConnection: close\r\n\r\n",
  );
  const connection = host.network.connections[0]!;
  assert.equal(connection.secure, false);
  assert.deepEqual(connection.options, { host: "vault.test", port: 8080 });
  assert.deepEqual(sink.events, ["begin 200", "end"]);
  assert.deepEqual(sink.infos[0], { status: 200, url: "http://vault.test:8080/ab/cd/key.png?v=1", contentLength: 10_000, contentType: "image/png" });
  assert.deepEqual(sink.body(), body);
  assert.ok(sink.chunkSizes.length >= 10 && Math.max(...sink.chunkSizes) <= 1024, `chunks ${sink.chunkSizes.join(",")}`);
  assert.deepEqual(outcome.result, { status: 200, url: "http://vault.test:8080/ab/cd/key.png?v=1", bodyBytes: 10_000, attempts: 1, redirects: 0 });
  assert.equal(client.busy, false);
  assertQuiet(host);
});

test("https connects with TLS, the CA and the host name; without a CA it refuses before connecting", async () => {
  const { host, client } = setup((exchange) => exchange.send(ok("x")));
  const outcome = track(client.get("https://vault.test/a.gif", recorder()));
  await host.timers.advance(0);
  assert.equal(outcome.result?.status, 200);
  assert.equal(host.network.connections[0]!.secure, true);
  assert.deepEqual(host.network.connections[0]!.options, { host: "vault.test", port: 443, ca: "TEST CA PEM" });
  const noCa = track(client.get("https://vault.test/a.gif", recorder(), { ca: "" }));
  await host.timers.advance(0);
  assert.equal(noCa.error?.kind, "tls");
  assert.equal(host.network.connections.length, 1);
  assertQuiet(host);
});

test("every framing survives the response arriving one byte at a time", async () => {
  const body = patternBytes(700, 9);
  const framings: [string, (exchange: Exchange) => void][] = [
    ["length", (exchange) => exchange.send(ok(body), 1)],
    ["chunked", (exchange) => exchange.send(concatBytes([httpResponse(200, ["Transfer-Encoding: chunked"]), chunked([body.subarray(0, 300), body.subarray(300)], "X-T: 1\r\n")]), 1)],
    ["close", (exchange) => {
      exchange.send(httpResponse(200, [], body), 1);
      exchange.close();
    }],
  ];
  for (const [name, respond] of framings) {
    const { host, client } = setup(respond);
    const sink = recorder();
    const outcome = track(client.get(URL, sink));
    await host.timers.advance(0);
    assert.deepEqual(sink.events, ["begin 200", "end"], name);
    assert.deepEqual(sink.body(), body, name);
    assert.equal(outcome.result?.bodyBytes, 700, name);
    assertQuiet(host);
  }
});

test("a close-delimited body is complete only when the server closes", async () => {
  let exchange: Exchange | undefined;
  const { host, client } = setup((e) => {
    exchange = e;
    e.send(httpResponse(200, ["Content-Type: image/webp"], "partial"));
  });
  const sink = recorder();
  const outcome = track(client.get(URL, sink));
  await host.timers.advance(1000);
  assert.equal(outcome.settled, false);
  assert.deepEqual(sink.events, ["begin 200"]);
  exchange!.send("+more");
  exchange!.close();
  await host.timers.advance(0);
  assert.equal(utf8Decode(sink.body(), 0, sink.body().length), "partial+more");
  assert.equal(outcome.result?.bodyBytes, 12);
  assertQuiet(host);
});

test("redirects are followed: relative and absolute Location, http to https, 303 and 308", async () => {
  const { host, server, client } = setup((exchange) => {
    const path = /^GET (\S+)/.exec(exchange.request)![1]!;
    const hostHeader = /Host: (\S+)/.exec(exchange.request)![1]!;
    if (path === "/ab/cd/key.png") exchange.send(httpResponse(301, ["Location: ../moved/key.png", "Content-Length: 5"], "moved"));
    else if (path === "/ab/moved/key.png") exchange.send(httpResponse(303, ["Location: https://cdn.test:8443/x?y=1", "Transfer-Encoding: chunked"], chunked(["redirect body"])));
    else if (path === "/x?y=1" && hostHeader === "cdn.test:8443") exchange.send(httpResponse(308, ["Location: /final"]));
    else if (path === "/final") exchange.send(ok("art"));
    else exchange.send(httpResponse(404, ["Content-Length: 0"]));
  });
  const sink = recorder();
  const outcome = track(client.get(URL, sink));
  await host.timers.advance(0);
  assert.deepEqual(sink.events, ["begin 200", "end"], "redirect bodies never reach the sink");
  assert.equal(utf8Decode(sink.body(), 0, 3), "art");
  assert.deepEqual(outcome.result, { status: 200, url: "https://cdn.test:8443/final", bodyBytes: 3, attempts: 1, redirects: 3 });
  assert.deepEqual(
    host.network.connections.map((c) => `${c.secure ? "tls" : "tcp"} ${c.options.host}:${c.options.port}`),
    ["tcp vault.test:80", "tcp vault.test:80", "tls cdn.test:8443", "tls cdn.test:8443"],
  );
  assert.equal(server.exchanges.length, 4);
  assertQuiet(host);
});

test("redirect loops stop after 5 redirects; a redirect without Location is an error", async () => {
  const { host, server, client } = setup((exchange) => exchange.send(httpResponse(302, [`Location: /loop${exchange.index}`, "Content-Length: 0"])));
  const outcome = track(client.get(URL, recorder()));
  await host.timers.advance(0);
  assert.equal(outcome.error?.kind, "redirect");
  assert.match(outcome.error!.message, /more than 5 redirects/);
  assert.equal(server.exchanges.length, 6);
  const limited = track(client.get(URL, recorder(), { maximumRedirects: 0 }));
  await host.timers.advance(0);
  assert.equal(limited.error?.kind, "redirect");

  const bare = setup((exchange) => exchange.send(httpResponse(301, ["Content-Length: 0"])));
  const missing = track(bare.client.get(URL, recorder()));
  await bare.host.timers.advance(0);
  assert.equal(missing.error?.kind, "redirect");
  assert.equal(missing.error?.status, 301);
  assertQuiet(host);
  assertQuiet(bare.host);
});

test("503 then 200: retried after an exponential backoff on the clock, the sink sees one body", async () => {
  const { host, server, client } = setup((exchange) =>
    exchange.send(exchange.index === 0 ? httpResponse(503, ["Content-Length: 4"], "busy") : ok("fine")),
  );
  const sink = recorder();
  const outcome = track(client.get(URL, sink));
  await host.timers.advance(0);
  assert.equal(server.connections, 1);
  // Equal jitter: the first delay lies in [initial/2, initial] = [500, 1000] ms.
  const delay = host.timers.nextDueIn()!;
  assert.ok(delay >= 500 && delay <= 1000, `first retry after ${delay} ms`);
  await host.timers.advance(delay - 1);
  assert.equal(server.connections, 1);
  await host.timers.advance(1);
  assert.equal(server.connections, 2);
  assert.deepEqual(sink.events, ["begin 200", "end"]);
  assert.equal(outcome.result?.attempts, 2);
  assert.ok(host.log.has("503"), "the retry is logged");
  assertQuiet(host);
});

test("three 5xx answers: the delays double and the last status is reported", async () => {
  const { host, server, client } = setup((exchange) => exchange.send(httpResponse(500 + exchange.index, ["Content-Length: 0"])), { backoffInitialMs: 2000 });
  const outcome = track(client.get(URL, recorder()));
  await host.timers.advance(0);
  const first = host.timers.nextDueIn()!;
  await host.timers.advance(first);
  const second = host.timers.nextDueIn()!;
  assert.ok(first >= 1000 && first <= 2000, `first ${first}`);
  assert.ok(second >= 2000 && second <= 4000, `second ${second}`);
  await host.timers.advance(second);
  assert.equal(server.connections, 3);
  assert.equal(outcome.error?.kind, "status");
  assert.equal(outcome.error?.status, 502);
  assertQuiet(host);
});

test("404 is reported at once, without a retry and without touching the sink", async () => {
  const { host, server, client } = setup((exchange) => exchange.send(httpResponse(404, ["Content-Length: 9"], "not found")));
  const sink = recorder();
  const outcome = track(client.get(URL, sink));
  await host.timers.advance(0);
  assert.equal(outcome.error?.kind, "status");
  assert.equal(outcome.error?.status, 404);
  assert.equal(server.connections, 1);
  assert.deepEqual(sink.events, []);
  await host.timers.advance(60_000);
  assert.equal(server.connections, 1);
  assertQuiet(host);
});

test("429 with Retry-After waits that long; a huge Retry-After is capped", async () => {
  for (const [retryAfter, expected] of [["5", 5000], ["86400", 30_000]] as const) {
    const { host, server, client } = setup((exchange) =>
      exchange.send(exchange.index === 0 ? httpResponse(429, [`Retry-After: ${retryAfter}`, "Content-Length: 0"]) : ok("ok")),
    );
    const outcome = track(client.get(URL, recorder()));
    await host.timers.advance(expected - 1);
    assert.equal(server.connections, 1, `Retry-After ${retryAfter}`);
    await host.timers.advance(1);
    assert.equal(server.connections, 2, `Retry-After ${retryAfter}`);
    assert.equal(outcome.result?.status, 200);
    assertQuiet(host);
  }
  // Given up after the last attempt: the error carries the server's wish for the caller.
  const { host, client } = setup((exchange) => exchange.send(httpResponse(429, ["Retry-After: 60", "Content-Length: 0"])), { attempts: 1 });
  const outcome = track(client.get(URL, recorder()));
  await host.timers.advance(0);
  assert.equal(outcome.error?.retryAfterMs, 60_000);
});

test("connection failures: refused and DNS errors are retried, TLS errors are not", async () => {
  // The kind comes from the cause the host reports, whatever its text says.
  const cases: [string, SocketErrorCause, string, number][] = [
    ["ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:80", "network", "connect", 3],
    ["ENOTFOUND: getaddrinfo ENOTFOUND vault.test", "dns", "dns", 3],
    ["ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames", "tls", "tls", 1],
    ["handshake failed: connection closed", "tls", "tls", 1],
    ["certificate-shaped words in a network failure", "network", "connect", 3],
  ];
  for (const [reason, cause, kind, connections] of cases) {
    const { host, server, client } = setup(() => {}, {}, () => ({ refuse: reason, cause }));
    const outcome = track(client.get(URL, recorder()));
    await host.timers.advance(60_000);
    assert.equal(outcome.error?.kind, kind, reason);
    assert.match(outcome.error!.message, new RegExp(reason.slice(0, 10)));
    assert.equal(server.connections, connections, reason);
    assertQuiet(host);
  }
});

test("connect timeout: a server that never accepts is given up on, attempt by attempt", async () => {
  const { host, server, client } = setup(() => {}, { connectTimeoutMs: 5000 }, () => "hang");
  const outcome = track(client.get(URL, recorder()));
  await host.timers.advance(4999);
  assert.equal(outcome.settled, false);
  await host.timers.advance(30_000);
  assert.equal(outcome.error?.kind, "timeout");
  assert.match(outcome.error!.message, /not connected to vault.test within 5000 ms/);
  assert.equal(server.connections, 3);
  assertQuiet(host);
});

test("idle timeout mid-body: the sink is aborted (retrying), then the retry delivers the whole body", async () => {
  const body = patternBytes(2000, 4);
  const { host, client } = setup((exchange) => {
    if (exchange.index === 0) exchange.send(ok(body).subarray(0, 1000)); // then silence
    else exchange.send(ok(body));
  });
  const sink = recorder();
  const outcome = track(client.get(URL, sink));
  await host.timers.advance(14_999);
  assert.deepEqual(sink.events, ["begin 200"]);
  await host.timers.advance(1);
  assert.deepEqual(sink.events, ["begin 200", "abort timeout retrying"]);
  await host.timers.advance(1000);
  assert.deepEqual(sink.events, ["begin 200", "abort timeout retrying", "begin 200", "end"]);
  assert.deepEqual(sink.body(), body);
  assert.equal(outcome.result?.attempts, 2);
  assertQuiet(host);
});

test("a slow but steady server is not idle; the total timeout still ends it", async () => {
  let exchange: Exchange | undefined;
  const { host, client } = setup((e) => {
    exchange = e;
    e.send(httpResponse(200, ["Content-Length: 1000"]));
  }, { idleTimeoutMs: 10_000, totalTimeoutMs: 60_000 });
  const sink = recorder();
  const outcome = track(client.get(URL, sink));
  for (let second = 5; second < 60; second += 5) {
    await host.timers.advance(5000);
    exchange!.send("x");
  }
  assert.equal(outcome.settled, false, "bytes every 5 s keep an idle timeout of 10 s away");
  await host.timers.advance(5000);
  assert.equal(outcome.error?.kind, "timeout");
  assert.match(outcome.error!.message, /within 60000 ms/);
  assert.deepEqual(sink.events, ["begin 200", "abort timeout final"]);
  assertQuiet(host);
});

test("a body cut short is 'truncated': retried with the sink reset each time, then reported", async () => {
  const { host, server, client } = setup((exchange) => {
    exchange.send(ok(patternBytes(100)).subarray(0, 80));
    exchange.close();
  });
  const sink = recorder();
  const outcome = track(client.get(URL, sink));
  await host.timers.advance(60_000);
  assert.equal(outcome.error?.kind, "truncated");
  assert.match(outcome.error!.message, /after 40 of 100 body bytes/);
  assert.equal(server.connections, 3);
  assert.deepEqual(sink.events, ["begin 200", "abort truncated retrying", "begin 200", "abort truncated retrying", "begin 200", "abort truncated final"]);
  assertQuiet(host);
});

test("chunked body cut before the final chunk, and a server closing before answering, are truncated", async () => {
  for (const respond of [
    (exchange: Exchange) => {
      exchange.send(concatBytes([httpResponse(200, ["Transfer-Encoding: chunked"]), chunked(["abc"]).subarray(0, 8)]));
      exchange.close();
    },
    (exchange: Exchange) => exchange.close(),
  ]) {
    const { host, client } = setup(respond, { attempts: 1 });
    const outcome = track(client.get(URL, recorder()));
    await host.timers.advance(0);
    assert.equal(outcome.error?.kind, "truncated");
    assertQuiet(host);
  }
});

test("the size cap: a large Content-Length is refused before reading; chunked and close-delimited bodies are cut off", async () => {
  const announced = setup((exchange) => exchange.send(httpResponse(200, ["Content-Length: 5242881"])));
  const sink = recorder();
  const outcome = track(announced.client.get(URL, sink));
  await announced.host.timers.advance(0);
  assert.equal(outcome.error?.kind, "too_large");
  assert.deepEqual(sink.events, [], "refused before begin");
  assert.equal(announced.server.connections, 1, "not retried");
  assertQuiet(announced.host);

  for (const framing of ["chunked", "close"]) {
    const { host, server, client } = setup((exchange) => {
      if (framing === "chunked") exchange.send(concatBytes([httpResponse(200, ["Transfer-Encoding: chunked"]), chunked([patternBytes(600), patternBytes(600)])]));
      else exchange.send(httpResponse(200, [], patternBytes(1200)), 500);
    }, { maximumBodyBytes: 1000 });
    const cut = recorder();
    const result = track(client.get(URL, cut));
    await host.timers.advance(0);
    assert.equal(result.error?.kind, "too_large", framing);
    assert.deepEqual(cut.events, ["begin 200", "abort too_large final"], framing);
    assert.ok(cut.body().length <= 1000, `${framing}: ${cut.body().length} bytes passed on`);
    assert.equal(server.connections, 1);
    assertQuiet(host);
  }
});

test("malformed responses and encoded bodies are protocol errors, never retried", async () => {
  for (const raw of ["HTTP/1.1 2xx OK\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc"]) {
    const { host, server, client } = setup((exchange) => exchange.send(raw));
    const outcome = track(client.get(URL, recorder()));
    await host.timers.advance(10_000);
    assert.equal(outcome.error?.kind, "protocol", raw);
    assert.equal(server.connections, 1);
    assertQuiet(host);
  }
});

test("cancel mid-body aborts the sink, closes the connection and rejects with 'aborted'", async () => {
  const { host, client } = setup((exchange) => exchange.send(ok(patternBytes(5000)).subarray(0, 3000)));
  const sink = recorder();
  const request = client.get(URL, sink);
  const outcome = track(request);
  await host.timers.advance(100);
  request.cancel();
  await host.timers.advance(0);
  assert.equal(outcome.error?.kind, "aborted");
  assert.deepEqual(sink.events, ["begin 200", "abort aborted final"]);
  request.cancel(); // harmless afterwards
  assertQuiet(host);
});

test("a sink may cancel from inside data; a sink that throws ends the request as 'aborted'", async () => {
  const { host, client } = setup((exchange) => exchange.send(ok(patternBytes(5000)), 100), { readBufferBytes: 100 });
  let request: HttpRequest | undefined;
  const sink = recorder(() => request!.cancel());
  request = client.get(URL, sink);
  const outcome = track(request);
  await host.timers.advance(0);
  assert.equal(outcome.error?.kind, "aborted");
  assert.equal(sink.chunkSizes.length, 1, "no data after the cancel");
  assertQuiet(host);

  const throwing = recorder(() => {
    throw new Error("decoder says no");
  });
  const failed = track(client.get(URL, throwing));
  await host.timers.advance(0);
  assert.equal(failed.error?.kind, "aborted");
  assert.match(failed.error!.message, /decoder says no/);
  assert.deepEqual(throwing.events, ["begin 200", "abort aborted final"]);
  assertQuiet(host);
});

test("one request at a time per client; bad URLs fail without connecting", async () => {
  const { host, client } = setup((exchange) => exchange.send(ok("1")));
  const first = track(client.get(URL, recorder()));
  const second = track(client.get(URL, recorder()));
  const bad = track(client.get("gopher://x/", recorder()));
  await host.timers.advance(0);
  assert.equal(first.result?.status, 200);
  assert.equal(second.error?.kind, "busy");
  assert.equal(bad.error?.kind, "busy");
  const badAlone = track(client.get("gopher://x/", recorder()));
  await host.timers.advance(0);
  assert.equal(badAlone.error?.kind, "url");
  assert.equal(host.network.connections.length, 1);
  assertQuiet(host);
});

test("a sink may start the next download from inside end or a final abort", async () => {
  const { host, server, client } = setup((exchange) => {
    // Stray bytes after the first message, in the same read: they must not reach the next request.
    if (exchange.request.startsWith("GET /first")) exchange.send(concatBytes([ok("one"), httpResponse(500, ["Content-Length: 0"])]));
    else if (exchange.request.startsWith("GET /cut")) {
      exchange.send(httpResponse(200, ["Content-Length: 10"], "abc"));
      exchange.close();
    } else exchange.send(ok("fallback"));
  }, { attempts: 1 });
  const second = recorder();
  const third = recorder();
  let chained: Outcome | undefined;
  let fallback: Outcome | undefined;
  const first = recorder();
  first.end = () => {
    first.events.push("end");
    chained = track(client.get("http://vault.test/cut", second));
  };
  second.abort = (error, retrying) => {
    second.events.push(`abort ${error.kind} ${retrying ? "retrying" : "final"}`);
    fallback = track(client.get("http://vault.test/other", third));
  };
  const outcome = track(client.get("http://vault.test/first", first));
  await host.timers.advance(0);
  assert.equal(outcome.result?.bodyBytes, 3);
  assert.equal(chained?.error?.kind, "truncated");
  assert.deepEqual(second.events, ["begin 200", "abort truncated final"]);
  assert.equal(fallback?.result?.bodyBytes, 8);
  assert.deepEqual(third.events, ["begin 200", "end"]);
  assert.equal(server.exchanges.length, 3);
  assertQuiet(host);
});
