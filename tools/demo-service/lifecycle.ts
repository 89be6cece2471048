// The device lifecycle as the service runs it (sheet §7 and §9, checked against the service's source):
// provisioning with a registration code, registration by the owner, credentials (not one-shot; a token
// minted whenever none is active), device-initiated renewal with the bearer token, and token rotation,
// with the service's limits and `{"detail": …}` errors. Pure logic over an injectable clock: the HTTP
// routes (api.ts) turn its answers into responses.

import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { CountingLimiter } from "./limits.js";
import type { Issuer } from "./issuer.js";

/** A–Z without I, L, O, then 2–9 (no 0/1): what a person can read off a small panel. */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const MAX_PLAYERS_PER_USER = 128;
export const RENEWAL_THRESHOLD_DAYS = 90;

export interface LifecycleLimits {
  /** Registration code lifetime (15 min); tests shorten it. */
  codeTtlMs: number;
  provisionsPerHourPerIp: number;
  credentialsPerMinutePerIp: number;
  rotationsPerHourPerIp: number;
  renewalsPerDayPerPlayer: number;
  renewalsPerHourPerIp: number;
  /** Validity of certificates issued at registration and renewal (1095 days). */
  certificateDays: number;
  /** Validity of the first certificate only (default certificateDays): a short one lets renewal be tried at once. */
  firstCertificateDays?: number;
}

export const DEFAULT_LIFECYCLE_LIMITS: LifecycleLimits = {
  codeTtlMs: 15 * 60_000,
  provisionsPerHourPerIp: 10,
  credentialsPerMinutePerIp: 30,
  rotationsPerHourPerIp: 30,
  renewalsPerDayPerPlayer: 10,
  renewalsPerHourPerIp: 30,
  certificateDays: 1095,
};

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface LifecyclePlayer {
  playerKey: string;
  deviceModel: string;
  firmwareVersion: string;
  status: "pending" | "registered";
  registrationCode: string | null;
  codeExpiresAt: number | null;
  name: string | null;
  owner: string | null;
  certPem: string | null;
  keyPem: string | null;
  certExpiresAt: number | null;
  certSerial: string | null;
  /** The active bearer token, or null (none active: the next credentials fetch mints one). */
  apiToken: string | null;
  renewals: number;
}

export interface Endpoint {
  host: string;
  port: number;
}

const detail = (status: number, text: string): ApiAnswer => ({ status, body: { detail: text } });

export class Lifecycle {
  readonly #players = new Map<string, LifecyclePlayer>();
  readonly #limits: LifecycleLimits;
  readonly #now: () => number;
  readonly #provisions: CountingLimiter;
  readonly #credentials: CountingLimiter;
  readonly #rotations: CountingLimiter;
  readonly #renewalsPerPlayer: CountingLimiter;
  readonly #renewalsPerIp: CountingLimiter;

  constructor(
    private readonly issuer: Issuer,
    private readonly broker: Endpoint,
    private readonly apiBaseUrl: () => string,
    limits: Partial<LifecycleLimits> = {},
    now: () => number = Date.now,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.#limits = { ...DEFAULT_LIFECYCLE_LIMITS, ...limits };
    this.#now = now;
    this.#provisions = new CountingLimiter(this.#limits.provisionsPerHourPerIp, 3_600_000, now);
    this.#credentials = new CountingLimiter(this.#limits.credentialsPerMinutePerIp, 60_000, now);
    this.#rotations = new CountingLimiter(this.#limits.rotationsPerHourPerIp, 3_600_000, now);
    this.#renewalsPerPlayer = new CountingLimiter(this.#limits.renewalsPerDayPerPlayer, 86_400_000, now);
    this.#renewalsPerIp = new CountingLimiter(this.#limits.renewalsPerHourPerIp, 3_600_000, now);
  }

  get(playerKey: string): LifecyclePlayer | undefined {
    return this.#players.get(playerKey);
  }

