// The artwork vault: the catalogue's files over plain HTTP and over HTTPS, at
// /{storage_shard}/{storage_key}.{ext}, immutable cache headers, 404 for a missing rendition.

import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const CERT_SCRIPT = fileURLToPath(new URL("../../../certs/make-dev-certs.sh", import.meta.url));

const CONTENT_TYPES: { [ext: string]: string } = { png: "image/png", gif: "image/gif", webp: "image/webp", bmp: "image/bmp" };
/** shard levels ("24/07", "a4/47/ee", or none), then {uuid}.{ext}. */
const FILE_PATH = /^\/(?:[0-9a-z]{1,8}\/){0,4}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(png|gif|webp|bmp)$/;

export interface VaultTls {
  /** Server certificate (PEM) valid for localhost / 127.0.0.1, and its key. */
  cert: string;
  key: string;
  /** The CA that signed it: what a client must trust. */
  ca: string;
}

export interface VaultRequest {
  scheme: "http" | "https";
  path: string;
  status: number;
}

export interface Vault {
  httpUrl: string;
  httpsUrl: string;
  caPem: string;
  log: VaultRequest[];
  close(): Promise<void>;
}

/** The CA and server certificate of a certs/make-dev-certs.sh folder (e.g. the local broker's). */
export function tlsFromCertsDir(dir: string): VaultTls {
  return { cert: readFileSync(join(dir, "broker.crt"), "utf8"), key: readFileSync(join(dir, "broker.key"), "utf8"), ca: readFileSync(join(dir, "ca.crt"), "utf8") };
}

/** A fresh dev CA and server certificate (2048-bit: quick), made by certs/make-dev-certs.sh. */
export function makeDevTls(): VaultTls {
  const dir = mkdtempSync(join(tmpdir(), "makapix-vault-certs-"));
  try {
    const result = spawnSync("bash", [CERT_SCRIPT, "ca", join(dir, "certs")], { encoding: "utf8", env: { ...process.env, DEV_CERT_BITS: "2048" } });
    if (result.status !== 0) throw new Error(`certificate script failed: ${result.stderr}`);
    return tlsFromCertsDir(join(dir, "certs"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startVault(options: { root: string; tls: VaultTls; host?: string; httpPort?: number; httpsPort?: number }): Promise<Vault> {
  const root = resolve(options.root);
  const host = options.host ?? "127.0.0.1";
  const log: VaultRequest[] = [];
  const handler = (scheme: "http" | "https") => (request: IncomingMessage, response: ServerResponse) => {
    const status = serveFile(root, request, response);
    log.push({ scheme, path: (request.url ?? "").split("?")[0]!, status });
    if (log.length > 2000) log.splice(0, 1000);
  };
  const http = createHttpServer(handler("http"));
  // The whole chain, as the real vault (and Mosquitto) sends it: the Moddable SDK's TLS client checks the
  // server name only while it walks a chain, so a leaf certificate alone is refused there.
  const https = createHttpsServer({ cert: `${options.tls.cert.trimEnd()}\n${options.tls.ca}`, key: options.tls.key }, handler("https"));
  const httpPort = await listen(http, host, options.httpPort ?? 0);
  const httpsPort = await listen(https, host, options.httpsPort ?? 0);
  const name = host === "127.0.0.1" ? "localhost" : host;
  return {
    httpUrl: `http://${name}:${httpPort}`,
    httpsUrl: `https://${name}:${httpsPort}`,
    caPem: options.tls.ca,
    log,
    close: async () => {
      await Promise.all([closeServer(http), closeServer(https)]);
    },
  };
}

function serveFile(root: string, request: IncomingMessage, response: ServerResponse): number {
  let path: string;
  try {
    path = decodeURIComponent((request.url ?? "/").split("?")[0]!).replace(/^\/+/, "/");
  } catch {
    return finish(response, 400, "bad path\n");
  }
  if (request.method !== "GET" && request.method !== "HEAD") return finish(response, 405, "method not allowed\n", { Allow: "GET, HEAD" });
  const match = FILE_PATH.exec(path);
  const file = match ? resolve(root, "." + path) : undefined;
  if (!match || !file || !file.startsWith(root + sep)) return finish(response, 404, "not found\n");
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return finish(response, 404, "not found\n");
  }
  const etag = `"${path.slice(path.lastIndexOf("/") + 1)}-${size}"`;
  const headers = {
    "Content-Type": CONTENT_TYPES[match[1]!]!,
    // Files never change: a replaced artwork gets a new storage key.
    "Cache-Control": "public, max-age=31536000, immutable",
    ETag: etag,
    "Access-Control-Allow-Origin": "*",
  };
  if (request.headers["if-none-match"] === etag) {
    response.writeHead(304, headers).end();
    return 304;
  }
  response.writeHead(200, { ...headers, "Content-Length": String(size) });
  if (request.method === "HEAD") response.end();
  else createReadStream(file).pipe(response);
  return 200;
}

function finish(response: ServerResponse, status: number, body: string, headers: { [name: string]: string } = {}): number {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(Buffer.byteLength(body)), ...headers });
  response.end(body);
  return status;
}

export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      done((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    if (!server.listening) return done();
    server.close(() => done());
    server.closeAllConnections();
  });
}
