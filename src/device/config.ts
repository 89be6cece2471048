// The device's configuration as data: what a settings store, a provisioning step or a host binding
// hands to the device layer. `readDeviceConfig` checks it field by field and returns a complete,
// frozen copy with defaults filled in; anything wrong is a DeviceConfigError naming the field, so a
// boot sequence can tell "no credentials yet" (go and register) from "bad panel setting".
// Values may come from storage or a serial line, so every field is checked at run time whatever its
// static type says. Messages never quote credentials.

import { CHANNEL_NAMES, type ChannelSpec } from "../makapix/channels.js";
import type { MakapixPlayerOptions } from "../makapix/player.js";
import type { SchedulerOptions } from "../makapix/scheduler.js";
import { PANEL_SIZES, type Rotation } from "../display/geometry.js";
import { HttpError } from "../net/errors.js";
import { parseHttpUrl } from "../net/url.js";
import { memoryClassProfile, type MemoryClass, type MemoryClassProfile } from "./memory-class.js";

export type PanelSize = keyof typeof PANEL_SIZES;

export interface PanelSettings {
  size: PanelSize;
  /** Bits per colour channel (Binary Code Modulation depth), 4–8; default 8. */
  colorDepth?: number;
  /** How the panel is mounted: 0, 90, 180 or 270 degrees clockwise; default 0. */
  rotation?: Rotation;
  /** Mirrored horizontally; default false. */
  mirror?: boolean;
  /** 0–100 %; default 80. */
  brightness?: number;
}

/** What registration (or an owner) delivers: the player key and the mTLS set, as PEM text. */
export interface Credentials {
  /** A lowercase UUID; a secret (it fetches the private key), never logged in full. */
  playerKey: string;
  /** The CA that signed the broker's certificate. */
  ca: string;
  certificate: string;
  /** Unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), what the service issues and Moddable's TLS takes. */
  key: string;
}

export type MqttTuning = NonNullable<MakapixPlayerOptions["mqtt"]>;

export interface DeviceConfig {
  panel: PanelSettings;
  /** The board's memory class (src/device/memory-class.ts). */
  memoryClass: MemoryClass;
  /** Replaces the class's frame budget (a PC running the virtual device has room for long animations). */
  frameBudgetBytes?: number;
  broker: { host: string; port: number };
  credentials: Credentials;
  /** Vault base URL (a trailing slash is dropped) and, for https, the CA its certificate chains to. */
  vault: { url: string; ca?: string };
  /** What to play after connecting; default the promoted channel. */
  initialChannel?: ChannelSpec;
  scheduler?: SchedulerOptions;
  mqtt?: MqttTuning;
}

/** A checked configuration: every default filled in, the memory class resolved, all of it frozen. */
export interface ResolvedDeviceConfig {
  readonly panel: Readonly<Required<PanelSettings>> & { readonly width: number; readonly height: number };
  readonly memory: MemoryClassProfile;
  readonly frameBudgetBytes: number;
  readonly broker: Readonly<{ host: string; port: number }>;
  readonly credentials: Readonly<Credentials>;
  readonly vault: Readonly<{ url: string; ca?: string }>;
  readonly initialChannel: ChannelSpec | undefined;
  readonly scheduler: SchedulerOptions | undefined;
  readonly mqtt: MqttTuning | undefined;
}

/** "missing": absent or empty; "invalid": present but malformed; "unsupported": well-formed but not possible here. */
export type ConfigProblem = "missing" | "invalid" | "unsupported";

export class DeviceConfigError extends Error {
  override readonly name = "DeviceConfigError";
  /** Dotted path of the offending field, e.g. "panel.size" or "credentials.key". */
  readonly field: string;
  readonly problem: ConfigProblem;

  constructor(field: string, problem: ConfigProblem, detail: string) {
    super(`${field}: ${detail}`);
    this.field = field;
    this.problem = problem;
  }
}

export const DEFAULT_PANEL: Readonly<Required<Omit<PanelSettings, "size">>> = Object.freeze({ colorDepth: 8, rotation: 0, mirror: false, brightness: 80 });

/** PEM sizes: the service's PEMs fit in 4 KB each (protocol sheet §2); a CA file may hold a short chain. */
const MAXIMUM_PEM_CHARACTERS = 8 * 1024;
const MAXIMUM_CA_CHARACTERS = 16 * 1024;
/** A frame budget beyond this is a typo, not a board. */
const MAXIMUM_FRAME_BUDGET = 64 * 1024 * 1024;
const MAXIMUM_HOST_CHARACTERS = 253;

type Fields = { readonly [key: string]: unknown };

export type ResolvedPanelSettings = ResolvedDeviceConfig["panel"];

