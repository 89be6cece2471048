// Certificate expiry and renewal (protocol sheet §2, §7.4 and §9): the policy, the client and the daily
// schedule.
//   - Policy: warn (on the panel) within 90 days of notAfter; renew from 45 days before it; a
//     certificate already expired can still be renewed (the bearer token authenticates, not the cert).
//   - Client: `POST {api}/player/renew-cert` with `Authorization: Bearer {api_token}` → 200 {cert_pem,
//     key_pem, ca_pem, cert_expires_at}; 401 → rotate the token (`POST {api}/player/{key}/token/rotate`,
//     which needs only the player key) and retry once; 429 → rate-limited; 400 → too early.
//   - Schedule: check once a day (and at start); when renewal is due, call the client; back off on 429
//     and network failures. The caller stores the new set atomically, restarts the session with it and
//     keeps the old set until the new one has connected; then it calls `update` with the new facts.
// The tokens and the player key are secrets: nothing here logs them.

import type { Host, TimerId } from "../ports.js";
import { retryDelayMs } from "../net/retry.js";
import { ApiClient, ApiNetworkError, stringField, type ApiReply } from "./api-client.js";
import { parseIsoTimestamp } from "./iso-time.js";
import { readCertificatePem, X509Error } from "./x509.js";

export const WARN_WITHIN_DAYS = 90;
export const RENEW_WITHIN_DAYS = 45;
export const DAY_MS = 86_400_000;

export type ExpiryStage =
  /** More than 90 days left. */
  | "valid"
  /** Within 90 days: tell the owner. */
  | "warn"
  /** Within 45 days: renew (and keep warning). */
  | "renew"
  /** Past notAfter: the broker refuses it; renew at once. */
  | "expired";

export interface ExpiryAdvice {
  stage: ExpiryStage;
  /** Whole days left, rounded down (negative once expired). */
  daysLeft: number;
}

/** What to do about a certificate valid until `notAfterMs`, at wall time `nowMs`. */
export function adviseExpiry(notAfterMs: number, nowMs: number): ExpiryAdvice {
  const leftMs = notAfterMs - nowMs;
  const daysLeft = Math.floor(leftMs / DAY_MS);
  if (leftMs <= 0) return { stage: "expired", daysLeft };
  if (leftMs <= RENEW_WITHIN_DAYS * DAY_MS) return { stage: "renew", daysLeft };
  if (leftMs <= WARN_WITHIN_DAYS * DAY_MS) return { stage: "warn", daysLeft };
  return { stage: "valid", daysLeft };
}

/** Who is renewing: the player key (for rotation) and the bearer token (undefined when lost). */
export interface RenewalIdentity {
  playerKey: string;
  apiToken: string | undefined;
}

/** The new set: PEMs as the service sent them, and facts read from the new certificate. */
export interface RenewedCredentials {
  certificate: string;
  key: string;
  ca: string;
  notAfterMs: number;
}

export type RenewalResult = (
  | { kind: "renewed"; credentials: RenewedCredentials }
  /** 400: the service says the certificate is not within its 90-day window yet. */
  | { kind: "too_early"; detail: string | undefined }
  | { kind: "rate_limited"; retryAfterMs: number | undefined; detail: string | undefined }
  /** 401 after a fresh token, or the rotation refused (404: the player is not registered any more). */
  | { kind: "unauthorized"; detail: string | undefined }
  /** Network failure, 5xx, another status, or a reply without usable PEMs. */
  | { kind: "failed"; reason: string; status: number | undefined }
) & {
  /** The token to keep from now on: a rotated one, or the one given (store it when `tokenRotated`). */
  apiToken: string | undefined;
  tokenRotated: boolean;
};

export interface RenewalClientOptions {
  apiBase: string;
  /** PEM CA of the API's TLS certificate. */
  ca: string;
}

/** The HTTPS calls of renewal. One renewal at a time. */
export class RenewalClient {
  readonly #api: ApiClient;

  constructor(host: Host, options: RenewalClientOptions) {
    this.#api = new ApiClient(host, { apiBase: options.apiBase, ca: options.ca });
  }

