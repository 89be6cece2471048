// The PC's side of serial provisioning, independent of the transport: tools/provision drives it over a
// serial port, a PTY or TCP, and the tests over an in-memory line. One request at a time; a lost or
// corrupted reply is asked for again (a new request id, so a late reply to the old one is ignored).
//
// It lives in src/ with the device's side so that both use one codec; it needs only the Timers port.

import type { Timers, TimerId } from "../ports.js";
import { utf8Encode } from "../util/utf8.js";
import { FrameDecoder, FrameEncoder, MAX_PAYLOAD, type ProvisioningFrameError } from "./provisioning-frame.js";
import {
  CREDENTIAL_ITEM,
  errorCodeName,
  FACTORY_RESET_CONFIRM,
  FIELD,
  FieldReader,
  FieldWriter,
  MESSAGE,
  WIZARD_ACTION,
  type ProvisioningErrorCode,
} from "./provisioning-messages.js";

/** What the device says about itself; the player key comes redacted. */
export interface DeviceInfo {
  protocolVersion: number;
  maxPayload: number;
  firmwareVersion: string;
  state: string;
  hasCredentials: boolean;
  playerKey?: string;
  /** Seconds since 1970 UTC. */
  certNotAfter?: number;
  wifiSsid?: string;
  apiBase?: string;
  brokerHost?: string;
  brokerPort?: number;
  /** The boot machine's last failure (a newer device; may be old unless `retryInMs` is set). */
  lastError?: string;
  /** While a failed boot step waits: ms until it is tried again (a newer device). */
  retryInMs?: number;
  /** On its Wi-Fi (a newer device; undefined from an older one). */
  wifiUp?: boolean;
}

/**
 * timeout: no reply in time (no device, or another firmware); closed: the line closed; refused: the
 * device answered with a typed error (`code`, `reason`).
 */
export type ClientErrorKind = "timeout" | "closed" | "refused";

export class ProvisioningClientError extends Error {
  override readonly name = "ProvisioningClientError";
  readonly kind: ClientErrorKind;
  readonly code: ProvisioningErrorCode | undefined;
  readonly reason: string;
  /** The device's protocol version, in a version_mismatch error. */
  readonly deviceVersion: number | undefined;

  constructor(kind: ClientErrorKind, reason: string, code?: ProvisioningErrorCode, deviceVersion?: number) {
    super(code ? `${code}: ${reason}` : reason);
    this.kind = kind;
    this.code = code;
    this.reason = reason;
    this.deviceVersion = deviceVersion;
  }
}

export interface ProvisioningClientOptions {
  /** How long one attempt waits for its reply (ms); default 2000. */
  timeoutMs?: number;
  /** Attempts after the first when a reply is lost or corrupted; default 2. */
  retries?: number;
}

/** The panel wizard as the device reports it (PANEL_WIZARD). */
export interface WizardReport {
  /** running | saved | cancelled | timed out | failed | idle (none ran since the device started). */
  state: string;
  step?: string;
  stepNumber?: number;
  stepCount?: number;
  candidate?: string;
  candidateNumber?: number;
  candidateCount?: number;
  hint?: string;
  drive?: string;
  problem?: string;
}

export type WizardRequest = keyof typeof WIZARD_ACTION;

/** A credential set as PEM text, as downloaded from the website. */
export interface CredentialSet {
  ca: string;
  certificate: string;
  key: string;
  playerKey?: string | undefined;
  apiToken?: string | undefined;
}

interface Pending {
  id: number;
  type: number;
  resolve(payload: Uint8Array): void;
  reject(error: ProvisioningClientError): void;
  timer: TimerId;
}

/** Data bytes per PUT_CREDENTIAL frame: the payload less the item, offset, total and data headers. */
const CHUNK_BYTES = MAX_PAYLOAD - 3 * 7 - 3;

export class ProvisioningClient {
  readonly #write: (bytes: Uint8Array) => void;
  readonly #timers: Timers;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #encoder = new FrameEncoder();
  readonly #fields = new FieldWriter();
  readonly #reader = new FieldReader();
  readonly #decoder: FrameDecoder;
  #nextId = 1;
  #pending: Pending | undefined;
  #closed = false;
  /** Frames dropped on the way back (CRC, header), for the progress output. */
  corruptReplies = 0;

