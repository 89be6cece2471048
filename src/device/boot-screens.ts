// What the panel says in each boot state. A 64×32 panel with the 3×5 font holds 16 characters a line
// and 5 lines; every text here is written to break at spaces into lines of at most 16 characters
// (test/unit/device/boot-screens.test.ts checks the wrapping), so nothing is cut on the smallest panel.

import type { StatusMessage } from "./status-screens.js";

export const BOOT_TEXT = Object.freeze({
  starting: "Starting…",
  setUp: "No Wi-Fi. Set up over USB",
  badSettings: "Bad settings. Set up over USB",
  /** The stored or built-in panel size is more than this board's memory class drives (config.ts). */
  panelTooBig: "Panel too big for this board",
  wifi: "Wi-Fi…",
  clock: "Clock…",
  registering: "Registering…",
  reset: "Factory reset…",
  /** The Makapix site where an owner types the code, when the panel is not told another (apiSite). */
  site: "makapix.club",
});

/** The widest word the smallest panel (64 px, 3×5 font) holds on one line. */
const LINE_CHARACTERS = 16;

/** A step that can fail and be retried, named as the panel says it. */
export const STEP_LABELS = Object.freeze({
  settings: "Settings",
  wifi: "Wi-Fi",
  clock: "Clock",
  registration: "Register",
  session: "Start",
});

export type RetriedStep = keyof typeof STEP_LABELS;

export function startingStatus(): StatusMessage {
  return { text: BOOT_TEXT.starting, level: "info" };
}

export function setUpStatus(): StatusMessage {
  return { text: BOOT_TEXT.setUp, level: "warning" };
}

export function badSettingsStatus(): StatusMessage {
  return { text: BOOT_TEXT.badSettings, level: "error" };
}

export function panelTooBigStatus(): StatusMessage {
  return { text: BOOT_TEXT.panelTooBig, level: "error" };
}

export function wifiStatus(): StatusMessage {
  return { text: BOOT_TEXT.wifi, level: "info" };
}

export function clockStatus(): StatusMessage {
  return { text: BOOT_TEXT.clock, level: "info" };
}

export function registeringStatus(): StatusMessage {
  return { text: BOOT_TEXT.registering, level: "info" };
}

export function resetStatus(): StatusMessage {
  return { text: BOOT_TEXT.reset, level: "warning" };
}

/**
 * The registration code on a line of its own, then where to type it and how long it lasts:
 * "CODE ABC234" / "MAKAPIX.CLUB" / "14MIN LEFT". `site` is the host of the API in use (apiSite), at
 * most 16 characters. Minutes are rounded up; an expired code says 0.
 */
export function codeStatus(code: string, minutesLeft: number, site: string = BOOT_TEXT.site): StatusMessage {
  const minutes = minutesLeft > 0 ? Math.ceil(minutesLeft) : 0;
  // No-break spaces (U+00A0) keep "Code ABC234" and "14min left" whole whatever the site's length, so
  // on a 64-pixel panel the site sits between them (alone on its line unless it is under 6 characters).
  return { text: `Code\u00a0${code} ${site} ${minutes}min\u00a0left`, level: "info" };
}

/**
 * Where the code is typed, as the panel names it: the host of the API in use, without scheme, port or
 * path ("https://makapix.club/api" → "makapix.club", the demo's "https://127.0.0.1:8443/api" →
 * "127.0.0.1"). A host longer than a line of the smallest panel loses leading labels, marked "…"
 * ("api.staging.makapix.club" → "…makapix.club"); if its last two labels are still too long, their end.
 * Host names are ASCII (IDNs travel as punycode), so lengths are the same under both string models. Plain
 * string search, no RegExp (0.7 ms per literal in the simulator).
 */
export function apiSite(apiBase: string): string {
  let host = apiBase;
  const scheme = host.indexOf("://");
  if (scheme >= 0) host = host.slice(scheme + 3);
  host = host.slice(0, firstOf(host, "/?#"));
  const user = host.lastIndexOf("@");
  if (user >= 0) host = host.slice(user + 1);
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    host = close > 0 ? host.slice(0, close + 1) : host;
  } else {
    const colon = host.indexOf(":");
    if (colon >= 0) host = host.slice(0, colon);
  }
  host = host.toLowerCase();
  if (host.length === 0) return BOOT_TEXT.site;
  if (host.length <= LINE_CHARACTERS) return host;
  // Whole labels go first, never the last two (the site's own name); then characters from the front.
  let rest = host;
  while (rest.length + 1 > LINE_CHARACTERS) {
    const dot = rest.indexOf(".");
    if (dot < 0 || rest.indexOf(".", dot + 1) < 0) break;
    rest = rest.slice(dot + 1);
  }
  if (rest.length + 1 > LINE_CHARACTERS) rest = rest.slice(rest.length - (LINE_CHARACTERS - 1));
  return `…${rest}`;
}

/** Index of the first of `characters` in `text`, or its length. */
function firstOf(text: string, characters: string): number {
  for (let i = 0; i < text.length; i++) if (characters.indexOf(text[i]!) >= 0) return i;
  return text.length;
}

/** A failed step and when it is tried again: "Wi-Fi failed." / "Retry in 8 s". */
export function retryStatus(step: RetriedStep, retryInMs: number): StatusMessage {
  const seconds = Math.max(1, Math.round(retryInMs / 1000));
  return { text: `${STEP_LABELS[step]} failed. Retry in ${seconds} s`, level: "warning" };
}

/**
 * The certificate nears its end (within 90 days; renewal runs from 45): "Certificate" / "ends in 60
 * days", or "Certificate" / "expired". Shown at each daily check, until the next artwork replaces it.
 */
export function certificateStatus(daysLeft: number): StatusMessage {
  return { text: daysLeft < 0 ? "Certificate expired" : `Certificate ends in ${daysLeft} days`, level: "warning" };
}

/** Wi-Fi went away while the device was online: "Wi-Fi lost." / "Retry in 1 s". */
export function wifiLostStatus(retryInMs: number): StatusMessage {
  const seconds = Math.max(1, Math.round(retryInMs / 1000));
  return { text: `Wi-Fi lost. Retry in ${seconds} s`, level: "warning" };
}