  /** Renews; on 401 (or with no token at all) rotates the token once and tries again. Never throws. */
  async renew(identity: RenewalIdentity): Promise<RenewalResult> {
    let token = identity.apiToken;
    let rotated = false;
    try {
      for (let round = 0; round < 2; round++) {
        if (token === undefined) {
          const rotation = await this.#api.call(`/player/${identity.playerKey}/token/rotate`, { method: "POST" });
          const fresh = stringField(rotation.body, "api_token");
          if (rotation.status === 200 && fresh !== undefined && fresh !== "") {
            token = fresh;
            rotated = true;
          } else {
            const base = { apiToken: token, tokenRotated: rotated };
            if (rotation.status === 429) return { kind: "rate_limited", retryAfterMs: rotation.retryAfterMs, detail: rotation.detail, ...base };
            if (rotation.status === 404 || rotation.status === 401) return { kind: "unauthorized", detail: rotation.detail, ...base };
            return { kind: "failed", reason: `token rotation answered ${rotation.status}${suffix(rotation)}`, status: rotation.status, ...base };
          }
        }
        const reply = await this.#api.call("/player/renew-cert", { method: "POST", bearer: token });
        if (reply.status === 401 && !rotated) {
          token = undefined; // revoked or unknown: rotate, then one more try
          continue;
        }
        return { ...judge(reply), apiToken: token, tokenRotated: rotated };
      }
      return { kind: "unauthorized", detail: undefined, apiToken: token, tokenRotated: rotated };
    } catch (error) {
      // ApiNetworkError (no answer) or HttpError "aborted" (stopped): either way, not renewed.
      const reason = error instanceof ApiNetworkError || error instanceof Error ? error.message : String(error);
      return { kind: "failed", reason, status: undefined, apiToken: token, tokenRotated: rotated };
    }
  }

