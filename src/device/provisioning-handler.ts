// The device's side of serial provisioning: reads frames from the Serial port, carries out each request
// on a ProvisioningTarget (the boot state machine implements it) and answers every request, with a
// typed ERROR when it cannot. Garbage on the line is skipped; a corrupted request is answered
// "corrupt" when its header survived, so the PC resends at once instead of waiting for a timeout.
//
// Secrets: no reply or log line from here contains a private key or a full player key. The player key
// is shown redacted (`redactPlayerKey`), log lines are filtered before they are sent, and error
// reasons from the target are filtered the same way.
//
// Memory: the decoder's and encoder's frame buffers (2 × 1,037 B), a 256 B read buffer, the write
// queue (2 frames), and the credential arena (16.6 KiB) only while a credential set is being received.
// (Over 400 lines: one answer per request type of the protocol; framing and credentials are modules of
// their own.)

import type { Log, Serial, Socket, TimerId, Timers } from "../ports.js";
import { SocketWriteError, SocketWriter } from "../util/socket-writer.js";
import { errorMessage } from "../util/errors.js";
import { clipText } from "../util/string-model.js";
import { FIRMWARE_VERSION } from "./firmware.js";
import { CredentialAssembler, DEFAULT_CREDENTIAL_LIMITS, type CredentialLimits } from "./provisioning-credentials.js";
import { FrameDecoder, FrameEncoder, MAX_FRAME, MAX_PAYLOAD, PROTOCOL_VERSION, type Frame, type ProvisioningFrameError } from "./provisioning-frame.js";
import {
  errorCodeNumber,
  FACTORY_RESET_CONFIRM,
  FIELD,
  FieldReader,
  FieldWriter,
  MESSAGE,
  ProvisioningFailure,
  type ProvisioningErrorCode,
} from "./provisioning-messages.js";
import { wizardActionOf, writeWizardStatus } from "./provisioning-wizard.js";
import { redactPlayerKey, scrubSecrets } from "./provisioning-redact.js";
import type { ProvisioningOutcome, ProvisioningTarget } from "./provisioning-target.js";

// The handler's interface types and helpers, so that one import gives a host all it needs.
export { redactPlayerKey, scrubSecrets } from "./provisioning-redact.js";
export { ProvisioningRefused } from "./provisioning-target.js";
export type { ProvisioningCredentials, ProvisioningEndpoints, ProvisioningInfo, ProvisioningOutcome, ProvisioningTarget } from "./provisioning-target.js";

export interface ProvisioningHandlerOptions {
  timers: Timers;
  log: Log;
  /** Quiet time after which a partial frame is given up (ms); default 300. */
  idleMs?: number;
  /** Delay between the REBOOT reply and `target.reboot()` (ms); default 250. */
  actionDelayMs?: number;
  limits?: CredentialLimits;
}

const READ_CHUNK = 256;
const SSID_MAX_BYTES = 32;
const PASSWORD_MAX_BYTES = 64;
const URL_MAX_BYTES = 256;
const HOST_MAX_BYTES = 253;
const CLIENT_MAX_BYTES = 64;
const REASON_MAX_CHARS = 160;
const LOG_LINE_MAX_CHARS = 160;

export class ProvisioningHandler {
  readonly #target: ProvisioningTarget;
  readonly #timers: Timers;
  readonly #log: Log;
  readonly #idleMs: number;
  readonly #actionDelayMs: number;
  readonly #decoder: FrameDecoder;
  readonly #encoder = new FrameEncoder();
  readonly #writer = new SocketWriter(2 * MAX_FRAME);
  readonly #fields = new FieldWriter();
  readonly #reader = new FieldReader();
  readonly #credentials: CredentialAssembler;
  readonly #readBuffer = new Uint8Array(READ_CHUNK);
  #stream: Socket | undefined;
  #idleTimer: TimerId | undefined;
  #actionTimer: TimerId | undefined;
  /** A target operation is running (a promise): other changes are refused as "busy" until it ends. */
  #busy = false;
  /** Replies sent, and requests answered with an error; for diagnostics and tests. */
  replies = 0;
  errors = 0;

