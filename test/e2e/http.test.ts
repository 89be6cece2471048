// The HTTP client on the real Node host against real node:http and node:https servers (certificates
// from certs/make-dev-certs.sh in a temp folder): large bodies, chunked bodies, a redirect from http
// to https, a 404, a server dropping mid-body, and a CA that did not sign the server's certificate.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpClient, type HttpClientOptions, type HttpSink } from "../../src/net/http.js";
import { HttpError } from "../../src/net/errors.js";
import { createNodeHost, NodeLog, type NodeHost } from "../../hosts/node/host.js";

const MiB = 1024 * 1024;
const bigBody = randomBytes(MiB);
const hits = new Map<string, number>();
const requestHeaders = new Map<string, IncomingMessage["headers"]>();
let certDir = "";
let otherCaDir = "";
let caPem = "";
let otherCaPem = "";
let httpServer: Server;
let httpsServer: Server;
let httpPort = 0;
let httpsPort = 0;
const hosts: NodeHost[] = [];

function route(request: IncomingMessage, response: ServerResponse): void {
  const path = request.url ?? "/";
  hits.set(path, (hits.get(path) ?? 0) + 1);
  requestHeaders.set(path, request.headers);
  if (path === "/big") {
    response.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": MiB });
    for (let at = 0; at < MiB; at += 64 * 1024) response.write(bigBody.subarray(at, at + 64 * 1024));
    response.end();
  } else if (path === "/chunked") {
    response.writeHead(200, { "Content-Type": "image/gif" }); // no length: Node sends it chunked
    for (let part = 0; part < 40; part++) response.write(bigBody.subarray(part * 1000, part * 1000 + 1000));
    response.end();
  } else if (path === "/to-https") {
    response.writeHead(302, { Location: `https://localhost:${httpsPort}/big` });
    response.end("see there");
  } else if (path === "/missing") {
    response.writeHead(404, { "Content-Type": "application/json" });
    response.end('{"detail":"Not Found"}');
  } else if (path === "/drop") {
    response.writeHead(200, { "Content-Length": 200_000 });
    response.write(bigBody.subarray(0, 100_000), () => response.socket?.destroy());
  } else if (path === "/flaky") {
    if (hits.get(path) === 1) {
      response.writeHead(503, { "Retry-After": "0", "Content-Length": 0 });
      response.end();
    } else {
      response.writeHead(200, { "Content-Length": 2 });
      response.end("ok");
    }
  } else {
    response.writeHead(500);
    response.end();
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

before(async () => {
  // Run from build/test/e2e/ (the transpiled copy), three levels below the project root.
  const script = fileURLToPath(new URL("../../../certs/make-dev-certs.sh", import.meta.url));
  const env = { ...process.env, DEV_CERT_BITS: "2048" };
  certDir = mkdtempSync(join(tmpdir(), "http-e2e-"));
  otherCaDir = mkdtempSync(join(tmpdir(), "http-e2e-other-"));
  execFileSync("bash", [script, "ca", certDir], { env, stdio: "ignore" });
  execFileSync("bash", [script, "ca", otherCaDir], { env, stdio: "ignore" });
  caPem = readFileSync(join(certDir, "ca.crt"), "utf8");
  otherCaPem = readFileSync(join(otherCaDir, "ca.crt"), "utf8");
  httpServer = createHttpServer(route);
  httpsServer = createHttpsServer({ cert: readFileSync(join(certDir, "broker.crt")), key: readFileSync(join(certDir, "broker.key")) }, route);
  httpPort = await listen(httpServer);
  httpsPort = await listen(httpsServer);
});

after(async () => {
  for (const server of [httpServer, httpsServer]) {
    if (!server) continue;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  for (const host of hosts) assert.equal(host.timers.pending, 0, "a Node timer was left pending");
  if (certDir) rmSync(certDir, { recursive: true, force: true });
  if (otherCaDir) rmSync(otherCaDir, { recursive: true, force: true });
});

function client(options: HttpClientOptions = {}) {
  const lines: string[] = [];
  const host = createNodeHost(new NodeLog("debug", (line) => lines.push(line)));
  hosts.push(host);
  return new HttpClient(host, { ca: caPem, backoffInitialMs: 50, ...options });
}

function collector(): HttpSink & { parts: Buffer[]; sizes: number[]; events: string[]; body(): Buffer } {
  const sink = {
    parts: [] as Buffer[],
    sizes: [] as number[],
    events: [] as string[],
    body: () => Buffer.concat(sink.parts),
    begin(info: { status: number }) {
      sink.parts = [];
      sink.events.push(`begin ${info.status}`);
    },
    data(chunk: Uint8Array) {
      sink.sizes.push(chunk.length);
      sink.parts.push(Buffer.from(chunk));
    },
    end() {
      sink.events.push("end");
    },
    abort(error: HttpError, retrying: boolean) {
      sink.events.push(`abort ${error.kind} ${retrying ? "retrying" : "final"}`);
    },
  };
  return sink;
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, String(error));
    return error;
  }
  assert.fail("the request succeeded");
}

test("a 1 MiB body arrives intact over http and https, in chunks no larger than the read buffer", async (t) => {
  for (const url of [`http://127.0.0.1:${httpPort}/big`, `https://localhost:${httpsPort}/big`]) {
    const sink = collector();
    const started = performance.now();
    const result = await client({ readBufferBytes: 4096 }).get(url, sink).result;
    const ms = performance.now() - started;
    assert.equal(result.bodyBytes, MiB, url);
    assert.ok(sink.body().equals(bigBody), `${url}: body differs`);
    assert.ok(Math.max(...sink.sizes) <= 4096, `${url}: largest chunk ${Math.max(...sink.sizes)}`);
    assert.ok(sink.sizes.length >= 256, `${url}: ${sink.sizes.length} chunks`);
    assert.deepEqual(sink.events, ["begin 200", "end"]);
    t.diagnostic(`${url.split(":")[0]}: 1 MiB in ${ms.toFixed(0)} ms, ${sink.sizes.length} chunks`);
  }
  const headers = requestHeaders.get("/big")!;
  assert.equal(headers["accept-encoding"], "identity");
  assert.equal(headers.connection, "close");
  assert.equal(headers.host, `localhost:${httpsPort}`);
  assert.match(headers["user-agent"] ?? "", /^MakapixPlayer\//);
});

test("a chunked response (Node's own framing) arrives intact", async () => {
  for (const url of [`http://127.0.0.1:${httpPort}/chunked`, `https://localhost:${httpsPort}/chunked`]) {
    const sink = collector();
    const result = await client().get(url, sink).result;
    assert.equal(result.bodyBytes, 40_000);
    assert.ok(sink.body().equals(bigBody.subarray(0, 40_000)), url);
  }
});

test("a redirect from http to https is followed", async () => {
  const sink = collector();
  const result = await client().get(`http://127.0.0.1:${httpPort}/to-https`, sink).result;
  assert.equal(result.url, `https://localhost:${httpsPort}/big`);
  assert.equal(result.redirects, 1);
  assert.ok(sink.body().equals(bigBody));
});

test("404 is reported at once, without a retry", async () => {
  const started = performance.now();
  const sink = collector();
  const error = await failure(client({ backoffInitialMs: 5000 }).get(`http://127.0.0.1:${httpPort}/missing`, sink).result);
  assert.equal(error.kind, "status");
  assert.equal(error.status, 404);
  assert.equal(hits.get("/missing"), 1);
  assert.deepEqual(sink.events, []);
  assert.ok(performance.now() - started < 2000);
});

test("503 with Retry-After: 0, then 200", async () => {
  const result = await client().get(`http://127.0.0.1:${httpPort}/flaky`, collector()).result;
  assert.equal(result.attempts, 2);
  assert.equal(hits.get("/flaky"), 2);
});

test("a server dropping the connection mid-body: truncated, every attempt aborting the sink", async () => {
  const sink = collector();
  const error = await failure(client().get(`http://127.0.0.1:${httpPort}/drop`, sink).result);
  assert.equal(error.kind, "truncated");
  assert.match(error.message, /of 200000 body bytes/);
  assert.equal(hits.get("/drop"), 3);
  assert.deepEqual(sink.events, ["begin 200", "abort truncated retrying", "begin 200", "abort truncated retrying", "begin 200", "abort truncated final"]);
});

test("a CA that did not sign the server's certificate: tls error, not retried", async () => {
  const before = hits.get("/big") ?? 0;
  const error = await failure(client({ ca: otherCaPem }).get(`https://localhost:${httpsPort}/big`, collector()).result);
  assert.equal(error.kind, "tls");
  assert.match(error.message, /certificate|verify|self.signed/i);
  assert.equal(hits.get("/big") ?? 0, before);
});

test("nothing listening: a connect error after the retries", async () => {
  const closed = createHttpServer();
  const port = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const error = await failure(client().get(`http://127.0.0.1:${port}/`, collector()).result);
  assert.equal(error.kind, "connect");
  assert.match(error.message, /ECONNREFUSED/);
});