  cancel(): void {
    this.#api.cancel();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A reply's verdict, before the token facts are added. */
type Judged = DistributiveOmit<RenewalResult, "apiToken" | "tokenRotated">;

function judge(reply: ApiReply): Judged {
  if (reply.status === 200) {
    const certificate = stringField(reply.body, "cert_pem");
    const key = stringField(reply.body, "key_pem");
    const ca = stringField(reply.body, "ca_pem");
    if (certificate === undefined || key === undefined || ca === undefined || key.indexOf("-----BEGIN PRIVATE KEY-----") < 0) {
      return { kind: "failed", reason: "renew-cert reply without the certificate, key and CA", status: 200 };
    }
    let notAfterMs: number;
    try {
      notAfterMs = readCertificatePem(certificate).notAfterMs;
    } catch (error) {
      if (!(error instanceof X509Error)) throw error;
      // The certificate is what matters; the service's own date is the fallback.
      const stated = parseIsoTimestamp(stringField(reply.body, "cert_expires_at") ?? "");
      if (stated === undefined) return { kind: "failed", reason: `renewed certificate unreadable: ${error.message}`, status: 200 };
      notAfterMs = stated;
    }
    return { kind: "renewed", credentials: { certificate, key, ca, notAfterMs } };
  }
  if (reply.status === 400) return { kind: "too_early", detail: reply.detail };
  if (reply.status === 401) return { kind: "unauthorized", detail: reply.detail };
  if (reply.status === 429) return { kind: "rate_limited", retryAfterMs: reply.retryAfterMs, detail: reply.detail };
  return { kind: "failed", reason: `renew-cert answered ${reply.status}${suffix(reply)}`, status: reply.status };
}

function suffix(reply: ApiReply): string {
  return reply.detail !== undefined ? `: ${reply.detail}` : "";
}

export interface RenewalEvents {
  /** The certificate is within 90 days (or expired): show it on the panel. Called at each check. */
  expiring?(advice: ExpiryAdvice): void;
  /** A new set: store it atomically (with `result.apiToken`), reconnect, then call `update`. */
  renewed(credentials: RenewedCredentials, result: RenewalResult): void;
  /** The token was rotated but renewal did not succeed: store the new token anyway. */
  tokenChanged?(apiToken: string): void;
  /** An attempt failed; the next is in `retryInMs`. */
  problem?(result: RenewalResult, retryInMs: number): void;
}

export interface RenewalScheduleOptions {
  /** Between checks while nothing is due; default one day (§9). */
  checkIntervalMs?: number;
  /** While the wall clock is unsynced; default one minute. */
  unsyncedRetryMs?: number;
  /** Backoff after a 429 or a failure: first ceiling and maximum (defaults 1 h → 1 day). */
  backoffInitialMs?: number;
  backoffMaximumMs?: number;
}

/** Checks the certificate daily and renews it inside the window. */
export class RenewalSchedule {
  readonly #host: Host;
  readonly #client: RenewalClient;
  readonly #events: RenewalEvents;
  readonly #options: Required<RenewalScheduleOptions>;
  #notAfterMs = 0;
  #identity: RenewalIdentity | undefined;
  #timer: TimerId | undefined;
  #failures = 0;
  #running = false;
  /** Bumped by stop/update: a renewal in flight from before must not report. */
  #generation = 0;

  constructor(host: Host, client: RenewalClient, events: RenewalEvents, options: RenewalScheduleOptions = {}) {
    this.#host = host;
    this.#client = client;
    this.#events = events;
    this.#options = {
      checkIntervalMs: options.checkIntervalMs ?? DAY_MS,
      unsyncedRetryMs: options.unsyncedRetryMs ?? 60_000,
      backoffInitialMs: options.backoffInitialMs ?? 3_600_000,
      backoffMaximumMs: options.backoffMaximumMs ?? DAY_MS,
    };
  }

  /** Starts (or restarts) checking the certificate valid until `notAfterMs`; checks at once. */
  update(notAfterMs: number, identity: RenewalIdentity): void {
    this.#clear();
    this.#generation++;
    this.#notAfterMs = notAfterMs;
    this.#identity = { playerKey: identity.playerKey, apiToken: identity.apiToken };
    this.#failures = 0;
    this.#running = true;
    this.#schedule(0);
  }

  stop(): void {
    this.#running = false;
    this.#generation++;
    this.#clear();
    this.#client.cancel();
  }

  #schedule(ms: number): void {
    this.#clear();
    this.#timer = this.#host.timers.set(() => {
      this.#timer = undefined;
      this.#check().catch((error: unknown) => {
        // An event handler threw: log it and look again tomorrow rather than stop checking.
        this.#host.log.write("error", `renewal: ${error instanceof Error ? error.message : String(error)}`);
        if (this.#running) this.#schedule(this.#options.checkIntervalMs);
      });
    }, ms);
  }

  #clear(): void {
    if (this.#timer !== undefined) this.#host.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  async #check(): Promise<void> {
    if (!this.#running) return;
    const now = this.#host.clock.wallTimeMs();
    if (now === undefined) return this.#schedule(this.#options.unsyncedRetryMs);
    const advice = adviseExpiry(this.#notAfterMs, now);
    if (advice.stage !== "valid") this.#events.expiring?.(advice);
    if (!this.#running) return;
    if (advice.stage !== "renew" && advice.stage !== "expired") return this.#schedule(this.#options.checkIntervalMs);
    const generation = this.#generation;
    this.#host.log.write("info", `renewal: certificate ${advice.stage === "expired" ? "expired" : `expires in ${advice.daysLeft} days`}; renewing`);
    const result = await this.#client.renew(this.#identity!);
    if (generation !== this.#generation || !this.#running) return;
    if (result.tokenRotated && result.apiToken !== undefined) this.#identity!.apiToken = result.apiToken;
    if (result.kind === "renewed") {
      this.#running = false; // until the caller has the new set in use and calls update()
      this.#host.log.write("info", "renewal: new certificate received");
      this.#events.renewed(result.credentials, result);
      return;
    }
    if (result.tokenRotated && result.apiToken !== undefined) this.#events.tokenChanged?.(result.apiToken);
    let wait: number;
    if (result.kind === "too_early" || result.kind === "unauthorized") {
      wait = this.#options.checkIntervalMs; // nothing to gain before tomorrow
    } else {
      this.#failures++;
      const random = new Uint8Array(2);
      this.#host.random.fill(random);
      const retryAfter = result.kind === "rate_limited" ? result.retryAfterMs : undefined;
      const timing = { backoffInitialMs: this.#options.backoffInitialMs, backoffMaximumMs: this.#options.backoffMaximumMs, retryAfterCapMs: this.#options.backoffMaximumMs };
      wait = retryDelayMs(this.#failures, timing, (random[0]! | (random[1]! << 8)) / 65536, retryAfter);
    }
    this.#host.log.write("warn", `renewal: ${describe(result)}; next attempt in ${Math.round(wait / 60_000)} min`);
    this.#events.problem?.(result, wait);
    if (this.#running && generation === this.#generation) this.#schedule(wait);
  }
}

function describe(result: RenewalResult): string {
  switch (result.kind) {
    case "renewed":
      return "renewed";
    case "too_early":
      return `the service says it is too early${result.detail ? `: ${result.detail}` : ""}`;
    case "rate_limited":
      return "rate-limited";
    case "unauthorized":
      return "the service refused the token";
    default:
      return result.reason;
  }
}
