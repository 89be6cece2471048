// A small HTTP control endpoint for demos and tests, bound to 127.0.0.1:
//   GET  /players                          every player seen, with presence
//   GET  /players/{key}                    status, capabilities, state, views, commands and acks
//   POST /players/{key}/commands           {"command_type", "payload"} -> 202 {"command_id"}; 429 over the limit
//   POST /players/{key}/authentication     {"fail": true|false}: answer its requests with authentication_failed
//   GET  /catalogue                        the posts (id, kind, title, owner, size, format)

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Catalogue } from "./catalogue.js";
import type { PlayerRecord, PlayerRegistry } from "./players.js";
import type { JsonValue } from "./python-json.js";
import { isUuid, canonicalUuid } from "./validate.js";
import { closeServer, listen } from "./vault.js";

export class CommandRefused extends Error {
  constructor(
    readonly code: "rate_limit_exceeded" | "invalid_player_key" | "invalid_command",
    message: string,
  ) {
    super(message);
  }
}

export interface ControlTarget {
  players: PlayerRegistry;
  catalogue: Catalogue;
  sendCommand(playerKey: string, commandType: string, payload?: { [key: string]: JsonValue }): Promise<string>;
}

export async function startControl(target: ControlTarget, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    void route(target, request, response).catch((error: Error) => send(response, 500, { error: error.message }));
  });
  const bound = await listen(server, "127.0.0.1", port);
  return { url: `http://127.0.0.1:${bound}`, close: () => closeServer(server) };
}

export function playerSummary(record: PlayerRecord) {
  return {
    player_key: record.playerKey,
    status: record.connectionStatus,
    last_seen_at: record.lastSeenAt,
    current_post_id: record.currentPostId,
    firmware_version: record.firmwareVersion,
  };
}

export function playerDetails(record: PlayerRecord) {
  return {
    ...playerSummary(record),
    authentication_fails: record.authenticationFails,
    capabilities: record.capabilities,
    state: record.state,
    views: record.views,
    view_log: record.viewLog,
    commands: record.commands,
  };
}

async function route(target: ControlTarget, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? "/").split("?")[0]!;
  const parts = path.split("/").filter(Boolean);
  if (request.method === "GET" && path === "/players") return send(response, 200, target.players.all().map(playerSummary));
  if (request.method === "GET" && path === "/catalogue") {
    return send(
      response,
      200,
      target.catalogue.posts.map((p) => ({
        post_id: p.postId,
        kind: p.kind,
        title: p.title,
        owner_handle: p.owner,
        visibility: p.visibility,
        ...(p.kind === "artwork" ? { width: p.width, height: p.height, frame_count: p.frameCount, native_format: p.nativeFormat } : { items: p.items }),
      })),
    );
  }
  if (parts[0] !== "players" || !parts[1]) return send(response, 404, { error: "not found" });
  if (!isUuid(parts[1])) return send(response, 400, { error: "player key must be a UUID" });
  const key = canonicalUuid(parts[1]);
  if (request.method === "GET" && parts.length === 2) {
    const record = target.players.get(key);
    return record ? send(response, 200, playerDetails(record)) : send(response, 404, { error: "unknown player" });
  }
  if (request.method === "POST" && parts.length === 3 && parts[2] === "commands") {
    const body = await readJson(request);
    if (!body || typeof body["command_type"] !== "string" || (body["payload"] !== undefined && (typeof body["payload"] !== "object" || body["payload"] === null || Array.isArray(body["payload"])))) {
      return send(response, 400, { error: 'expected {"command_type": string, "payload": object}' });
    }
    try {
      const commandId = await target.sendCommand(key, body["command_type"], (body["payload"] ?? {}) as { [key: string]: JsonValue });
      return send(response, 202, { command_id: commandId });
    } catch (error) {
      if (error instanceof CommandRefused) return send(response, error.code === "rate_limit_exceeded" ? 429 : 400, { error: error.message, error_code: error.code });
      throw error;
    }
  }
  if (request.method === "POST" && parts.length === 3 && parts[2] === "authentication") {
    const body = await readJson(request);
    if (!body || typeof body["fail"] !== "boolean") return send(response, 400, { error: 'expected {"fail": boolean}' });
    target.players.ensure(key).authenticationFails = body["fail"];
    return send(response, 200, { player_key: key, authentication_fails: body["fail"] });
  }
  return send(response, 404, { error: "not found" });
}

async function readJson(request: IncomingMessage): Promise<{ [key: string]: unknown } | undefined> {
  let text = "";
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > 65536) return undefined;
  }
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as { [key: string]: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 1) + "\n";
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)) });
  response.end(text);
}