/** Checks `config` and returns it complete and frozen; throws DeviceConfigError on the first bad field. */
export function readDeviceConfig(config: DeviceConfig): ResolvedDeviceConfig {
  const input = section(config, "config");
  const { memory, panel } = readPanelConfig(config);
  const frameBudgetBytes = input["frameBudgetBytes"] === undefined ? memory.frameBudgetBytes : readFrameBudget(input["frameBudgetBytes"]);
  const broker = readBroker(section(input["broker"], "broker"));
  const credentials = readCredentials(section(input["credentials"], "credentials"));
  const vault = readVault(section(input["vault"], "vault"));
  const initialChannel = input["initialChannel"] === undefined ? undefined : readChannel(input["initialChannel"]);
  return Object.freeze({
    panel,
    memory,
    frameBudgetBytes,
    broker,
    credentials,
    vault,
    initialChannel,
    scheduler: optionalObject<SchedulerOptions>(input["scheduler"], "scheduler"),
    mqtt: optionalObject<MqttTuning>(input["mqtt"], "mqtt"),
  });
}

/**
 * Only the panel and the memory class: what a boot sequence needs to light the panel (status
 * screens) before it has a network or credentials.
 */
export function readPanelConfig(config: Pick<DeviceConfig, "panel" | "memoryClass">): { memory: MemoryClassProfile; panel: ResolvedPanelSettings } {
  const input = section(config, "config");
  const memory = readMemoryClass(input["memoryClass"]);
  return { memory, panel: readPanel(section(input["panel"], "panel"), memory) };
}

function section(value: unknown, field: string): Fields {
  if (value === undefined || value === null) throw new DeviceConfigError(field, "missing", "missing");
  if (typeof value !== "object" || Array.isArray(value)) throw new DeviceConfigError(field, "invalid", "not an object");
  return value as Fields;
}

function optionalObject<T>(value: unknown, field: string): T | undefined {
  return value === undefined ? undefined : (section(value, field) as T);
}

function readMemoryClass(value: unknown): MemoryClassProfile {
  if (value === undefined || value === "") throw new DeviceConfigError("memoryClass", "missing", 'missing ("small" or "large")');
  const profile = memoryClassProfile(value);
  if (!profile) throw new DeviceConfigError("memoryClass", "unsupported", `${quote(value)} is not a memory class ("small" or "large")`);
  return profile;
}

function readPanel(panel: Fields, memory: MemoryClassProfile): ResolvedDeviceConfig["panel"] {
  const size = panel["size"];
  if (size === undefined || size === "") throw new DeviceConfigError("panel.size", "missing", "missing");
  if (typeof size !== "string" || !Object.hasOwn(PANEL_SIZES, size)) {
    throw new DeviceConfigError("panel.size", "unsupported", `${quote(size)} is not a supported panel size (${Object.keys(PANEL_SIZES).join(", ")})`);
  }
  const { width, height } = PANEL_SIZES[size as PanelSize];
  if (width * height > memory.maximumPanelPixels) {
    // The owner reads this (serial log, `lastError`): which panels this board drives, and what a larger one needs.
    const fitting = (Object.keys(PANEL_SIZES) as PanelSize[]).filter((name) => PANEL_SIZES[name].width * PANEL_SIZES[name].height <= memory.maximumPanelPixels);
    throw new DeviceConfigError(
      "panel.size",
      "unsupported",
      `a ${size} panel is too big for this board: the ${memory.name} memory class (${memory.boards}) drives ${fitting.join(", ")} panels; a ${size} panel needs the large class (ESP32-S3 with PSRAM)`,
    );
  }
  const colorDepth = integerIn(panel["colorDepth"], DEFAULT_PANEL.colorDepth, 4, 8, "panel.colorDepth");
  const brightness = integerIn(panel["brightness"], DEFAULT_PANEL.brightness, 0, 100, "panel.brightness");
  const rotation = panel["rotation"] ?? DEFAULT_PANEL.rotation;
  if (rotation !== 0 && rotation !== 90 && rotation !== 180 && rotation !== 270) {
    throw new DeviceConfigError("panel.rotation", "invalid", `${quote(rotation)} is not 0, 90, 180 or 270`);
  }
  const mirror = panel["mirror"] ?? DEFAULT_PANEL.mirror;
  if (typeof mirror !== "boolean") throw new DeviceConfigError("panel.mirror", "invalid", "not true or false");
  return Object.freeze({ size: size as PanelSize, width, height, colorDepth, rotation, mirror, brightness });
}

function readFrameBudget(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAXIMUM_FRAME_BUDGET) {
    throw new DeviceConfigError("frameBudgetBytes", "invalid", `${quote(value)} is not a byte count from 1 to ${MAXIMUM_FRAME_BUDGET}`);
  }
  return value;
}

