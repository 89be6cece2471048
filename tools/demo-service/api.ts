// The demo's HTTPS API (and the same routes over plain HTTP, for a browser without the dev CA):
//   POST /api/player/provision                {device_model, firmware_version} → 201 code, key, broker
//   GET  /api/player/{key}/credentials        404 until registered; 200 PEMs, broker, api_token
//   POST /api/player/register                 {registration_code, name} as the demo user → 201
//   POST /api/player/renew-cert               Authorization: Bearer → 200 new cert/key/ca/cert_expires_at
//   POST /api/player/{key}/token/rotate       → 200 {api_token, rotated_at}
//   GET  /api/feed/promoted?limit&cursor      → {items: [Post], next_cursor}
//   GET  /register                            the "Add device" page where the owner types the code
// Errors are `{"detail": …}` like the service's (FastAPI). The TLS setup is the vault's: the broker's
// certs folder, so the device trusts one CA for broker, vault and API.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Catalogue } from "./catalogue.js";
import type { ArtworkPost } from "./catalogue-data.js";
import type { Lifecycle } from "./lifecycle.js";
import { artUrl, queryPosts, type PostSource } from "./posts.js";
import { RpcError } from "./rpc-error.js";
import { canonicalUuid, isUuid } from "./validate.js";
import { closeServer, listen, type VaultTls } from "./vault.js";

export interface ApiServer {
  /** e.g. https://localhost:PORT/api */
  httpsBase: string;
  httpBase: string;
  /** The register page over plain HTTP. */
  registerPageUrl: string;
  log: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

export interface ApiOptions {
  lifecycle: Lifecycle;
  postSource: PostSource;
  /** Who registers devices on the demo website (the catalogue owner). */
  owner: string;
  tls: VaultTls;
  httpPort?: number;
  httpsPort?: number;
}

const MAXIMUM_BODY_BYTES = 16 * 1024;

export async function startApi(options: ApiOptions): Promise<ApiServer> {
  const log: ApiServer["log"] = [];
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    void route(options, request, response)
      .catch((error: Error) => send(response, 500, { detail: `internal error: ${error.message}` }))
      .finally(() => {
        log.push({ method: request.method ?? "?", path: (request.url ?? "").split("?")[0]!.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, "{key}"), status: response.statusCode });
        if (log.length > 2000) log.splice(0, 1000);
      });
  };
  const http: Server = createHttpServer(handler);
  // The whole chain, as the vault sends it (vault.ts): the Moddable SDK's TLS client refuses a leaf alone.
  const https: Server = createHttpsServer({ cert: `${options.tls.cert.trimEnd()}\n${options.tls.ca}`, key: options.tls.key }, handler);
  const httpPort = await listen(http, "127.0.0.1", options.httpPort ?? 0);
  const httpsPort = await listen(https, "127.0.0.1", options.httpsPort ?? 0);
  return {
    httpsBase: `https://localhost:${httpsPort}/api`,
    httpBase: `http://127.0.0.1:${httpPort}/api`,
    registerPageUrl: `http://127.0.0.1:${httpPort}/register`,
    log,
    close: async () => {
      await Promise.all([closeServer(http), closeServer(https)]);
    },
  };
}

async function route(options: ApiOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const path = url.pathname;
  const method = request.method ?? "GET";
  const ip = request.socket.remoteAddress ?? "unknown";
  const { lifecycle } = options;
  if (method === "GET" && (path === "/register" || path === "/")) return sendHtml(response, REGISTER_PAGE);
  if (method === "GET" && path === "/api/feed/promoted") return send(response, ...promotedFeed(options, url));
  const parts = path.split("/").filter(Boolean);
  if (parts[0] !== "api" || parts[1] !== "player") return send(response, 404, { detail: "Not Found" });
  if (method === "POST" && parts.length === 3 && parts[2] === "provision") {
    const body = await readJson(request);
    const answer = lifecycle.provision(ip, body);
    return send(response, answer.status, answer.body);
  }
  if (method === "POST" && parts.length === 3 && parts[2] === "register") {
    const answer = await lifecycle.register(options.owner, await readJson(request));
    return send(response, answer.status, answer.body);
  }
  if (method === "POST" && parts.length === 3 && parts[2] === "renew-cert") {
    const answer = await lifecycle.renew(ip, request.headers.authorization);
    return send(response, answer.status, answer.body);
  }
  if (parts.length >= 4 && !isUuid(parts[2]!)) {
    return send(response, 422, { detail: [{ loc: ["path", "player_key"], msg: "Input should be a valid UUID", type: "uuid_parsing" }] });
  }
  if (method === "GET" && parts.length === 4 && parts[3] === "credentials") {
    const answer = lifecycle.credentials(ip, canonicalUuid(parts[2]!));
    return send(response, answer.status, answer.body);
  }
  if (method === "POST" && parts.length === 5 && parts[3] === "token" && parts[4] === "rotate") {
    const answer = lifecycle.rotate(ip, canonicalUuid(parts[2]!));
    return send(response, answer.status, answer.body);
  }
  return send(response, 404, { detail: "Not Found" });
}

