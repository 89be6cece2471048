// Registration with Makapix Club (protocol sheet §7, corrected by §9): ask the service for a code,
// show it, and poll until the owner has typed it on the website; then hand over the credentials.
//
//   POST {api}/player/provision {device_model, firmware_version}
//     → 201 {player_key, registration_code, registration_code_expires_at, mqtt_broker, https_api}
//   GET  {api}/player/{key}/credentials every 3 s (the reference player's rate; the service allows
//     30/min per IP): 404 not yet, 429 wait 60 s, 200 {ca_pem, cert_pem, key_pem, broker, api_token}
//
// When the code expires the pending player is deleted by the service: provision again (a new code).
// Network failures and server errors back off (equal jitter) and never stop the flow; each is
// reported so the panel can say what is happening. A provisioning 429 (10/hour per IP) backs off from
// a minute up to 15 minutes. The boot state machine owns the instance: it starts it when there are no
// credentials, shows `code`, stores what `registered` delivers and starts the session; `stop()` ends it.
// All waits go through the Timers port. The player key is a secret: logs show its first 4 characters.
// Memory (measured in XS, test/oracle/registration-heap.test.ts): 315 slots + 15 KiB of buffers (the
// HTTP client's 6 KiB, the reply parser's 8 KiB text buffer) while it exists; polling does not grow.

import type { Host, TimerId } from "../ports.js";
import { HttpError } from "../net/errors.js";
import { retryDelayMs } from "../net/retry.js";
import { ApiClient, ApiNetworkError, endpointField, stringField, type ApiReply } from "./api-client.js";
import { isLowercaseUuid, type Credentials } from "./config.js";
import { parseIsoTimestamp } from "./iso-time.js";

/** What registration delivers: the mTLS set plus where to connect and the API bearer token. */
export interface RegisteredCredentials extends Credentials {
  broker: { host: string; port: number };
  /** Only on the first successful fetch while no token is active (§9); undefined otherwise. */
  apiToken: string | undefined;
  /** The service's `https_api.base_url`, when it sent one. */
  apiBase: string | undefined;
}

export interface RegistrationCode {
  /** Six characters of A–Z minus I, L, O and 2–9: what the owner types. */
  code: string;
  /** When it stops working, in wall-clock ms (from the service; undefined if the clock was unsynced). */
  expiresAtMs: number | undefined;
  /** How long it is shown for, from now (the flow provisions again after this). */
  validForMs: number;
}

export type RegistrationProblemKind =
  /** No answer: DNS, TCP, TLS, timeout. */
  | "network"
  /** 429: waiting as the service asks. */
  | "rate_limited"
  /** Another status (5xx, 4xx): the service refused; trying again later. */
  | "refused"
  /** A 2xx reply that lacks what it must carry. */
  | "malformed";

export interface RegistrationProblem {
  kind: RegistrationProblemKind;
  /** Short, for logs and the panel: never contains the player key. */
  message: string;
  /** The next attempt is in this many ms. */
  retryInMs: number;
}

export interface RegistrationEvents {
  /** A new code to show (after each provisioning). */
  code(code: RegistrationCode): void;
  /** The owner registered the device: store these, then start the session. Polling has stopped. */
  registered(credentials: RegisteredCredentials): void;
  /** Something failed; the flow goes on by itself after `retryInMs`. */
  problem?(problem: RegistrationProblem): void;
}

export interface RegistrationOptions {
  /** e.g. "https://makapix.club/api". */
  apiBase: string;
  /** PEM CA of the API's TLS certificate. */
  ca: string;
  deviceModel: string;
  firmwareVersion: string;
  /** Default 3000 (§9). */
  pollIntervalMs?: number;
  /** After a credentials 429 (default 60 s, §7); a longer Retry-After wins. */
  rateLimitWaitMs?: number;
  /** Backoff after a failure: first ceiling, doubling to the maximum (defaults 5 s → 5 min). */
  backoffInitialMs?: number;
  backoffMaximumMs?: number;
  /** Code lifetime when the service's expiry cannot be used (unsynced clock, odd timestamp): 15 min. */
  fallbackCodeLifetimeMs?: number;
}

export type RegistrationState = "idle" | "provisioning" | "polling" | "registered" | "stopped";

/** The registration code alphabet: A–Z without I, L, O, then 2–9 (no RegExp: see src/util/ascii.ts). */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const PROVISION_RATE_LIMIT_MAXIMUM_MS = 15 * 60_000;
/** A code is never trusted for longer than this, whatever the service says. */
const LONGEST_CODE_LIFETIME_MS = 60 * 60_000;