  constructor(target: ProvisioningTarget, options: ProvisioningHandlerOptions) {
    this.#target = target;
    this.#timers = options.timers;
    this.#log = options.log;
    this.#idleMs = options.idleMs ?? 300;
    this.#actionDelayMs = options.actionDelayMs ?? 250;
    this.#credentials = new CredentialAssembler(options.limits ?? DEFAULT_CREDENTIAL_LIMITS);
    this.#decoder = new FrameDecoder({
      frame: (frame) => this.#request(frame),
      error: (error) => this.#frameError(error),
    });
  }

  /** Bytes skipped as noise, frames decoded and dropped: what the line looked like. */
  get lineStats(): { skippedBytes: number; framesDecoded: number; framesDropped: number } {
    const d = this.#decoder;
    return { skippedBytes: d.skippedBytes, framesDecoded: d.framesDecoded, framesDropped: d.framesDropped };
  }

  /** Whether a credential set is being received (its arena is held). */
  get receivingCredentials(): boolean {
    return this.#credentials.active;
  }

  /** Opens the line and starts answering. Throws when the port cannot be opened. */
  open(serial: Serial): void {
    this.close();
    const stream = serial.open({
      onReadable: (count) => this.#readable(count),
      onWritable: (count) => this.#writable(count),
      onError: (reason) => {
        this.#log.write("warn", `provisioning: serial line failed: ${reason}`);
        this.#closed();
      },
    });
    this.#stream = stream;
    this.#writer.attach(stream);
    this.#decoder.reset();
  }

  /** Stops answering and closes the line; a pending reboot still happens. */
  close(): void {
    const stream = this.#stream;
    this.#closed();
    stream?.close();
  }

  #closed(): void {
    this.#stream = undefined;
    this.#writer.detach();
    this.#decoder.reset();
    this.#credentials.clear();
    if (this.#idleTimer !== undefined) this.#timers.clear(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #readable(count: number): void {
    const buffer = this.#readBuffer;
    let left = count;
    while (left > 0 && this.#stream) {
      const got = this.#stream.read(left < buffer.length ? buffer.subarray(0, left) : buffer);
      if (got <= 0) break;
      left -= got;
      this.#decoder.push(got === buffer.length ? buffer : buffer.subarray(0, got));
    }
    if (this.#idleTimer !== undefined) this.#timers.clear(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#decoder.pending > 0 && this.#stream) {
      this.#idleTimer = this.#timers.set(() => {
        this.#idleTimer = undefined;
        this.#decoder.idle();
      }, this.#idleMs);
    }
  }

  #writable(count: number): void {
    try {
      this.#writer.onWritable(count);
    } catch (error) {
      this.#log.write("warn", `provisioning: ${errorMessage(error)}`);
      this.close();
    }
  }

  #frameError(error: ProvisioningFrameError): void {
    // Noise is normal on a console line; only frames whose header survived deserve an answer.
    const id = error.requestId;
    const type = error.type ?? 0;
    if (id === undefined || (type & MESSAGE.REPLY) !== 0) return;
    if (error.kind === "version") this.#error(type, id, "version_mismatch", error.message);
    else if (error.kind === "too_large") this.#error(type, id, "too_large", error.message);
    else if (error.kind === "crc") this.#error(type, id, "corrupt", "frame CRC mismatch; send it again");
  }

  #request(frame: Frame): void {
    const { type, requestId } = frame;
    if ((type & MESSAGE.REPLY) !== 0) return; // our own reply echoed back by a loopback: ignore
    try {
      this.#dispatch(type, requestId, frame.payload);
    } catch (error) {
      if (error instanceof ProvisioningFailure) this.#error(type, requestId, error.code, error.reason);
      else this.#error(type, requestId, "internal", errorMessage(error));
    }
  }

  #dispatch(type: number, id: number, payload: Uint8Array): void {
    const r = this.#reader.begin(payload);
    switch (type) {
      case MESSAGE.HELLO: {
        let client = "";
        while (r.next()) if (r.tag === FIELD.CLIENT) client = r.text(CLIENT_MAX_BYTES);
        this.#log.write("info", `provisioning: hello from ${client || "a client"}`);
        this.#sendInfo(type, id);
        return;
      }
      case MESSAGE.INFO:
        this.#sendInfo(type, id);
        return;
      case MESSAGE.SET_WIFI: {
        let ssid: string | undefined;
        let password = "";
        while (r.next()) {
          if (r.tag === FIELD.WIFI_SSID) ssid = r.text(SSID_MAX_BYTES);
          else if (r.tag === FIELD.WIFI_PASSWORD) password = r.text(PASSWORD_MAX_BYTES);
        }
        if (!ssid) throw new ProvisioningFailure("bad_payload", "SSID missing");
        this.#log.write("info", `provisioning: Wi-Fi "${ssid}"`);
        this.#run(type, id, () => this.#target.setWifi(ssid, password));
        return;
      }
      case MESSAGE.SET_ENDPOINTS: {
        let apiBase: string | undefined;
        let brokerHost: string | undefined;
        let brokerPort: number | undefined;
        while (r.next()) {
          if (r.tag === FIELD.API_BASE) apiBase = r.text(URL_MAX_BYTES);
          else if (r.tag === FIELD.BROKER_HOST) brokerHost = r.text(HOST_MAX_BYTES);
          else if (r.tag === FIELD.BROKER_PORT) brokerPort = r.uint();
        }
        if (apiBase === undefined && brokerHost === undefined && brokerPort === undefined) throw new ProvisioningFailure("bad_payload", "no endpoint given");
        if (apiBase !== undefined && !(apiBase.startsWith("https://") || apiBase.startsWith("http://"))) {
          throw new ProvisioningFailure("bad_payload", "API base must start with https:// or http://");
        }
        if (brokerPort !== undefined && (brokerPort < 1 || brokerPort > 65535)) throw new ProvisioningFailure("bad_payload", `broker port ${brokerPort}`);
        if (brokerHost !== undefined && brokerHost.length === 0) throw new ProvisioningFailure("bad_payload", "empty broker host");
        this.#run(type, id, () => this.#target.setEndpoints({ apiBase, brokerHost, brokerPort }));
        return;
      }
      case MESSAGE.PUT_CREDENTIAL: {
        let item = -1;
        let offset = -1;
        let total = -1;
        let data: Uint8Array | undefined;
        while (r.next()) {
          if (r.tag === FIELD.CREDENTIAL_ITEM) item = r.uint();
          else if (r.tag === FIELD.OFFSET) offset = r.uint();
          else if (r.tag === FIELD.TOTAL) total = r.uint();
          else if (r.tag === FIELD.DATA) data = r.bytes();
        }
        if (item < 0 || offset < 0 || total < 0 || !data) throw new ProvisioningFailure("bad_payload", "item, offset, total and data are required");
        if (this.#busy) throw new ProvisioningFailure("busy", "a previous request is still running");
        const received = this.#credentials.chunk(item, offset, total, data);
        this.#reply(type, id, this.#payload().uint(FIELD.RECEIVED, received));
        return;
      }
      case MESSAGE.COMMIT_CREDENTIALS: {
        if (this.#busy) throw new ProvisioningFailure("busy", "a previous request is still running");
        const credentials = this.#credentials.commit();
        this.#log.write("info", "provisioning: credential set received, storing it");
        this.#run(type, id, () => this.#target.putCredentials(credentials));
        return;
      }
      case MESSAGE.START_REGISTRATION:
        this.#run(type, id, () => this.#target.startRegistration());
        return;
      case MESSAGE.FACTORY_RESET: {
        let confirm = "";
        while (r.next()) if (r.tag === FIELD.CONFIRM) confirm = r.text(32);
        if (confirm !== FACTORY_RESET_CONFIRM) throw new ProvisioningFailure("bad_payload", `confirm with "${FACTORY_RESET_CONFIRM}"`);
        this.#log.write("warn", "provisioning: factory reset requested");
        this.#credentials.clear();
        this.#run(type, id, () => this.#target.factoryReset());
        return;
      }
      case MESSAGE.REBOOT:
        if (this.#busy) throw new ProvisioningFailure("busy", "a previous request is still running");
        this.#reply(type, id, this.#payload());
        this.#log.write("info", "provisioning: reboot requested");
        if (this.#actionTimer === undefined) {
          this.#actionTimer = this.#timers.set(() => {
            this.#actionTimer = undefined;
            this.#target.reboot();
          }, this.#actionDelayMs);
        }
        return;
      case MESSAGE.RECENT_LOG: {
        let from = 0;
        while (r.next()) if (r.tag === FIELD.LOG_FROM) from = r.uint();
        this.#sendLog(type, id, from);
        return;
      }
      case MESSAGE.PANEL_WIZARD: {
        let code = -1;
        while (r.next()) if (r.tag === FIELD.WIZARD_ACTION) code = r.uint();
        const action = wizardActionOf(code);
        if (action === undefined) throw new ProvisioningFailure("bad_payload", code < 0 ? "wizard action missing" : `wizard action ${code}`);
        if (this.#busy) throw new ProvisioningFailure("busy", "a previous request is still running");
        const wizard = this.#target.panelWizard;
        if (!wizard) throw new ProvisioningFailure("refused", "this device has no panel wizard");
        if (action !== "status") this.#log.write("info", `provisioning: panel wizard ${action}`);
        this.#reply(type, id, writeWizardStatus(this.#payload(), wizard.call(this.#target, action)));
        return;
      }
      default:
        throw new ProvisioningFailure("unknown_command", `message type ${type}`);
    }
  }

  /** Runs a target operation and replies when it is done; while a promise runs, changes are "busy". */
  #run(type: number, id: number, operation: () => ProvisioningOutcome): void {
    if (this.#busy) throw new ProvisioningFailure("busy", "a previous request is still running");
    const outcome = operation();
    if (outcome instanceof Promise) {
      this.#busy = true;
      outcome.then(
        () => {
          this.#busy = false;
          this.#reply(type, id, this.#payload());
        },
        (error: unknown) => {
          this.#busy = false;
          if (error instanceof ProvisioningFailure) this.#error(type, id, error.code, error.reason);
          else this.#error(type, id, "internal", errorMessage(error));
        },
      );
      return;
    }
    this.#reply(type, id, this.#payload());
  }

  #payload(): FieldWriter {
    return this.#fields.begin(this.#encoder.begin(0, 0));
  }

  #sendInfo(type: number, id: number): void {
    const info = this.#target.info();
    const w = this.#payload()
      .uint(FIELD.PROTOCOL_VERSION, PROTOCOL_VERSION)
      .uint(FIELD.MAX_PAYLOAD, MAX_PAYLOAD)
      .text(FIELD.FIRMWARE_VERSION, FIRMWARE_VERSION)
      .text(FIELD.STATE, clipText(info.state, 40))
      .uint(FIELD.HAS_CREDENTIALS, info.hasCredentials ? 1 : 0);
    if (info.playerKey) w.text(FIELD.PLAYER_KEY, redactPlayerKey(info.playerKey));
    if (info.certNotAfterMs !== undefined) w.uint(FIELD.CERT_NOT_AFTER, Math.floor(info.certNotAfterMs / 1000));
    if (info.wifiSsid !== undefined) w.text(FIELD.WIFI_SSID, clipText(info.wifiSsid, 32));
    if (info.apiBase !== undefined) w.text(FIELD.API_BASE, clipText(info.apiBase, 200));
    if (info.brokerHost !== undefined) w.text(FIELD.BROKER_HOST, clipText(info.brokerHost, 200));
    if (info.brokerPort !== undefined) w.uint(FIELD.BROKER_PORT, info.brokerPort);
    if (info.wifiUp !== undefined) w.uint(FIELD.WIFI_UP, info.wifiUp ? 1 : 0);
    if (info.retryInMs !== undefined) w.uint(FIELD.RETRY_IN, Math.max(0, Math.round(info.retryInMs)));
    if (info.lastError !== undefined) w.text(FIELD.LAST_ERROR, clipText(scrubSecrets(info.lastError, info.playerKey), REASON_MAX_CHARS));
    this.#reply(type, id, w);
  }

  /** As many log lines from `from` on as fit in one frame; LOG_NEXT says where the next page starts. */
  #sendLog(type: number, id: number, from: number): void {
    const lines = this.#target.recentLog();
    const key = this.#target.info().playerKey;
    const w = this.#payload().uint(FIELD.LOG_TOTAL, lines.length);
    let next = from;
    while (next < lines.length) {
      const line = clipText(scrubSecrets(lines[next]!, key), LOG_LINE_MAX_CHARS);
      const before = w.length;
      try {
        w.text(FIELD.LOG_LINE, line);
      } catch {
        break; // does not fit this page (a line of LOG_LINE_MAX_CHARS always fits an empty one)
      }
      if (w.room < 4) {
        w.truncate(before); // LOG_NEXT must fit
        break;
      }
      next++;
    }
    w.uint(FIELD.LOG_NEXT, next);
    this.#reply(type, id, w);
  }

  #reply(type: number, id: number, w: FieldWriter): void {
    this.#encoder.begin(type | MESSAGE.REPLY, id);
    this.#send(this.#encoder.finish(w.length));
    this.replies++;
  }

  #error(type: number, id: number, code: ProvisioningErrorCode, reason: string): void {
    this.errors++;
    const key = this.#safeKey();
    const w = this.#fields
      .begin(this.#encoder.begin(MESSAGE.ERROR, id))
      .uint(FIELD.ERROR_CODE, errorCodeNumber(code))
      .uint(FIELD.COMMAND, type)
      .text(FIELD.REASON, clipText(scrubSecrets(reason, key), REASON_MAX_CHARS));
    if (code === "version_mismatch") w.uint(FIELD.PROTOCOL_VERSION, PROTOCOL_VERSION);
    this.#send(this.#encoder.finish(w.length));
    this.#log.write("info", `provisioning: request ${type} refused (${code}): ${clipText(scrubSecrets(reason, key), REASON_MAX_CHARS)}`);
  }

  #safeKey(): string | undefined {
    try {
      return this.#target.info().playerKey;
    } catch {
      return undefined;
    }
  }

  #send(frame: Uint8Array): void {
    if (!this.#stream) return;
    try {
      this.#writer.write(frame);
    } catch (error) {
      this.#log.write("warn", `provisioning: reply dropped: ${errorMessage(error)}`);
      // queue_full: the PC stopped reading; it will time out and ask again. A failing port is closed.
      if (error instanceof SocketWriteError && error.kind === "socket") this.close();
    }
  }
}
