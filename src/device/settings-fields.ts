// The sections of the settings store (src/device/settings.ts) and their checks. Each reader takes
// whatever came from storage, a serial line or a caller, checks it field by field and returns a frozen
// copy, or throws DeviceConfigError naming the field. Every field has a size bound, so a stored section
// is bounded too. Messages never quote a secret (Wi-Fi password, player key, private key, API token).

import { PANEL_SIZES, type Rotation } from "../display/geometry.js";
import { HttpError } from "../net/errors.js";
import { parseHttpUrl } from "../net/url.js";
import { utf8Length } from "../util/utf8.js";
import { DEFAULT_PANEL, DeviceConfigError, isHostName, isLowercaseUuid, readPem, type Credentials, type PanelSize } from "./config.js";

export interface WifiSettings {
  /** 1–32 bytes (802.11). */
  readonly ssid: string;
  /** "" for an open network, else a WPA passphrase (8–63 characters) or 64 hex digits. A secret. */
  readonly password: string;
}

export interface ApiSettings {
  /** The service's HTTPS API base, e.g. "https://makapix.club/api" (no trailing slash). */
  readonly baseUrl: string;
}

export interface BrokerSettings {
  readonly host: string;
  readonly port: number;
}

export interface StoredPanelSettings {
  readonly size: PanelSize;
  readonly colorDepth: number;
  readonly rotation: Rotation;
  readonly mirror: boolean;
  readonly brightness: number;
  /** Which board drives the panel, e.g. "matrixportal-s3" (the host maps it to pins and a memory class). */
  readonly board: string;
}

/** Field bounds, in UTF-8 bytes unless said. PEMs: each of the service's fits in 4 KB (protocol sheet §2). */
export const SETTINGS_LIMITS = Object.freeze({
  ssidBytes: 32,
  passwordBytes: 64,
  urlCharacters: 256,
  hostCharacters: 253,
  boardCharacters: 32,
  caBytes: 8192,
  certificateBytes: 4096,
  keyBytes: 4096,
  apiTokenCharacters: 512,
});

type Fields = { readonly [key: string]: unknown };

function section(value: unknown, field: string): Fields {
  if (value === undefined || value === null) throw new DeviceConfigError(field, "missing", "missing");
  if (typeof value !== "object" || Array.isArray(value)) throw new DeviceConfigError(field, "invalid", "not an object");
  return value as Fields;
}

function text(value: unknown, field: string): string {
  if (value === undefined) throw new DeviceConfigError(field, "missing", "missing");
  if (typeof value !== "string") throw new DeviceConfigError(field, "invalid", "not text");
  return value;
}

/** Byte length, or a typed error for text that cannot be stored (a lone surrogate). */
function byteLength(value: string, field: string): number {
  try {
    return utf8Length(value);
  } catch {
    throw new DeviceConfigError(field, "invalid", "not valid Unicode text");
  }
}

function isHex(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Printable ASCII without spaces (tokens). */
function isTokenText(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

export function readWifi(value: unknown): WifiSettings {
  const input = section(value, "wifi");
  const ssid = text(input["ssid"], "wifi.ssid");
  const ssidBytes = byteLength(ssid, "wifi.ssid");
  if (ssidBytes < 1 || ssidBytes > SETTINGS_LIMITS.ssidBytes) throw new DeviceConfigError("wifi.ssid", ssidBytes === 0 ? "missing" : "invalid", `must be 1–${SETTINGS_LIMITS.ssidBytes} bytes`);
  const password = text(input["password"] ?? "", "wifi.password");
  const passwordBytes = byteLength(password, "wifi.password");
  // WPA2/WPA3-personal: a passphrase of 8–63 characters or a 64-hex-digit key; "" is an open network.
  const ok = passwordBytes === 0 || (passwordBytes >= 8 && passwordBytes <= 63) || (passwordBytes === 64 && isHex(password));
  if (!ok) throw new DeviceConfigError("wifi.password", "invalid", "must be empty (open network), 8–63 characters, or 64 hex digits");
  return Object.freeze({ ssid, password });
}

export function readApi(value: unknown): ApiSettings {
  const input = section(value, "api");
  let url = text(input["baseUrl"], "api.baseUrl");
  if (url === "") throw new DeviceConfigError("api.baseUrl", "missing", "missing");
  if (url.length > SETTINGS_LIMITS.urlCharacters) throw new DeviceConfigError("api.baseUrl", "invalid", `longer than ${SETTINGS_LIMITS.urlCharacters} characters`);
  while (url.endsWith("/")) url = url.slice(0, -1);
  try {
    const parsed = parseHttpUrl(url);
    if (parsed.target.includes("?")) throw new DeviceConfigError("api.baseUrl", "invalid", "a base URL has no query");
  } catch (error) {
    if (error instanceof HttpError) throw new DeviceConfigError("api.baseUrl", "invalid", error.message);
    throw error;
  }
  return Object.freeze({ baseUrl: url });
}

export function readBroker(value: unknown): BrokerSettings {
  const input = section(value, "broker");
  const host = text(input["host"], "broker.host");
  if (host === "") throw new DeviceConfigError("broker.host", "missing", "missing");
  if (host.length > SETTINGS_LIMITS.hostCharacters || !isHostName(host)) {
    throw new DeviceConfigError("broker.host", "invalid", "not a host name or address (give the port separately, no scheme)");
  }
  const port = input["port"];
  if (port === undefined) throw new DeviceConfigError("broker.port", "missing", "missing");
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DeviceConfigError("broker.port", "invalid", "not a port from 1 to 65535");
  }
  return Object.freeze({ host, port });
}

function integerIn(value: unknown, fallback: number, minimum: number, maximum: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum || value > maximum) {
    throw new DeviceConfigError(field, "invalid", `not a whole number from ${minimum} to ${maximum}`);
  }
  return value;
}