/** Page[Post] with the service's web Post schema (not the MQTT record shape). */
function promotedFeed(options: ApiOptions, url: URL): [number, unknown] {
  const limitText = url.searchParams.get("limit") ?? "50";
  const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= 200)) return [422, { detail: [{ loc: ["query", "limit"], msg: "Input should be between 1 and 200", type: "value_error" }] }];
  const cursor = url.searchParams.get("cursor") ?? undefined;
  let page;
  try {
    page = queryPosts(options.postSource, { channel: "promoted", sort: "created_at", cursor, limit, criteria: [] });
  } catch (error) {
    if (error instanceof RpcError) return [400, { detail: error.message }];
    throw error;
  }
  const catalogue: Catalogue = options.postSource.catalogue;
  const items = page.posts
    .map((payload) => catalogue.posts.find((post) => post.postId === (payload as { post_id: number }).post_id))
    .filter((post): post is ArtworkPost => post !== undefined && post.kind === "artwork")
    .map((post) => webPost(options.postSource, post));
  return [200, { items, next_cursor: page.nextCursor ?? null }];
}

function webPost(source: PostSource, post: ArtworkPost) {
  const url = post.artUrlEmpty ? artUrl(source, { ...post, artUrlEmpty: false }) : artUrl(source, post);
  return {
    id: post.postId,
    storage_key: post.storageKey,
    public_sqid: `p${post.postId.toString(36)}`,
    kind: "artwork",
    title: post.title,
    description: null,
    hashtags: post.hashtags,
    art_url: url,
    canvas: `${post.width}x${post.height}`,
    width: post.width,
    height: post.height,
    frame_count: post.frameCount,
    min_frame_duration_ms: post.minFrameDurationMs,
    uses_transparency: post.transparencyActual,
    uses_alpha: post.alphaActual,
    metadata_modified_at: post.metadataModifiedAt,
    artwork_modified_at: post.artworkModifiedAt,
    dwell_time_ms: post.dwellTimeMs ?? 30000,
    promoted: true,
    created_at: post.createdAt,
    owner: { handle: post.owner },
  };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > MAXIMUM_BODY_BYTES) return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)), "Access-Control-Allow-Origin": "*" });
  response.end(text);
}

function sendHtml(response: ServerResponse, html: string): void {
  response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": String(Buffer.byteLength(html)) });
  response.end(html);
}

// Settings › Players › Add device, as on the website: the code from the panel and a name.
const REGISTER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Add device · Makapix demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;background:#111;color:#eee}
input,button{font:inherit;padding:.5rem;margin:.25rem 0;width:100%;box-sizing:border-box}
#code{text-transform:uppercase;letter-spacing:.4em;font-family:monospace;font-size:1.6rem}
#result{margin-top:1rem;min-height:1.5rem}.ok{color:#6f6}.err{color:#f77}</style></head>
<body><h1>Add device</h1><p>Type the 6-character code your player shows.</p>
<form id="add"><label>Registration code<input id="code" name="registration_code" maxlength="6" autocomplete="off" required></label>
<label>Name<input id="name" name="name" maxlength="100" value="My player" required></label>
<button type="submit">Add device</button></form><div id="result" role="status"></div>
<script>
document.getElementById("add").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = document.getElementById("result");
  result.textContent = "Adding…"; result.className = "";
  const body = { registration_code: document.getElementById("code").value.trim(), name: document.getElementById("name").value.trim() };
  try {
    const response = await fetch("/api/player/register", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await response.json();
    if (response.ok) { result.textContent = "Added \\u201c" + data.name + "\\u201d. The player picks up its certificate within a few seconds."; result.className = "ok"; }
    else { result.textContent = typeof data.detail === "string" ? data.detail : "Please check the code and the name."; result.className = "err"; }
  } catch (error) { result.textContent = "The service did not answer."; result.className = "err"; }
});
</script></body></html>
`;
