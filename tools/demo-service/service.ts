// A stand-in for the Makapix Club service, for the virtual device and the e2e tests: it connects
// to a broker as the service user and answers players as the real service does (sheet §3–§6), serves
// the generated catalogue from an HTTP + HTTPS vault, and offers a small HTTP control endpoint.
//
//   const service = await startDemoService({ brokerUrl, username, password });
//   await service.sendCommand(key, "swap_next");   service.statusOf(key);   service.views(key);
//   await service.stop();

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { startApi } from "./api.js";
import { CertificateIssuer } from "./issuer.js";
import { Lifecycle, type Endpoint, type LifecycleLimits } from "./lifecycle.js";
import { loadCatalogue, type Catalogue } from "./catalogue.js";
import { CommandRefused, startControl } from "./control.js";
import { CountingLimiter } from "./limits.js";
import { PlayerRegistry, type PlayerRecord, type PresenceTiming, type RecordedView, type SentCommand, type ViewOutcome } from "./players.js";
import { pythonJson, type JsonValue } from "./python-json.js";
import { ReactionStore } from "./reactions.js";
import { DEFAULT_REQUEST_LIMITS, pythonIsoformat, RequestHandler, type RequestLimits, type RequestLogEntry } from "./requests.js";
import { canonicalUuid, isUuid } from "./validate.js";
import { startVault, tlsFromCertsDir, type VaultRequest, type VaultTls } from "./vault.js";

const CERT_SCRIPT = fileURLToPath(new URL("../../../certs/make-dev-certs.sh", import.meta.url));

export interface DemoServiceOptions {
  /** The broker's service listener, e.g. mqtt://127.0.0.1:1883 (local-broker: servicePort). */
  brokerUrl: string;
  username: string;
  password: string;
  /** Folder caching the generated catalogue (default build/demo-catalogue). */
  vaultDir?: string;
  /** Catalogue seed (default 1). */
  seed?: number;
  /** Vault (and API) certificate; default: the one in `certsDir`. */
  vaultTls?: VaultTls;
  /**
   * A certs/make-dev-certs.sh CA folder (ca.key included): player certificates are issued from it at
   * registration and renewal. Pass the local broker's (`broker.certsDir`) so that they connect.
   * Default: a fresh CA in a temporary folder, removed by stop().
   */
  certsDir?: string;
  /** The player broker advertised by provisioning and credentials (default localhost:8883). */
  playerBroker?: Endpoint;
  /** Lifecycle limits and certificate lifetimes (tests shorten the code TTL, the first certificate). */
  lifecycleLimits?: Partial<LifecycleLimits>;
  apiHttpPort?: number;
  apiHttpsPort?: number;
  vaultHttpPort?: number;
  vaultHttpsPort?: number;
  /** Control endpoint port on 127.0.0.1: 0 (default) picks a free one, false starts none. */
  controlPort?: number | false;
  timing?: Partial<PresenceTiming & { sweepIntervalMs: number }>;
  limits?: Partial<RequestLimits & { commandsPerWindow: number; commandWindowMs: number }>;
  /** Human-readable event lines (player keys shortened). */
  log?: (line: string) => void;
}

export interface PlayerStatus {
  status: string;
  lastSeenAt: string | null;
  currentPostId: number | null;
  firmwareVersion: string | null;
}

