// The HTTP client's POST and API mode: the request line, extra headers and body on the wire, any
// status handed to the sink with its body (an API's {"detail": …}) and Retry-After, redirects of a
// POST, and refusals of header injection and of a request too big for the head buffer.

import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpClient, type HttpResponseInfo, type HttpSink } from "../../../src/net/http.js";
import { HttpError } from "../../../src/net/errors.js";
import { utf8Decode, utf8Encode } from "../../../src/util/utf8.js";
import { ScriptedHttpServer, httpResponse, type Exchange } from "../../support/scripted-http.js";
import { createVirtualHost } from "../../support/virtual-host.js";

function setup(respond: (exchange: Exchange) => void, headBufferBytes?: number) {
  const host = createVirtualHost(5);
  const server = new ScriptedHttpServer(host, { respond });
  const client = new HttpClient(host, { ca: "TEST CA", ...(headBufferBytes ? { headBufferBytes } : {}) });
  return { host, server, client };
}

function textSink(): HttpSink & { info?: HttpResponseInfo; text: string; aborted?: HttpError } {
  const sink = {
    text: "",
    info: undefined as HttpResponseInfo | undefined,
    aborted: undefined as HttpError | undefined,
    begin(info: HttpResponseInfo) {
      sink.info = info;
      sink.text = "";
    },
    data(chunk: Uint8Array) {
      sink.text += utf8Decode(chunk, 0, chunk.length);
    },
    end() {},
    abort(error: HttpError) {
      sink.aborted = error;
    },
  };
  return sink;
}

const json = (status: number, body: string, extra: string[] = []) => httpResponse(status, ["Content-Type: application/json", `Content-Length: ${body.length}`, ...extra], body);

test("a POST carries its method, extra headers, Content-Type, Content-Length and body", async () => {
  const { host, server, client } = setup((exchange) => exchange.send(json(201, '{"ok":true}')));
  const sink = textSink();
  const request = client.request("https://api.test/api/player/provision", { method: "POST", headers: ["Authorization: Bearer tok"], body: utf8Encode('{"a":1}') }, sink);
  await host.timers.advance(10);
  const result = await request.result;
  const head = server.exchanges[0]!.request;
  assert.ok(head.startsWith("POST /api/player/provision HTTP/1.1\r\nHost: api.test\r\n"), head);
  assert.match(head, /\r\nAuthorization: Bearer tok\r\n/);
  assert.match(head, /\r\nContent-Type: application\/json\r\nContent-Length: 7\r\n/);
  assert.equal(server.exchanges[0]!.body, '{"a":1}');
  assert.equal(result.status, 201);
  assert.equal(sink.text, '{"ok":true}');
  assert.ok(server.exchanges[0]!.connection.secure);
});

test("a POST without a body says Content-Length: 0; a GET says nothing about length", async () => {
  const { host, server, client } = setup((exchange) => exchange.send(json(200, "{}")));
  const post = client.request("http://api.test/rotate", { method: "POST" }, textSink());
  await host.timers.advance(10);
  await post.result;
  assert.match(server.exchanges[0]!.request, /\r\nContent-Length: 0\r\n/);
  const get = client.request("http://api.test/feed", {}, textSink());
  await host.timers.advance(10);
  await get.result;
  assert.ok(server.exchanges[1]!.request.startsWith("GET /feed "));
  assert.doesNotMatch(server.exchanges[1]!.request, /Content-Length/);
});

test("anyStatus: a 404 and a 429 reach the sink with their bodies and Retry-After, unretried", async () => {
  let next = 0;
  const { host, server, client } = setup((exchange) =>
    exchange.send(next++ === 0 ? json(404, '{"detail":"Player not found or not registered"}') : json(429, '{"detail":"slow down"}', ["Retry-After: 60"])),
  );
  const sink = textSink();
  const first = client.request("http://api.test/player/k/credentials", { anyStatus: true }, sink);
  await host.timers.advance(10);
  assert.equal((await first.result).status, 404);
  assert.equal(sink.info!.status, 404);
  assert.equal(sink.text, '{"detail":"Player not found or not registered"}');
  const second = client.request("http://api.test/player/k/credentials", { anyStatus: true }, sink);
  await host.timers.advance(10);
  assert.equal((await second.result).status, 429);
  assert.equal(sink.info!.retryAfterMs, 60_000);
  assert.equal(server.exchanges.length, 2, "a 429 is not retried in anyStatus mode");
});

test("without anyStatus a 404 is still an HttpError of kind status", async () => {
  const { host, client } = setup((exchange) => exchange.send(json(404, '{"detail":"no"}')));
  const request = client.request("http://api.test/x", { method: "POST" }, textSink());
  await host.timers.advance(10);
  await assert.rejects(request.result, (error: unknown) => error instanceof HttpError && error.kind === "status" && error.status === 404);
});

test("a 303 turns a POST into a GET without body; a 307 repeats the POST with its body", async () => {
  const { host, server, client } = setup((exchange) => {
    if (exchange.request.startsWith("POST /see-other")) exchange.send(httpResponse(303, ["Location: /result", "Content-Length: 0"]));
    else if (exchange.request.startsWith("POST /temporary")) exchange.send(httpResponse(307, ["Location: /again", "Content-Length: 0"]));
    else exchange.send(json(200, `{"seen":"${exchange.request.slice(0, 4).trim()} ${exchange.body}"}`));
  });
  const a = textSink();
  const first = client.request("http://api.test/see-other", { method: "POST", body: utf8Encode("x=1") }, a);
  await host.timers.advance(10);
  await first.result;
  assert.equal(a.text, '{"seen":"GET "}');
  assert.doesNotMatch(server.exchanges[1]!.request, /Content-Length/);
  const b = textSink();
  const second = client.request("http://api.test/temporary", { method: "POST", body: utf8Encode("x=2") }, b);
  await host.timers.advance(10);
  await second.result;
  assert.equal(b.text, '{"seen":"POST x=2"}');
});

test("header injection and a body larger than the head buffer are refused before connecting", async () => {
  const { host, server, client } = setup((exchange) => exchange.send(json(200, "{}")), 256);
  for (const headers of [["X-Evil: a\r\nHost: other"], ["no colon"], [": empty name"]]) {
    const request = client.request("http://api.test/x", { method: "POST", headers }, textSink());
    await host.timers.advance(1);
    await assert.rejects(request.result, (error: unknown) => error instanceof HttpError && error.kind === "url");
  }
  const big = client.request("http://api.test/x", { method: "POST", body: new Uint8Array(300) }, textSink());
  await host.timers.advance(10);
  await assert.rejects(big.result, (error: unknown) => error instanceof HttpError && error.kind === "url" && /longer than 256/.test(error.message));
  assert.equal(server.exchanges.length, 0);
});