export class Registration {
  readonly #host: Host;
  readonly #events: RegistrationEvents;
  readonly #api: ApiClient;
  readonly #options: Required<Omit<RegistrationOptions, "apiBase" | "ca">>;
  #state: RegistrationState = "idle";
  #timer: TimerId | undefined;
  #playerKey = "";
  /** Monotonic time at which the current code expires. */
  #codeDeadline = 0;
  #failures = 0;
  #provisionRateLimits = 0;
  #broker: { host: string; port: number } | undefined;

  constructor(host: Host, events: RegistrationEvents, options: RegistrationOptions) {
    this.#host = host;
    this.#events = events;
    this.#api = new ApiClient(host, { apiBase: options.apiBase, ca: options.ca });
    this.#options = {
      deviceModel: options.deviceModel,
      firmwareVersion: options.firmwareVersion,
      pollIntervalMs: options.pollIntervalMs ?? 3000,
      rateLimitWaitMs: options.rateLimitWaitMs ?? 60_000,
      backoffInitialMs: options.backoffInitialMs ?? 5000,
      backoffMaximumMs: options.backoffMaximumMs ?? 300_000,
      fallbackCodeLifetimeMs: options.fallbackCodeLifetimeMs ?? 15 * 60_000,
    };
  }

  get state(): RegistrationState {
    return this.#state;
  }

  /** Provisions and polls until registered or stopped. Once only. */
  start(): void {
    if (this.#state !== "idle") return;
    this.#guard(() => this.#provision());
  }

  /** Stops: no timer, no request in flight, no more events. */
  stop(): void {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    if (this.#timer !== undefined) this.#host.timers.clear(this.#timer);
    this.#timer = undefined;
    this.#api.cancel();
  }

  async #provision(): Promise<void> {
    this.#state = "provisioning";
    const reply = await this.#call("/player/provision", "POST", { device_model: this.#options.deviceModel, firmware_version: this.#options.firmwareVersion });
    if (!reply || this.#stopped) return;
    if (reply.status === 429) {
      this.#provisionRateLimits++;
      const doubled = this.#options.rateLimitWaitMs * 2 ** Math.min(this.#provisionRateLimits - 1, 10);
      const wait = Math.max(reply.retryAfterMs ?? 0, Math.min(doubled, PROVISION_RATE_LIMIT_MAXIMUM_MS));
      this.#report("rate_limited", `provisioning rate-limited${detailOf(reply)}`, wait);
      this.#after(wait, () => this.#provision());
      return;
    }
    if (reply.status !== 201 && reply.status !== 200) {
      this.#retryLater("refused", `provisioning answered ${reply.status}${detailOf(reply)}`, () => this.#provision());
      return;
    }
    const body = reply.body;
    const key = stringField(body, "player_key");
    const code = stringField(body, "registration_code");
    if (key === undefined || !isLowercaseUuid(key.toLowerCase()) || code === undefined || !isRegistrationCode(code)) {
      this.#retryLater("malformed", "provisioning reply without a player key and a valid code", () => this.#provision());
      return;
    }
    this.#provisionRateLimits = 0;
    this.#failures = 0;
    this.#playerKey = key.toLowerCase();
    this.#broker = endpointField(body, "mqtt_broker");
    const expiresAtMs = parseIsoTimestamp(stringField(body, "registration_code_expires_at") ?? "");
    const now = this.#host.clock.wallTimeMs();
    let validForMs = expiresAtMs !== undefined && now !== undefined ? expiresAtMs - now : this.#options.fallbackCodeLifetimeMs;
    // A clock far off the service's would make the code look expired (a provisioning loop) or eternal.
    if (validForMs <= 0 || validForMs > LONGEST_CODE_LIFETIME_MS) validForMs = this.#options.fallbackCodeLifetimeMs;
    this.#codeDeadline = this.#host.clock.monotonicMs() + validForMs;
    this.#host.log.write("info", `registration: code ${code} for player ${this.#playerKey.slice(0, 4)}…, valid ${Math.round(validForMs / 1000)} s`);
    this.#state = "polling";
    this.#events.code({ code, expiresAtMs: now !== undefined ? expiresAtMs : undefined, validForMs });
    if (this.#stopped) return;
    this.#after(this.#options.pollIntervalMs, () => this.#poll());
  }

  async #poll(): Promise<void> {
    if (this.#host.clock.monotonicMs() >= this.#codeDeadline) {
      this.#host.log.write("info", "registration: the code expired; provisioning again");
      return this.#provision();
    }
    const reply = await this.#call(`/player/${this.#playerKey}/credentials`, "GET");
    if (!reply || this.#stopped) return;
    if (reply.status === 404) {
      this.#failures = 0;
      this.#after(this.#options.pollIntervalMs, () => this.#poll());
      return;
    }
    if (reply.status === 429) {
      const wait = Math.max(reply.retryAfterMs ?? 0, this.#options.rateLimitWaitMs);
      this.#report("rate_limited", `credentials rate-limited${detailOf(reply)}`, wait);
      this.#after(wait, () => this.#poll());
      return;
    }
    if (reply.status !== 200) {
      this.#retryLater("refused", `credentials answered ${reply.status}${detailOf(reply)}`, () => this.#poll());
      return;
    }
    const body = reply.body;
    const ca = stringField(body, "ca_pem");
    const certificate = stringField(body, "cert_pem");
    const key = stringField(body, "key_pem");
    const broker = endpointField(body, "broker") ?? this.#broker;
    if (!isPem(ca, "CERTIFICATE") || !isPem(certificate, "CERTIFICATE") || !isPem(key, "PRIVATE KEY") || !broker) {
      this.#retryLater("malformed", "credentials reply without the certificate, key, CA and broker", () => this.#poll());
      return;
    }
    const token = stringField(body, "api_token");
    const httpsApi = body!["https_api"];
    const apiBase = typeof httpsApi === "object" && httpsApi !== null && !Array.isArray(httpsApi) ? stringField(httpsApi, "base_url") : undefined;
    this.#state = "registered";
    this.#host.log.write("info", `registration: player ${this.#playerKey.slice(0, 4)}… registered`);
    this.#events.registered({
      playerKey: this.#playerKey,
      ca: ca!,
      certificate: certificate!,
      key: key!,
      broker,
      apiToken: token !== undefined && token !== "" ? token : undefined,
      apiBase,
    });
  }

  /** One API call; on a network failure, reports and schedules `retry`, returning undefined. */
  async #call(path: string, method: "GET" | "POST", json?: { [key: string]: string }): Promise<ApiReply | undefined> {
    try {
      return await this.#api.call(path, json ? { method, json } : { method });
    } catch (error) {
      if (this.#stopped) return undefined;
      if (!(error instanceof ApiNetworkError)) throw error;
      const again = method === "POST" ? () => this.#provision() : () => this.#poll();
      this.#retryLater("network", error.message, again);
      return undefined;
    }
  }

  #retryLater(kind: RegistrationProblemKind, message: string, again: () => Promise<void>): void {
    this.#failures++;
    const wait = retryDelayMs(this.#failures, { backoffInitialMs: this.#options.backoffInitialMs, backoffMaximumMs: this.#options.backoffMaximumMs, retryAfterCapMs: 0 }, this.#unitRandom(), undefined);
    this.#report(kind, message, wait);
    this.#after(wait, again);
  }

  #report(kind: RegistrationProblemKind, message: string, retryInMs: number): void {
    this.#host.log.write("warn", `registration: ${message}; again in ${Math.round(retryInMs / 1000)} s`);
    this.#events.problem?.({ kind, message, retryInMs });
  }

  #after(ms: number, run: () => Promise<void>): void {
    if (this.#stopped) return;
    this.#timer = this.#host.timers.set(() => {
      this.#timer = undefined;
      if (!this.#stopped) this.#guard(run);
    }, ms);
  }

  #guard(run: () => Promise<void>): void {
    run().catch((error: unknown) => {
      if (this.#stopped) return;
      // A bug, not the network: say so and keep the device trying rather than stuck.
      const message = error instanceof HttpError || error instanceof Error ? error.message : String(error);
      this.#retryLater("refused", `unexpected: ${message}`, run);
    });
  }

  get #stopped(): boolean {
    return this.#state === "stopped";
  }

  #unitRandom(): number {
    const bytes = new Uint8Array(2);
    this.#host.random.fill(bytes);
    return (bytes[0]! | (bytes[1]! << 8)) / 65536;
  }
}

function isRegistrationCode(text: string): boolean {
  if (text.length !== 6) return false;
  for (const character of text) if (CODE_ALPHABET.indexOf(character) < 0) return false;
  return true;
}

function detailOf(reply: ApiReply): string {
  return reply.detail !== undefined ? `: ${reply.detail}` : "";
}

function isPem(text: string | undefined, label: string): boolean {
  return text !== undefined && text.indexOf(`-----BEGIN ${label}-----`) >= 0 && text.indexOf(`-----END ${label}-----`) > 0;
}