  all(): LifecyclePlayer[] {
    return [...this.#players.values()];
  }

  /** The pending player a code would register now, if any (for the register page). */
  pendingByCode(code: string): LifecyclePlayer | undefined {
    const wanted = code.trim().toUpperCase();
    for (const player of this.#players.values()) {
      if (player.status === "pending" && player.registrationCode === wanted && player.codeExpiresAt! > this.#now()) return player;
    }
    return undefined;
  }

  provision(ip: string, body: unknown): ApiAnswer {
    const fields = asObject(body);
    const deviceModel = fields?.["device_model"];
    const firmwareVersion = fields?.["firmware_version"];
    if (typeof deviceModel !== "string" || typeof firmwareVersion !== "string" || !deviceModel || deviceModel.length > 100 || firmwareVersion.length > 50) {
      return { status: 422, body: { detail: [{ loc: ["body"], msg: "device_model and firmware_version are required strings", type: "value_error" }] } };
    }
    if (!this.#provisions.take(`provision:${ip}`)) return detail(429, "Too many provisioning requests. Please try again later.");
    this.#sweep();
    const playerKey = randomUUID();
    const code = this.#newCode();
    const expiresAt = this.#now() + this.#limits.codeTtlMs;
    this.#players.set(playerKey, {
      playerKey,
      deviceModel,
      firmwareVersion,
      status: "pending",
      registrationCode: code,
      codeExpiresAt: expiresAt,
      name: null,
      owner: null,
      certPem: null,
      keyPem: null,
      certExpiresAt: null,
      certSerial: null,
      apiToken: null,
      renewals: 0,
    });
    this.log(`[api] provisioned ${short(playerKey)} (${deviceModel}) with code ${code}`);
    return {
      status: 201,
      body: {
        player_key: playerKey,
        registration_code: code,
        registration_code_expires_at: isoformat(expiresAt),
        mqtt_broker: this.broker,
        https_api: { base_url: this.apiBaseUrl(), auth: "bearer" },
      },
    };
  }

  /** The owner (the catalogue user) registers the device behind `registration_code`. */
  async register(owner: string, body: unknown): Promise<ApiAnswer> {
    const fields = asObject(body);
    const code = fields?.["registration_code"];
    const name = fields?.["name"];
    if (typeof code !== "string" || code.trim().length !== 6 || typeof name !== "string" || name.trim().length < 1 || name.length > 100) {
      return { status: 422, body: { detail: [{ loc: ["body"], msg: "registration_code (6 characters) and name (1-100) are required", type: "value_error" }] } };
    }
    if (this.all().filter((p) => p.owner === owner).length >= MAX_PLAYERS_PER_USER) return detail(400, `Maximum ${MAX_PLAYERS_PER_USER} players allowed per user`);
    const player = this.pendingByCode(code);
    if (!player) return detail(404, "Invalid or expired registration code");
    const first = this.#limits.firstCertificateDays ?? this.#limits.certificateDays;
    const issued = await this.issuer.issue(player.playerKey, first);
    Object.assign(player, {
      status: "registered",
      owner,
      name: name.trim(),
      registrationCode: null,
      codeExpiresAt: null,
      certPem: issued.certPem,
      keyPem: issued.keyPem,
      certExpiresAt: issued.expiresAt,
      certSerial: issued.serial,
    });
    this.log(`[api] ${short(player.playerKey)} registered as "${player.name}" by ${owner}`);
    return { status: 201, body: { id: player.playerKey, player_key: player.playerKey, name: player.name, device_model: player.deviceModel, firmware_version: player.firmwareVersion, registration_status: "registered", cert_expires_at: isoformat(issued.expiresAt) } };
  }

  credentials(ip: string, playerKey: string): ApiAnswer {
    if (!this.#credentials.take(`credentials:${ip}`)) return detail(429, "Too many credential requests. Please try again later.");
    const player = this.#players.get(playerKey);
    if (!player || player.status !== "registered") return detail(404, "Player not found or not registered");
    if (!player.certPem || !player.keyPem) return detail(404, "Certificates not available for this player");
    let apiToken: string | null = null;
    if (player.apiToken === null) {
      apiToken = newToken();
      player.apiToken = apiToken;
    }
    return {
      status: 200,
      body: { ca_pem: this.issuer.caPem, cert_pem: player.certPem, key_pem: player.keyPem, broker: this.broker, https_api: { base_url: this.apiBaseUrl(), auth: "bearer" }, api_token: apiToken },
    };
  }

  rotate(ip: string, playerKey: string): ApiAnswer {
    if (!this.#rotations.take(`rotate:${ip}`)) return detail(429, "Too many token rotation requests. Please try again later.");
    const player = this.#players.get(playerKey);
    if (!player || player.status !== "registered") return detail(404, "Player not found or not registered");
    player.apiToken = newToken();
    this.log(`[api] ${short(playerKey)} token rotated`);
    return { status: 200, body: { api_token: player.apiToken, rotated_at: isoformat(this.#now()) } };
  }

  async renew(ip: string, authorization: string | undefined): Promise<ApiAnswer> {
    const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
    const player = token === undefined ? undefined : this.all().find((p) => p.status === "registered" && p.apiToken === token);
    if (!player) return detail(401, token === undefined ? "Not authenticated" : "Invalid or revoked token");
    if (!this.#renewalsPerPlayer.take(`renew:${player.playerKey}`) || !this.#renewalsPerIp.take(`renew-ip:${ip}`)) {
      return detail(429, "Too many certificate renewal requests. Please try again later.");
    }
    if (player.certExpiresAt !== null) {
      // Python's timedelta.days: whole days, rounded down.
      const daysLeft = Math.floor((player.certExpiresAt - this.#now()) / 86_400_000);
      if (daysLeft > RENEWAL_THRESHOLD_DAYS) return detail(400, `Certificate is still valid for ${daysLeft} days; renewal opens ${RENEWAL_THRESHOLD_DAYS} days before expiry`);
    }
    const issued = await this.issuer.issue(player.playerKey, this.#limits.certificateDays);
    // The old certificate is not revoked (sheet §7.4): it keeps working until it expires.
    Object.assign(player, { certPem: issued.certPem, keyPem: issued.keyPem, certExpiresAt: issued.expiresAt, certSerial: issued.serial, renewals: player.renewals + 1 });
    this.log(`[api] ${short(player.playerKey)} certificate renewed until ${isoformat(issued.expiresAt)}`);
    return { status: 200, body: { cert_pem: issued.certPem, key_pem: issued.keyPem, ca_pem: issued.caPem, cert_expires_at: isoformat(issued.expiresAt) } };
  }

  /** Pending players whose code expired are deleted (the service does it within the hour). */
  #sweep(): void {
    const now = this.#now();
    for (const [key, player] of this.#players) if (player.status === "pending" && player.codeExpiresAt! <= now) this.#players.delete(key);
  }

  #newCode(): string {
    for (;;) {
      let code = "";
      for (let i = 0; i < 6; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
      if (!this.pendingByCode(code)) return code;
    }
  }
}

function asObject(value: unknown): { [key: string]: unknown } | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as { [key: string]: unknown }) : undefined;
}

function newToken(): string {
  return "mpx_live_" + randomBytes(24).toString("base64url");
}

/** Python's isoformat of an aware UTC datetime: "2026-12-02T10:15:00.123000+00:00". */
export function isoformat(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000+00:00");
}

function short(key: string): string {
  return `${key.slice(0, 4)}…${key.slice(-4)}`;
}
