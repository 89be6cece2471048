// What the service keeps per player (sheet §4): presence from status messages (offline after a
// silence, found by a periodic sweep), views after the schema / duplicate / pacing checks, declared
// capabilities and the state they allow, command acks, and the commands sent.

import type { Catalogue } from "./catalogue.js";
import { ExpiringKeys } from "./limits.js";
import type { JsonValue } from "./python-json.js";

export interface Capabilities {
  pause?: Record<string, never>;
  brightness?: { min: number; max: number; step: number };
  rotation?: { values: number[] };
  mirror?: { values: string[] };
}

export interface PlayerState {
  is_paused?: boolean;
  brightness?: number;
  rotation?: number;
  mirror?: string;
}

export interface RecordedView {
  postId: number;
  timestamp: string;
  timezone: string;
  intent: "artwork" | "channel";
  playOrder: number;
  channel: string;
  channelUserSqid?: string;
  channelHashtag?: string;
  receivedAt: string;
  /** artwork intent counts as a view, channel intent as an impression. */
  viewType: "view" | "impression";
}

/** Every view message that passed the schema, with what the service made of it. */
export interface ViewOutcome {
  postId: number;
  timestamp: string;
  outcome: "recorded" | "self_view" | "duplicate" | "rate_limited" | "post_not_found" | "player_key_mismatch" | "owner_not_permitted";
  acked: boolean;
}

export interface SentCommand {
  commandId: string;
  commandType: string;
  payload: JsonValue;
  timestamp: string;
  ack?: { status: "ok" | "error" | "unsupported"; receivedAt: string };
}

export interface PlayerRecord {
  playerKey: string;
  /** "online" / "offline" (or whatever string a status carried, stored verbatim like the service). */
  connectionStatus: string;
  lastSeenAt: string | null;
  currentPostId: number | null;
  firmwareVersion: string | null;
  capabilities: Capabilities | null;
  state: PlayerState;
  views: RecordedView[];
  viewLog: ViewOutcome[];
  commands: SentCommand[];
  /** Acks whose command_id is not one we sent (the service ignores those; kept for tests). */
  strayAcks: { commandId: string; status: string }[];
  /** Tests switch this on: requests then fail with authentication_failed, views with owner_not_permitted. */
  authenticationFails: boolean;
}

export interface PresenceTiming {
  /** A player silent this long is marked offline (service: 3 minutes). */
  offlineAfterMs: number;
  /** View pacing per player (service: 5 s) and the duplicate key's lifetime (service: 60 s). */
  viewIntervalMs: number;
  viewDuplicateWindowMs: number;
}

const MAX_KEPT = 500; // per player list bound: a long demo must not grow without end

function keepBounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_KEPT) list.splice(0, list.length - MAX_KEPT);
}

export class PlayerRegistry {
  private readonly players = new Map<string, PlayerRecord>();
  private readonly duplicateKeys: ExpiringKeys;
  private readonly viewLocks: ExpiringKeys;
  private readonly dailyViews = new Set<string>();

  constructor(
    private readonly catalogue: Catalogue,
    private readonly timing: PresenceTiming,
    private readonly now: () => number = Date.now,
  ) {
    this.duplicateKeys = new ExpiringKeys(now);
    this.viewLocks = new ExpiringKeys(now);
  }

  get(playerKey: string): PlayerRecord | undefined {
    return this.players.get(playerKey);
  }

  /** Every certificate holder counts as registered and owned by the catalogue's owner. */
  ensure(playerKey: string): PlayerRecord {
    let record = this.players.get(playerKey);
    if (!record) {
      record = {
        playerKey,
        connectionStatus: "offline",
        lastSeenAt: null,
        currentPostId: null,
        firmwareVersion: null,
        capabilities: null,
        state: {},
        views: [],
        viewLog: [],
        commands: [],
        strayAcks: [],
        authenticationFails: false,
      };
      this.players.set(playerKey, record);
    }
    return record;
  }

  all(): PlayerRecord[] {
    return [...this.players.values()];
  }

  /** A status message: identified by its payload's player_key; no status means online. */
  status(payload: { [key: string]: unknown }, playerKey: string): void {
    const record = this.ensure(playerKey);
    const status = payload["status"] ?? "online";
    if (typeof status !== "string") return;
    record.connectionStatus = status;
    record.lastSeenAt = new Date(this.now()).toISOString();
    if ("current_post_id" in payload) {
      const current = payload["current_post_id"];
      record.currentPostId = typeof current === "number" && current ? current : null;
    }
    const firmware = payload["firmware_version"];
    if (typeof firmware === "string" && firmware) record.firmwareVersion = firmware;
  }

  /** The periodic sweep: online players silent for offlineAfterMs become offline. Returns their keys. */
  sweep(): string[] {
    const cutoff = this.now() - this.timing.offlineAfterMs;
    const marked: string[] = [];
    for (const record of this.players.values()) {
      if (record.connectionStatus !== "online") continue;
      if (record.lastSeenAt === null || Date.parse(record.lastSeenAt) < cutoff) {
        record.connectionStatus = "offline";
        marked.push(record.playerKey);
      }
    }
    return marked;
  }