function readBroker(broker: Fields): ResolvedDeviceConfig["broker"] {
  const host = broker["host"];
  if (host === undefined || host === "") throw new DeviceConfigError("broker.host", "missing", "missing");
  if (typeof host !== "string" || host.length > MAXIMUM_HOST_CHARACTERS || !isHostName(host)) {
    throw new DeviceConfigError("broker.host", "invalid", `${quote(host)} is not a host name or address (give the port separately, no scheme)`);
  }
  const port = broker["port"];
  if (port === undefined) throw new DeviceConfigError("broker.port", "missing", "missing");
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DeviceConfigError("broker.port", "invalid", `${quote(port)} is not a port from 1 to 65535`);
  }
  return Object.freeze({ host, port });
}

function readCredentials(credentials: Fields): Readonly<Credentials> {
  const playerKey = credentials["playerKey"];
  if (playerKey === undefined || playerKey === "") throw new DeviceConfigError("credentials.playerKey", "missing", "missing");
  // The key is a secret: the message says what is wrong, never what it is.
  if (typeof playerKey !== "string" || !isLowercaseUuid(playerKey)) {
    throw new DeviceConfigError("credentials.playerKey", "invalid", "not a player key (a lowercase UUID)");
  }
  return Object.freeze({
    playerKey,
    ca: readPem(credentials["ca"], "credentials.ca", "CERTIFICATE", MAXIMUM_CA_CHARACTERS),
    certificate: readPem(credentials["certificate"], "credentials.certificate", "CERTIFICATE", MAXIMUM_PEM_CHARACTERS),
    key: readPem(credentials["key"], "credentials.key", "PRIVATE KEY", MAXIMUM_PEM_CHARACTERS),
  });
}

function readVault(vault: Fields): ResolvedDeviceConfig["vault"] {
  const given = vault["url"];
  if (given === undefined || given === "") throw new DeviceConfigError("vault.url", "missing", "missing");
  if (typeof given !== "string") throw new DeviceConfigError("vault.url", "invalid", "not text");
  let url = given;
  while (url.endsWith("/")) url = url.slice(0, -1);
  try {
    const parsed = parseHttpUrl(url);
    if (parsed.target.includes("?")) throw new DeviceConfigError("vault.url", "invalid", "a base URL has no query");
  } catch (error) {
    if (error instanceof HttpError) throw new DeviceConfigError("vault.url", "invalid", error.message);
    throw error;
  }
  const ca = vault["ca"];
  if (ca === undefined) return Object.freeze({ url });
  return Object.freeze({ url, ca: readPem(ca, "vault.ca", "CERTIFICATE", MAXIMUM_CA_CHARACTERS) });
}

function readChannel(value: unknown): ChannelSpec {
  const channel = section(value, "initialChannel");
  const name = channel["name"];
  if (typeof name !== "string" || !(CHANNEL_NAMES as readonly string[]).includes(name)) {
    throw new DeviceConfigError("initialChannel.name", "unsupported", `${quote(name)} is not a channel (${CHANNEL_NAMES.join(", ")})`);
  }
  return channel as unknown as ChannelSpec;
}

function integerIn(value: unknown, fallback: number, minimum: number, maximum: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum || value > maximum) {
    throw new DeviceConfigError(field, "invalid", `${quote(value)} is not a whole number from ${minimum} to ${maximum}`);
  }
  return value;
}

/** PEM text with at least one block of `label` ("PRIVATE KEY" must be unencrypted PKCS#8). */
export function readPem(value: unknown, field: string, label: string, maximum: number): string {
  if (value === undefined || value === "") throw new DeviceConfigError(field, "missing", "missing");
  if (typeof value !== "string") throw new DeviceConfigError(field, "invalid", "not PEM text");
  if (value.length > maximum) throw new DeviceConfigError(field, "invalid", `longer than ${maximum} characters`);
  const begin = value.indexOf(`-----BEGIN ${label}-----`);
  if (begin < 0 || value.indexOf(`-----END ${label}-----`, begin) < 0) {
    const hint = label === "PRIVATE KEY" ? " (an unencrypted PKCS#8 key)" : "";
    throw new DeviceConfigError(field, "invalid", `no "${label}" PEM block${hint}`);
  }
  return value;
}

/** A player key's shape: 36 characters, lowercase hex and four dashes. */
export function isLowercaseUuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d) return false;
    } else if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) {
      return false;
    }
  }
  return true;
}

/** Letters, digits, '.', '-', '_' (names and IPv4) or ':' (IPv6): no scheme, path, port or spaces. */
export function isHostName(text: string): boolean {
  let colons = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const ok = (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x2e || code === 0x2d || code === 0x5f;
    if (code === 0x3a) colons++;
    else if (!ok) return false;
  }
  // One colon is "host:port" typed into the host field; IPv6 has at least two.
  return colons !== 1;
}

/** A short, printable rendering of a bad value for a message (values here are never secrets). */
function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return typeof value;
}
