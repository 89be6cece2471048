// The panel's drive settings (driver chip, scan, chain layout, clock, phase, blanking, brightness
// ceiling): the `panelDrive` section of the settings store, what the panel wizard finds, and what the
// HUB75 driver is started with (PanelConfig.drive, src/ports.ts). Every field is optional: an absent one
// keeps the board's build default (hosts/esp32/hub75/manifest.json). Checked field by field on the way
// in and on the way out, with the ranges of the C core (docs/hub75.md "Configuration").

import type { PanelChainLayout, PanelDrive, PanelDriverChip } from "../ports.js";
import { DeviceConfigError } from "./config.js";

export const PANEL_DRIVER_CHIPS: readonly PanelDriverChip[] = Object.freeze(["shiftreg", "fm6126a", "icn2038s", "fm6124", "mbi5124", "dp3246"] as PanelDriverChip[]);
export const PANEL_CHAIN_LAYOUTS: readonly PanelChainLayout[] = Object.freeze(["row", "serpentine", "zigzag"] as PanelChainLayout[]);
export const PANEL_SCANS: readonly number[] = Object.freeze([4, 8, 16, 32]);

/** The core's clock range (hub75.ts: 1–40 MHz; the peripheral makes the fastest at or below). */
export const PANEL_CLOCK_LIMITS = Object.freeze({ minimumHz: 1_000_000, maximumHz: 40_000_000 });

type Fields = { readonly [key: string]: unknown };

function integer(input: Fields, name: string, minimum: number, maximum: number, field: string): number | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum || value > maximum) {
    throw new DeviceConfigError(`${field}.${name}`, "invalid", `not a whole number from ${minimum} to ${maximum}`);
  }
  return value;
}

function oneOf<T extends string>(input: Fields, name: string, values: readonly T[], field: string): T | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !values.includes(value as T)) throw new DeviceConfigError(`${field}.${name}`, "invalid", `not one of ${values.join(", ")}`);
  return value as T;
}

/** Checks a drive section (from storage, a serial line or the wizard) and returns a frozen copy of the fields given. */
export function readPanelDrive(value: unknown, field = "panelDrive"): PanelDrive {
  if (value === undefined || value === null) throw new DeviceConfigError(field, "missing", "missing");
  if (typeof value !== "object" || Array.isArray(value)) throw new DeviceConfigError(field, "invalid", "not an object");
  const input = value as Fields;
  for (const key of Object.keys(input)) {
    if (!DRIVE_KEYS.includes(key)) throw new DeviceConfigError(`${field}.${key}`, "unsupported", "not a panel drive setting");
  }
  const drive: { -readonly [K in keyof PanelDrive]: PanelDrive[K] } = {};
  const driver = oneOf(input, "driver", PANEL_DRIVER_CHIPS, field);
  if (driver !== undefined) drive.driver = driver;
  const scan = input["scan"];
  if (scan !== undefined) {
    if (typeof scan !== "number" || !PANEL_SCANS.includes(scan)) throw new DeviceConfigError(`${field}.scan`, "invalid", "not 4, 8, 16 or 32");
    drive.scan = scan;
  }
  const layout = oneOf(input, "layout", PANEL_CHAIN_LAYOUTS, field);
  if (layout !== undefined) drive.layout = layout;
  const chainRows = integer(input, "chainRows", 1, 16, field);
  if (chainRows !== undefined) drive.chainRows = chainRows;
  const clockHz = integer(input, "clockHz", PANEL_CLOCK_LIMITS.minimumHz, PANEL_CLOCK_LIMITS.maximumHz, field);
  if (clockHz !== undefined) drive.clockHz = clockHz;
  const clockPhase = input["clockPhase"];
  if (clockPhase !== undefined) {
    if (typeof clockPhase !== "boolean") throw new DeviceConfigError(`${field}.clockPhase`, "invalid", "not true or false");
    drive.clockPhase = clockPhase;
  }
  const latchBlanking = integer(input, "latchBlanking", 1, 4, field);
  if (latchBlanking !== undefined) drive.latchBlanking = latchBlanking;
  const rowChangeBlank = integer(input, "rowChangeBlank", 1, 8, field);
  if (rowChangeBlank !== undefined) drive.rowChangeBlank = rowChangeBlank;
  const brightnessCeiling = integer(input, "brightnessCeiling", 1, 100, field);
  if (brightnessCeiling !== undefined) drive.brightnessCeiling = brightnessCeiling;
  return Object.freeze(drive);
}

const DRIVE_KEYS: readonly string[] = Object.freeze(["driver", "scan", "layout", "chainRows", "clockHz", "clockPhase", "latchBlanking", "rowChangeBlank", "brightnessCeiling"]);

/** Two drives set the panel up the same way (field by field; absent equals absent only). */
export function sameDrive(a: PanelDrive | undefined, b: PanelDrive | undefined): boolean {
  const left = (a ?? {}) as Fields;
  const right = (b ?? {}) as Fields;
  for (const key of DRIVE_KEYS) if (left[key] !== right[key]) return false;
  return true;
}

/** "1/16", "1/8": how a scan reads on a panel's label. */
export function scanLabel(scan: number): string {
  return `1/${scan}`;
}

/** "13.3 MHz". */
export function clockLabel(hz: number): string {
  const tenths = Math.round(hz / 100_000);
  return `${tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1)} MHz`;
}

/** A person's summary: "driver fm6126a, scan 1/16, clock 10 MHz, phase rising". */
export function describePanelDrive(drive: PanelDrive): string {
  const parts: string[] = [];
  if (drive.driver !== undefined) parts.push(`driver ${drive.driver}`);
  if (drive.scan !== undefined) parts.push(`scan ${scanLabel(drive.scan)}`);
  if (drive.layout !== undefined) parts.push(`layout ${drive.layout}${drive.chainRows !== undefined ? ` × ${drive.chainRows} rows` : ""}`);
  if (drive.clockPhase !== undefined) parts.push(`phase ${drive.clockPhase ? "rising" : "falling"}`);
  if (drive.clockHz !== undefined) parts.push(`clock ${clockLabel(drive.clockHz)}`);
  if (drive.latchBlanking !== undefined) parts.push(`latch blanking ${drive.latchBlanking}`);
  if (drive.rowChangeBlank !== undefined) parts.push(`row-change blank ${drive.rowChangeBlank}`);
  if (drive.brightnessCeiling !== undefined) parts.push(`ceiling ${drive.brightnessCeiling}%`);
  return parts.length > 0 ? parts.join(", ") : "board defaults";
}
