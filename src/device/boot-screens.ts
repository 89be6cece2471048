// What the panel says in each boot state. A 64×32 panel with the 3×5 font holds 16 characters a line
// and 5 lines; every text here is written to break at spaces into lines of at most 16 characters
// (test/unit/device/boot-screens.test.ts checks the wrapping), so nothing is cut on the smallest panel.

import type { StatusMessage } from "./status-screens.js";

export const BOOT_TEXT = Object.freeze({
  starting: "Starting…",
  setUp: "No Wi-Fi. Set up over USB",
  badSettings: "Bad settings. Set up over USB",
  wifi: "Wi-Fi…",
  clock: "Clock…",
  registering: "Registering…",
  reset: "Factory reset…",
  /** The Makapix site where an owner types the code. */
  site: "makapix.club",
});

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
 * "CODE ABC234" / "MAKAPIX.CLUB" / "14MIN LEFT" ("14min" is one word so that it wraps with "left",
 * never alone after the site name). Minutes are rounded up; an expired code says 0.
 */
export function codeStatus(code: string, minutesLeft: number): StatusMessage {
  const minutes = minutesLeft > 0 ? Math.ceil(minutesLeft) : 0;
  return { text: `Code ${code} ${BOOT_TEXT.site} ${minutes}min left`, level: "info" };
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