export interface DemoService {
  readonly catalogue: Catalogue;
  readonly vaultUrls: { http: string; https: string };
  /** The CA a client must trust for the https vault. */
  readonly vaultCaPem: string;
  readonly controlUrl: string | undefined;
  /** The HTTPS player API (`…/api`, trust vaultCaPem), the same over HTTP, and the "Add device" page. */
  readonly apiUrls: { https: string; http: string };
  readonly registerPageUrl: string;
  /** Provisioned and registered devices (pending codes, certificates, tokens). */
  readonly lifecycle: Lifecycle;
  /** What the website's "Add device" does: registers the device showing `code` to the demo user. */
  registerDevice(code: string, name?: string): Promise<{ status: number; body: unknown }>;
  /** Publishes a command envelope (QoS 1) and returns its command_id; throws CommandRefused over 300/min. */
  sendCommand(playerKey: string, commandType: string, payload?: { [key: string]: JsonValue }): Promise<string>;
  statusOf(playerKey: string): PlayerStatus | undefined;
  /** Views the service recorded (accepted, not self views). */
  views(playerKey: string): RecordedView[];
  /** Every schema-valid view with its outcome. */
  viewLog(playerKey: string): ViewOutcome[];
  commands(playerKey: string): SentCommand[];
  player(playerKey: string): PlayerRecord | undefined;
  players(): PlayerRecord[];
  /** Makes the service answer this player's requests with authentication_failed (true) or normally. */
  setAuthenticationFailure(playerKey: string, fail: boolean): void;
  /** Emoji the catalogue owner (every demo player's owner) has on a post. */
  reactionsOf(postId: number): string[];
  /** Runs the offline sweep now; returns the keys marked offline. */
  sweepNow(): string[];
  vaultLog(): VaultRequest[];
  /** The player API's requests (method, path with the key replaced by {key}, status), newest last. */
  apiLog(): readonly { method: string; path: string; status: number }[];
  requestLog(): RequestLogEntry[];
  stop(): Promise<void>;
}

export const DEFAULT_TIMING = { offlineAfterMs: 180_000, sweepIntervalMs: 60_000, viewIntervalMs: 5_000, viewDuplicateWindowMs: 60_000 };
const DEFAULT_COMMAND_LIMIT = { commandsPerWindow: 300, commandWindowMs: 60_000 };

/** "0b7e…4a5b": a player key is a secret (it fetches the certificate's private key). */
export function redact(key: string): string {
  return `${key.slice(0, 4)}…${key.slice(-4)}`;
}