  /** `write` sends bytes to the device (the transport copies them if it keeps them). */
  constructor(write: (bytes: Uint8Array) => void, timers: Timers, options: ProvisioningClientOptions = {}) {
    this.#write = write;
    this.#timers = timers;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#retries = options.retries ?? 2;
    this.#decoder = new FrameDecoder({
      frame: (frame) => this.#reply(frame.type, frame.requestId, frame.payload),
      error: (error) => this.#frameError(error),
    });
  }

  /** Bytes on the line that were not frames (boot messages, logs, another firmware's output). */
  get noiseBytes(): number {
    return this.#decoder.skippedBytes;
  }

  /** Feeds bytes read from the line. */
  receive(bytes: Uint8Array): void {
    this.#decoder.push(bytes);
  }

  /** The line closed: the request in flight fails, later ones fail at once. */
  close(reason = "line closed"): void {
    this.#closed = true;
    const pending = this.#pending;
    if (pending) {
      this.#pending = undefined;
      this.#timers.clear(pending.timer);
      pending.reject(new ProvisioningClientError("closed", reason));
    }
  }

  /**
   * Sends a request built by `build` and resolves with a copy of the reply's payload. Retries after a
   * timeout or a "corrupt" answer; rejects with ProvisioningClientError.
   */
  async request(type: number, build: (fields: FieldWriter) => void = () => {}, timeoutMs = this.#timeoutMs, retries = this.#retries): Promise<Uint8Array> {
    let lastError: ProvisioningClientError | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        return await this.#attempt(type, build, timeoutMs);
      } catch (error) {
        if (!(error instanceof ProvisioningClientError)) throw error;
        lastError = error;
        const again = error.kind === "timeout" || (error.kind === "refused" && error.code === "corrupt");
        if (!again) throw error;
        this.#decoder.idle(); // a half reply will not be completed now
      }
    }
    throw lastError!;
  }

  /** The first request: `timeoutMs` and `retries` apply to it only (a board may still be booting). */
  async hello(client: string, timeoutMs = this.#timeoutMs, retries = this.#retries): Promise<DeviceInfo> {
    return this.#readInfo(await this.request(MESSAGE.HELLO, (w) => w.text(FIELD.CLIENT, client), timeoutMs, retries));
  }

  async info(): Promise<DeviceInfo> {
    return this.#readInfo(await this.request(MESSAGE.INFO));
  }

  async setWifi(ssid: string, password: string): Promise<void> {
    await this.request(MESSAGE.SET_WIFI, (w) => w.text(FIELD.WIFI_SSID, ssid).text(FIELD.WIFI_PASSWORD, password));
  }

  async setEndpoints(endpoints: { apiBase?: string; brokerHost?: string; brokerPort?: number }): Promise<void> {
    await this.request(MESSAGE.SET_ENDPOINTS, (w) => {
      if (endpoints.apiBase !== undefined) w.text(FIELD.API_BASE, endpoints.apiBase);
      if (endpoints.brokerHost !== undefined) w.text(FIELD.BROKER_HOST, endpoints.brokerHost);
      if (endpoints.brokerPort !== undefined) w.uint(FIELD.BROKER_PORT, endpoints.brokerPort);
    });
  }

  /** Sends every item in chunks, then commits the set. `progress(sent, total)` counts bytes. */
  async putCredentials(set: CredentialSet, progress: (sent: number, total: number) => void = () => {}): Promise<void> {
    const items: [number, Uint8Array][] = [
      [CREDENTIAL_ITEM.CA, utf8Encode(set.ca)],
      [CREDENTIAL_ITEM.CERTIFICATE, utf8Encode(set.certificate)],
      [CREDENTIAL_ITEM.KEY, utf8Encode(set.key)],
    ];
    if (set.playerKey !== undefined) items.push([CREDENTIAL_ITEM.PLAYER_KEY, utf8Encode(set.playerKey)]);
    if (set.apiToken !== undefined) items.push([CREDENTIAL_ITEM.API_TOKEN, utf8Encode(set.apiToken)]);
    let total = 0;
    for (const [, bytes] of items) total += bytes.length;
    let sent = 0;
    for (const [item, bytes] of items) {
      let offset = 0;
      while (offset < bytes.length) {
        const data = bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK_BYTES));
        const at = offset;
        let received: number;
        try {
          received = this.#uint(await this.request(MESSAGE.PUT_CREDENTIAL, (w) => chunkFields(w, item, at, bytes.length, data)), FIELD.RECEIVED);
        } catch (error) {
          // A retried chunk the device had already taken: it expects the next offset. Restart the item.
          if (at === 0 || !(error instanceof ProvisioningClientError) || error.code !== "bad_payload") throw error;
          sent -= offset;
          offset = 0;
          continue;
        }
        if (received !== at + data.length) throw new ProvisioningClientError("refused", `device holds ${received} bytes, expected ${at + data.length}`, "bad_payload");
        offset = received;
        sent += data.length;
        progress(sent, total);
      }
    }
    await this.request(MESSAGE.COMMIT_CREDENTIALS, undefined, this.#timeoutMs * 4);
  }

  async startRegistration(): Promise<void> {
    await this.request(MESSAGE.START_REGISTRATION);
  }

  async factoryReset(): Promise<void> {
    await this.request(MESSAGE.FACTORY_RESET, (w) => w.text(FIELD.CONFIRM, FACTORY_RESET_CONFIRM), this.#timeoutMs * 4);
  }

  async reboot(): Promise<void> {
    await this.request(MESSAGE.REBOOT);
  }

  /** Drives the panel wizard: START, NEXT, CONFIRM, SKIP, CANCEL or STATUS; resolves with where it is. */
  async panelWizard(action: WizardRequest): Promise<WizardReport> {
    const payload = await this.request(MESSAGE.PANEL_WIZARD, (w) => w.uint(FIELD.WIZARD_ACTION, WIZARD_ACTION[action]));
    const report: WizardReport = { state: "" };
    const r = this.#reader.begin(payload);
    while (r.next()) {
      switch (r.tag) {
        case FIELD.WIZARD_STATE: report.state = r.text(MAX_PAYLOAD); break;
        case FIELD.WIZARD_STEP: report.step = r.text(MAX_PAYLOAD); break;
        case FIELD.WIZARD_STEP_NUMBER: report.stepNumber = r.uint(); break;
        case FIELD.WIZARD_STEP_COUNT: report.stepCount = r.uint(); break;
        case FIELD.WIZARD_CANDIDATE: report.candidate = r.text(MAX_PAYLOAD); break;
        case FIELD.WIZARD_CANDIDATE_NUMBER: report.candidateNumber = r.uint(); break;
        case FIELD.WIZARD_CANDIDATE_COUNT: report.candidateCount = r.uint(); break;
        case FIELD.WIZARD_HINT: report.hint = r.text(MAX_PAYLOAD); break;
        case FIELD.WIZARD_DRIVE: report.drive = r.text(MAX_PAYLOAD); break;
        case FIELD.WIZARD_PROBLEM: report.problem = r.text(MAX_PAYLOAD); break;
        default: break; // a newer device's field
      }
    }
    return report;
  }

  /** Every line the device keeps, oldest first, fetched page by page (at most `maximumPages`). */
  async recentLog(maximumPages = 64): Promise<string[]> {
    const lines: string[] = [];
    let from = 0;
    for (let page = 0; page < maximumPages; page++) {
      const payload = await this.request(MESSAGE.RECENT_LOG, (w) => w.uint(FIELD.LOG_FROM, from));
      const r = this.#reader.begin(payload);
      let next = from;
      let total = 0;
      while (r.next()) {
        if (r.tag === FIELD.LOG_LINE) lines.push(r.text(MAX_PAYLOAD));
        else if (r.tag === FIELD.LOG_NEXT) next = r.uint();
        else if (r.tag === FIELD.LOG_TOTAL) total = r.uint();
      }
      if (next <= from || next >= total) break;
      from = next;
    }
    return lines;
  }

  #attempt(type: number, build: (fields: FieldWriter) => void, timeoutMs: number): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new ProvisioningClientError("closed", "line closed"));
    if (this.#pending) return Promise.reject(new Error("one request at a time"));
    const id = this.#nextId;
    this.#nextId = this.#nextId === 0xffff ? 1 : this.#nextId + 1;
    const w = this.#fields.begin(this.#encoder.begin(type, id));
    build(w);
    const frame = this.#encoder.finish(w.length);
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = this.#timers.set(() => {
        if (this.#pending?.id !== id) return;
        this.#pending = undefined;
        reject(new ProvisioningClientError("timeout", `no reply to request ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending = { id, type, resolve, reject, timer };
      try {
        this.#write(frame);
      } catch (error) {
        this.close(error instanceof Error ? error.message : String(error));
      }
    });
  }

  #reply(type: number, id: number, payload: Uint8Array): void {
    const pending = this.#pending;
    if (!pending || pending.id !== id) return; // a late reply to an abandoned attempt
    if (type === MESSAGE.ERROR) {
      this.#settle(pending);
      pending.reject(this.#readError(payload));
    } else if (type === (pending.type | MESSAGE.REPLY)) {
      this.#settle(pending);
      pending.resolve(payload.slice());
    }
  }

  #frameError(error: ProvisioningFrameError): void {
    this.corruptReplies++;
    const pending = this.#pending;
    if (error.kind === "version" && pending && error.requestId === pending.id) {
      this.#settle(pending);
      pending.reject(new ProvisioningClientError("refused", error.message, "version_mismatch"));
    }
  }

  #settle(pending: Pending): void {
    this.#pending = undefined;
    this.#timers.clear(pending.timer);
  }

  #readError(payload: Uint8Array): ProvisioningClientError {
    let code: ProvisioningErrorCode = "internal";
    let reason = "";
    let version: number | undefined;
    try {
      const r = this.#reader.begin(payload);
      while (r.next()) {
        if (r.tag === FIELD.ERROR_CODE) code = errorCodeName(r.uint());
        else if (r.tag === FIELD.REASON) reason = r.text(MAX_PAYLOAD);
        else if (r.tag === FIELD.PROTOCOL_VERSION) version = r.uint();
      }
    } catch {
      reason = reason || "unreadable error reply";
    }
    return new ProvisioningClientError("refused", reason || code, code, version);
  }

  #readInfo(payload: Uint8Array): DeviceInfo {
    const info: DeviceInfo = { protocolVersion: 0, maxPayload: 0, firmwareVersion: "", state: "", hasCredentials: false };
    const r = this.#reader.begin(payload);
    while (r.next()) {
      switch (r.tag) {
        case FIELD.PROTOCOL_VERSION: info.protocolVersion = r.uint(); break;
        case FIELD.MAX_PAYLOAD: info.maxPayload = r.uint(); break;
        case FIELD.FIRMWARE_VERSION: info.firmwareVersion = r.text(MAX_PAYLOAD); break;
        case FIELD.STATE: info.state = r.text(MAX_PAYLOAD); break;
        case FIELD.HAS_CREDENTIALS: info.hasCredentials = r.uint() !== 0; break;
        case FIELD.PLAYER_KEY: info.playerKey = r.text(MAX_PAYLOAD); break;
        case FIELD.CERT_NOT_AFTER: info.certNotAfter = r.uint(); break;
        case FIELD.WIFI_SSID: info.wifiSsid = r.text(MAX_PAYLOAD); break;
        case FIELD.API_BASE: info.apiBase = r.text(MAX_PAYLOAD); break;
        case FIELD.BROKER_HOST: info.brokerHost = r.text(MAX_PAYLOAD); break;
        case FIELD.BROKER_PORT: info.brokerPort = r.uint(); break;
        case FIELD.LAST_ERROR: info.lastError = r.text(MAX_PAYLOAD); break;
        case FIELD.RETRY_IN: info.retryInMs = r.uint(); break;
        case FIELD.WIFI_UP: info.wifiUp = r.uint() !== 0; break;
        default: break; // a newer device's field
      }
    }
    return info;
  }

  #uint(payload: Uint8Array, tag: number): number {
    const r = this.#reader.begin(payload);
    while (r.next()) if (r.tag === tag) return r.uint();
    return -1;
  }
}

function chunkFields(w: FieldWriter, item: number, offset: number, total: number, data: Uint8Array): void {
  w.uint(FIELD.CREDENTIAL_ITEM, item).uint(FIELD.OFFSET, offset).uint(FIELD.TOTAL, total).bytes(FIELD.DATA, data);
}
