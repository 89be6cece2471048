// Settings of realistic size for the settings-store tests (PEM-shaped text, not real keys): a CA,
// certificate and key as long as the service's (RSA 4096 CA ~2 KB, RSA 2048 certificate and key
// ~1.7 KB each), so they span several 2 KB chunks. Portable (runs in XS too).

import type { Credentials } from "../../src/device/config.js";
import type { SettingsChange } from "../../src/device/settings.js";

export const PLAYER_KEY_A = "0b7e6c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b";
export const PLAYER_KEY_B = "9f8e7d6c-5b4a-4321-8fed-cba987654321";

/** A PEM block of `label` about `bytes` long; `seed` makes the body distinct. */
export function bigPem(label: string, bytes: number, seed: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const lines: string[] = [];
  let length = 0;
  let n = 0;
  for (const c of seed) n = (n * 31 + c.charCodeAt(0)) >>> 0;
  while (length < bytes) {
    let line = "";
    for (let i = 0; i < 64; i++) {
      n = (n * 1103515245 + 12345) >>> 0;
      line += alphabet[(n >>> 16) & 63];
    }
    lines.push(line);
    length += 65;
  }
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export function credentials(seed: string, playerKey = PLAYER_KEY_A): Credentials {
  return {
    playerKey,
    ca: bigPem("CERTIFICATE", 1900, `ca-${seed}`),
    certificate: bigPem("CERTIFICATE", 1700, `cert-${seed}`),
    key: bigPem("PRIVATE KEY", 1650, `key-${seed}`),
  };
}

export function fullSettings(seed: string): SettingsChange {
  return {
    wifi: { ssid: `home-${seed}`, password: `secret-${seed}-pw` },
    api: { baseUrl: `https://${seed}.makapix.test/api` },
    broker: { host: `${seed}.makapix.test`, port: 8883 },
    panel: { size: "64x64", colorDepth: 6, rotation: 90, mirror: false, brightness: 40, board: "matrixportal-s3" },
    credentials: credentials(seed),
    apiToken: `token-${seed}-0123456789abcdef`,
  };
}