/** Missing optional fields take DEFAULT_PANEL's values; `size` and `board` are required. */
export function readStoredPanel(value: unknown): StoredPanelSettings {
  const input = section(value, "panel");
  const size = input["size"];
  if (size === undefined || size === "") throw new DeviceConfigError("panel.size", "missing", "missing");
  if (typeof size !== "string" || !Object.hasOwn(PANEL_SIZES, size)) {
    throw new DeviceConfigError("panel.size", "unsupported", `not a supported panel size (${Object.keys(PANEL_SIZES).join(", ")})`);
  }
  const colorDepth = integerIn(input["colorDepth"], DEFAULT_PANEL.colorDepth, 4, 8, "panel.colorDepth");
  const brightness = integerIn(input["brightness"], DEFAULT_PANEL.brightness, 0, 100, "panel.brightness");
  const rotation = input["rotation"] ?? DEFAULT_PANEL.rotation;
  if (rotation !== 0 && rotation !== 90 && rotation !== 180 && rotation !== 270) throw new DeviceConfigError("panel.rotation", "invalid", "not 0, 90, 180 or 270");
  const mirror = input["mirror"] ?? DEFAULT_PANEL.mirror;
  if (typeof mirror !== "boolean") throw new DeviceConfigError("panel.mirror", "invalid", "not true or false");
  const board = text(input["board"], "panel.board");
  if (board === "") throw new DeviceConfigError("panel.board", "missing", "missing");
  if (board.length > SETTINGS_LIMITS.boardCharacters || !isBoardName(board)) {
    throw new DeviceConfigError("panel.board", "invalid", `not a board name (1–${SETTINGS_LIMITS.boardCharacters} of a-z 0-9 . _ -)`);
  }
  return Object.freeze({ size: size as PanelSize, colorDepth, rotation, mirror, brightness, board });
}

function isBoardName(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 45)) return false;
  }
  return true;
}

function pem(value: unknown, field: string, label: string, maximumBytes: number): string {
  const checked = readPem(value, field, label, maximumBytes);
  if (byteLength(checked, field) > maximumBytes) throw new DeviceConfigError(field, "invalid", `longer than ${maximumBytes} bytes`);
  return checked;
}

/** The player key and the mutual-TLS set. `field` names the section in messages ("credentials", "pendingCredentials"). */
export function readStoredCredentials(value: unknown, field = "credentials"): Readonly<Credentials> {
  const input = section(value, field);
  const playerKey = input["playerKey"];
  if (playerKey === undefined || playerKey === "") throw new DeviceConfigError(`${field}.playerKey`, "missing", "missing");
  if (typeof playerKey !== "string" || !isLowercaseUuid(playerKey)) throw new DeviceConfigError(`${field}.playerKey`, "invalid", "not a player key (a lowercase UUID)");
  return Object.freeze({
    playerKey,
    ca: pem(input["ca"], `${field}.ca`, "CERTIFICATE", SETTINGS_LIMITS.caBytes),
    certificate: pem(input["certificate"], `${field}.certificate`, "CERTIFICATE", SETTINGS_LIMITS.certificateBytes),
    key: pem(input["key"], `${field}.key`, "PRIVATE KEY", SETTINGS_LIMITS.keyBytes),
  });
}

/** The HTTPS API bearer token (§7): a secret. */
export function readApiToken(value: unknown): string {
  const token = text(value, "apiToken");
  if (token === "") throw new DeviceConfigError("apiToken", "missing", "missing");
  if (token.length > SETTINGS_LIMITS.apiTokenCharacters || !isTokenText(token)) {
    throw new DeviceConfigError("apiToken", "invalid", `not a token (1–${SETTINGS_LIMITS.apiTokenCharacters} printable characters, no spaces)`);
  }
  return token;
}