export async function startDemoService(options: DemoServiceOptions): Promise<DemoService> {
  const log = options.log ?? (() => undefined);
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const limits = { ...DEFAULT_REQUEST_LIMITS, ...DEFAULT_COMMAND_LIMIT, ...options.limits };
  const catalogue = await loadCatalogue({ ...(options.vaultDir !== undefined ? { dir: options.vaultDir } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    let certsDir = options.certsDir;
    if (certsDir === undefined) {
      const dir = mkdtempSync(join(tmpdir(), "makapix-demo-ca-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      certsDir = join(dir, "certs");
      const made = spawnSync("bash", [CERT_SCRIPT, "ca", certsDir], { encoding: "utf8", env: { ...process.env, DEV_CERT_BITS: "2048" } });
      if (made.status !== 0) throw new Error(`certificate script failed: ${made.stderr}`);
    }
    const tls = options.vaultTls ?? tlsFromCertsDir(certsDir);
    const vault = await startVault({
      root: catalogue.vaultDir,
      tls,
      ...(options.vaultHttpPort !== undefined ? { httpPort: options.vaultHttpPort } : {}),
      ...(options.vaultHttpsPort !== undefined ? { httpsPort: options.vaultHttpsPort } : {}),
    });
    cleanups.push(() => vault.close());

    const players = new PlayerRegistry(catalogue, timing);
    const reactions = new ReactionStore(catalogue);
    const requests = new RequestHandler({ catalogue, reactions, vaultUrl: vault.httpsUrl }, players, limits);

    let apiBase = "";
    const lifecycle = new Lifecycle(new CertificateIssuer(certsDir), options.playerBroker ?? { host: "localhost", port: 8883 }, () => apiBase, options.lifecycleLimits, Date.now, log);
    const api = await startApi({
      lifecycle,
      postSource: { catalogue, reactions, vaultUrl: vault.httpsUrl },
      owner: catalogue.ownerHandle,
      tls,
      ...(options.apiHttpPort !== undefined ? { httpPort: options.apiHttpPort } : {}),
      ...(options.apiHttpsPort !== undefined ? { httpsPort: options.apiHttpsPort } : {}),
    });
    cleanups.push(() => api.close());
    apiBase = api.httpsBase;
    const commandLimiter = new CountingLimiter(limits.commandsPerWindow, limits.commandWindowMs, Date.now);

    const client = await mqtt.connectAsync(options.brokerUrl, {
      protocolVersion: 5,
      username: options.username,
      password: options.password,
      clientId: `makapix-demo-service-${randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    cleanups.push(() => client.endAsync(true));
    const publish = (topic: string, text: string) => client.publishAsync(topic, text, { qos: 1, retain: false });

    client.on("message", (topic, payload) => {
      try {
        dispatch(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
      } catch (error) {
        log(`[service] error handling ${topic.replace(/player\/[^/]+/, "player/{key}")}: ${(error as Error).message}`);
      }
    });
    await client.subscribeAsync(
      ["request/+", "status", "view", "capabilities", "state", "command/ack"].map((suffix) => `makapix/player/+/${suffix}`),
      { qos: 1 },
    );

    function dispatch(topic: string, bytes: Uint8Array): void {
      const parts = topic.split("/");
      if (parts[0] !== "makapix" || parts[1] !== "player" || parts.length < 4 || !isUuid(parts[2]!)) return;
      const key = canonicalUuid(parts[2]!);
      const rest = parts.slice(3).join("/");
      if (parts[3] === "request" && parts.length === 5) {
        const reply = requests.handle(key, bytes);
        const last = requests.log[requests.log.length - 1];
        if (reply) {
          log(`[service] ${redact(key)} ${last?.requestType ?? "?"} -> ${last?.errorCode ?? "ok"}`);
          void publish(reply.topic, reply.text).catch(() => undefined);
        }
        return;
      }
      const json = parseObject(bytes);
      if (rest === "status") {
        // Identified by the payload's player_key, not the topic (as the service does).
        const payloadKey = json?.["player_key"];
        if (!json || typeof payloadKey !== "string" || !payloadKey || !isUuid(payloadKey)) return;
        players.status(json, canonicalUuid(payloadKey));
        log(`[service] ${redact(payloadKey)} status ${String(json["status"] ?? "online")}`);
      } else if (rest === "view") {
        handleView(key, json);
      } else if (rest === "capabilities" || rest === "state") {
        const body = bytes.length === 0 ? {} : json; // an empty (cleared) message counts as {}
        if (!body) return;
        if (rest === "capabilities") players.capabilities(key, body);
        else players.state(key, body);
      } else if (rest === "command/ack") {
        if (json) players.ack(key, json);
      }
    }

    function handleView(key: string, json: { [key: string]: unknown } | undefined): void {
      const view = json ? parseView(json) : undefined;
      if (!view) {
        log(`[service] ${redact(key)} view dropped: schema`);
        return; // the service drops it without an ack, even when one was asked for
      }
      const ack = players.view(key, view);
      const outcome = players.get(key)?.viewLog.at(-1)?.outcome ?? "?";
      log(`[service] ${redact(key)} view of ${view.postId} -> ${outcome}`);
      if (view.requestAck) void publish(`makapix/player/${key}/view/ack`, pythonJson(ack)).catch(() => undefined);
    }

    const sweep = setInterval(() => {
      for (const key of players.sweep()) log(`[service] ${redact(key)} marked offline (silent for ${timing.offlineAfterMs} ms)`);
    }, timing.sweepIntervalMs);
    sweep.unref();
    cleanups.push(() => clearInterval(sweep));

    async function sendCommand(playerKey: string, commandType: string, payload: { [key: string]: JsonValue } = {}): Promise<string> {
      if (!isUuid(playerKey)) throw new CommandRefused("invalid_player_key", "player key must be a UUID");
      if (!commandType) throw new CommandRefused("invalid_command", "command_type must not be empty");
      const key = canonicalUuid(playerKey);
      if (!commandLimiter.take(key)) throw new CommandRefused("rate_limit_exceeded", `more than ${limits.commandsPerWindow} commands in ${limits.commandWindowMs / 1000} s`);
      const command: SentCommand = { commandId: randomUUID(), commandType, payload, timestamp: pythonIsoformat(Date.now()) };
      players.commandSent(key, command);
      const envelope = { command_id: command.commandId, command_type: commandType, payload, timestamp: command.timestamp };
      await publish(`makapix/player/${key}/command`, pythonJson(envelope));
      log(`[service] ${redact(key)} command ${commandType} sent`);
      return command.commandId;
    }

    let controlUrl: string | undefined;
    if (options.controlPort !== false) {
      const control = await startControl({ players, catalogue, sendCommand }, options.controlPort ?? 0);
      cleanups.push(() => control.close());
      controlUrl = control.url;
    }

    const record = (key: string) => (isUuid(key) ? players.get(canonicalUuid(key)) : undefined);
    return {
      catalogue,
      vaultUrls: { http: vault.httpUrl, https: vault.httpsUrl },
      vaultCaPem: vault.caPem,
      controlUrl,
      apiUrls: { https: api.httpsBase, http: api.httpBase },
      registerPageUrl: api.registerPageUrl,
      lifecycle,
      registerDevice: (code, name = "Demo player") => lifecycle.register(catalogue.ownerHandle, { registration_code: code, name }),
      sendCommand,
      statusOf(key) {
        const r = record(key);
        return r && { status: r.connectionStatus, lastSeenAt: r.lastSeenAt, currentPostId: r.currentPostId, firmwareVersion: r.firmwareVersion };
      },
      views: (key) => record(key)?.views.slice() ?? [],
      viewLog: (key) => record(key)?.viewLog.slice() ?? [],
      commands: (key) => record(key)?.commands.slice() ?? [],
      player: record,
      players: () => players.all(),
      setAuthenticationFailure(key, fail) {
        players.ensure(canonicalUuid(key)).authenticationFails = fail;
      },
      reactionsOf: (postId) => reactions.emojiOf(catalogue.ownerHandle, postId),
      sweepNow: () => players.sweep(),
      vaultLog: () => vault.log.slice(),
      apiLog: () => api.log.slice(),
      requestLog: () => requests.log.slice(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function parseObject(bytes: Uint8Array): { [key: string]: unknown } | undefined {
  try {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as { [key: string]: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/** The view schema (sheet §4): seven required fields, three optional ones; undefined when it fails. */
export function parseView(json: { [key: string]: unknown }): (Omit<RecordedView, "receivedAt" | "viewType"> & { playerKey: string; requestAck: boolean }) | undefined {
  const postId = json["post_id"];
  const { timestamp, timezone, intent, channel } = json;
  const playOrder = json["play_order"];
  const playerKey = json["player_key"];
  const postIdValue = typeof postId === "number" && Number.isInteger(postId) ? postId : typeof postId === "string" && /^\s*[+-]?\d+\s*$/.test(postId) ? Number(postId) : undefined;
  const playOrderValue = typeof playOrder === "number" && Number.isInteger(playOrder) ? playOrder : undefined;
  if (postIdValue === undefined || typeof timestamp !== "string" || typeof timezone !== "string" || typeof channel !== "string" || typeof playerKey !== "string") return undefined;
  if (intent !== "artwork" && intent !== "channel") return undefined;
  if (playOrderValue === undefined || playOrderValue < 0 || playOrderValue > 2) return undefined;
  const optionalString = (value: unknown) => value === undefined || value === null || typeof value === "string";
  if (!optionalString(json["channel_user_sqid"]) || !optionalString(json["channel_hashtag"])) return undefined;
  const requestAck = json["request_ack"];
  if (requestAck !== undefined && typeof requestAck !== "boolean") return undefined;
  return {
    postId: postIdValue,
    timestamp,
    timezone,
    intent,
    playOrder: playOrderValue,
    channel,
    playerKey,
    requestAck: requestAck === true,
    ...(typeof json["channel_user_sqid"] === "string" ? { channelUserSqid: json["channel_user_sqid"] } : {}),
    ...(typeof json["channel_hashtag"] === "string" ? { channelHashtag: json["channel_hashtag"] } : {}),
  };
}