  /**
   * A schema-valid view from `playerKey`'s topic. Returns the ack body (sent only when the view asked
   * for one). Order as in the service: key mismatch, owner check, duplicate (the key is set even when
   * the view is then refused), pacing, post lookup, self view, daily de-duplication of artwork views.
   */
  view(playerKey: string, view: Omit<RecordedView, "receivedAt" | "viewType"> & { playerKey: string; requestAck: boolean }): { [key: string]: JsonValue } {
    const record = this.ensure(playerKey);
    const outcome = (result: ViewOutcome["outcome"], ack: { [key: string]: JsonValue }) => {
      keepBounded(record.viewLog, { postId: view.postId, timestamp: view.timestamp, outcome: result, acked: view.requestAck });
      return ack;
    };
    if (view.playerKey !== playerKey) {
      return outcome("player_key_mismatch", { success: false, error: "player_key mismatch between topic and payload", error_code: "player_key_mismatch" });
    }
    if (record.authenticationFails) return outcome("owner_not_permitted", { success: false, error: "Owner not permitted", error_code: "owner_not_permitted" });
    const duplicateKey = `${playerKey}:${view.postId}:${view.timestamp}`;
    if (this.duplicateKeys.remaining(duplicateKey) > 0) return outcome("duplicate", { success: false, error: "Duplicate view event", error_code: "duplicate" });
    this.duplicateKeys.set(duplicateKey, this.timing.viewDuplicateWindowMs);
    const wait = this.viewLocks.remaining(playerKey);
    if (wait > 0) {
      // Redis TTL: whole seconds, printed by Python as a float.
      return outcome("rate_limited", { success: false, error: `Rate limited, retry after ${Math.ceil(wait / 1000)}.0s`, error_code: "rate_limited" });
    }
    this.viewLocks.set(playerKey, this.timing.viewIntervalMs);
    const post = this.catalogue.posts.find((p) => p.postId === view.postId);
    if (!post) return outcome("post_not_found", { success: false, error: "Post not found", error_code: "post_not_found" });
    if (post.owner === this.catalogue.ownerHandle) return outcome("self_view", { success: true });
    if (view.intent === "artwork") {
      const day = `${this.catalogue.ownerHandle}:${view.postId}:${new Date(this.now()).toISOString().slice(0, 10)}`;
      if (this.dailyViews.has(day)) return outcome("duplicate", { success: false, error: "Duplicate view event", error_code: "duplicate" });
      this.dailyViews.add(day);
    }
    const { playerKey: _key, requestAck: _ack, ...fields } = view;
    keepBounded(record.views, { ...fields, receivedAt: new Date(this.now()).toISOString(), viewType: view.intent === "artwork" ? "view" : "impression" });
    return outcome("recorded", { success: true });
  }

  /** capabilities: known features sanitised; a malformed message declares none, wiping the state. */
  capabilities(playerKey: string, payload: { [key: string]: unknown }): void {
    const record = this.ensure(playerKey);
    const capabilities = sanitizeCapabilities(payload["features"]);
    const firmware = payload["firmware_version"];
    if (typeof firmware === "string") record.firmwareVersion = firmware;
    record.capabilities = capabilities;
    for (const [feature, field] of [["pause", "is_paused"], ["brightness", "brightness"], ["rotation", "rotation"], ["mirror", "mirror"]] as const) {
      if (!(feature in capabilities)) delete record.state[field];
    }
  }

  /** state: only fields the stored capabilities declare, within their ranges, are kept. */
  state(playerKey: string, payload: { [key: string]: unknown }): void {
    const record = this.ensure(playerKey);
    const caps = record.capabilities ?? {};
    if (caps.pause && "is_paused" in payload) record.state.is_paused = Boolean(payload["is_paused"]);
    const asInt = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : undefined);
    if (caps.brightness && "brightness" in payload) {
      const v = asInt(payload["brightness"]);
      if (v !== undefined && v >= caps.brightness.min && v <= caps.brightness.max) record.state.brightness = v;
    }
    if (caps.rotation && "rotation" in payload) {
      const v = asInt(payload["rotation"]);
      if (v !== undefined && caps.rotation.values.includes(v)) record.state.rotation = v;
    }
    if (caps.mirror && typeof payload["mirror"] === "string" && caps.mirror.values.includes(payload["mirror"])) record.state.mirror = payload["mirror"];
  }

  /** command/ack: recorded on the command it answers; malformed acks are ignored. */
  ack(playerKey: string, payload: { [key: string]: unknown }): void {
    const record = this.ensure(playerKey);
    const commandId = payload["command_id"];
    const status = payload["status"];
    if (typeof commandId !== "string" || !/^[0-9a-f-]{36}$/i.test(commandId)) return;
    if (status !== "ok" && status !== "error" && status !== "unsupported") return;
    const command = record.commands.find((c) => c.commandId === commandId.toLowerCase());
    if (command) command.ack = { status, receivedAt: new Date(this.now()).toISOString() };
    else keepBounded(record.strayAcks, { commandId, status });
  }

  commandSent(playerKey: string, command: SentCommand): void {
    keepBounded(this.ensure(playerKey).commands, command);
  }
}

function sanitizeCapabilities(features: unknown): Capabilities {
  if (typeof features !== "object" || features === null || Array.isArray(features)) return {};
  const out: Capabilities = {};
  const asInt = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : undefined);
  for (const [name, spec] of Object.entries(features as { [key: string]: unknown })) {
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) continue;
    const s = spec as { [key: string]: unknown };
    if (name === "pause") out.pause = {};
    else if (name === "brightness") {
      const min = s["min"] === undefined ? 0 : asInt(s["min"]);
      const max = s["max"] === undefined ? 100 : asInt(s["max"]);
      const step = s["step"] === undefined ? 1 : asInt(s["step"]);
      if (min === undefined || max === undefined || step === undefined || min >= max || step <= 0) continue;
      out.brightness = { min, max, step };
    } else if (name === "rotation" && Array.isArray(s["values"])) {
      const values = (s["values"] as unknown[]).map(asInt);
      if (values.every((v) => v !== undefined)) out.rotation = { values: values as number[] };
    } else if (name === "mirror" && Array.isArray(s["values"])) {
      const values = (s["values"] as unknown[]).filter((v): v is string => typeof v === "string");
      if (values.length > 0) out.mirror = { values };
    }
  }
  return out;
}
