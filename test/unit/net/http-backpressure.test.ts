// The HTTP client over a socket with a small send window that throws "would block" when written past
// the room it reported (the Moddable lwIP socket's behaviour, and the TLS socket's on top of it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpClient } from "../../../src/net/http.js";
import { concatBytes } from "../../support/bytes.js";
import { ScriptedHttpServer, httpResponse, patternBytes } from "../../support/scripted-http.js";
import { createVirtualHost } from "../../support/virtual-host.js";

function collect() {
  const parts: Uint8Array[] = [];
  return {
    body: () => concatBytes(parts),
    begin() {},
    data(chunk: Uint8Array) {
      parts.push(chunk.slice());
    },
    end() {},
    abort() {},
  };
}

test("a request head 100 times the socket's window arrives whole over http and https; the body follows", async () => {
  for (const scheme of ["http", "https"]) {
    const host = createVirtualHost(5);
    host.network.writableBytes = 16;
    const body = patternBytes(3000);
    const server = new ScriptedHttpServer(host, { respond: (exchange) => exchange.send(httpResponse(200, [`Content-Length: ${body.length}`], body), 500) });
    const client = new HttpClient(host, { ca: "TEST CA PEM", attempts: 1 });
    const path = `/ab/cd/${"k".repeat(1500)}.png`;
    const sink = collect();
    const request = client.get(`${scheme}://vault.test${path}`, sink);
    for (let i = 0; i < 20 && server.exchanges.length === 0; i++) await host.timers.advance(0);
    const result = await request.result;
    assert.equal(result.attempts, 1, scheme);
    assert.equal(server.connections, 1, `${scheme}: one connection`);
    assert.equal(
      server.exchanges[0]!.request,
      `GET ${path} HTTP/1.1\r\nHost: vault.test\r\nUser-Agent: MakapixPlayer/0.1\r\nAccept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n`,
    );
    assert.deepEqual(sink.body(), body);
    const connection = host.network.connections[0]!;
    assert.equal(connection.secure, scheme === "https");
    assert.ok(connection.writeSizes.length >= 100, `${connection.writeSizes.length} writes`);
    assert.ok(connection.writeSizes.every((size) => size <= 16), "no write larger than the window");
  }
});

test("a socket that stops draining mid-request: the idle timeout ends the attempt, the retry succeeds", async () => {
  const host = createVirtualHost(5);
  host.network.writableBytes = 16;
  const server = new ScriptedHttpServer(host, { respond: (exchange) => exchange.send(httpResponse(200, ["Content-Length: 2"], "ok")) });
  const attach = host.network.onConnection;
  host.network.onConnection = (connection) => {
    if (host.network.connections.length === 1) connection.pauseDraining(); // the first link stalls
    return attach(connection);
  };
  const client = new HttpClient(host, { ca: "TEST CA PEM", attempts: 2, idleTimeoutMs: 5000, backoffInitialMs: 100 });
  const sink = collect();
  const request = client.get("http://vault.test/a/b.png", sink);
  let failure: unknown;
  request.result.catch((error: unknown) => (failure = error));
  await host.timers.advance(4000);
  assert.deepEqual(host.network.connections[0]!.writeSizes, [16], "only what the window took");
  assert.equal(server.exchanges.length, 0);
  await host.timers.advance(1200);
  await host.timers.advance(200);
  const result = await request.result;
  assert.equal(failure, undefined);
  assert.equal(result.attempts, 2);
  assert.equal(server.exchanges.length, 1);
  assert.ok(host.log.has("no data from vault.test for 5000 ms"), host.log.lines.join("\n"));
});
