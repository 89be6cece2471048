// Making text fit to send to the PC over the provisioning line (log lines, error reasons): no private
// key, and the player key only redacted (protocol sheet §7: whoever knows the key can fetch its
// private key). Plain string search, no RegExp (0.7 ms per literal in the simulator).

import { clipText } from "../util/string-model.js";

/** "1b2c3d4e-…" → "1b2c…9f0a": enough to tell players apart, not enough to fetch their key. */
export function redactPlayerKey(key: string): string {
  return key.length <= 12 ? "****" : `${key.slice(0, 4)}...${key.slice(-4)}`;
}

/** Longest text scrubbed (and returned): callers clip shorter still. */
const SCRUB_MAX_CHARS = 512;
const UUID_CHARS = 36;

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
}

/** Whether text[start, start+36) is shaped like a UUID (8-4-4-4-12 hex digits): a player key. */
function uuidAt(text: string, start: number): boolean {
  if (start < 0 || start + UUID_CHARS > text.length) return false;
  for (let i = 0; i < UUID_CHARS; i++) {
    const code = text.charCodeAt(start + i);
    const hyphen = i === 8 || i === 13 || i === 18 || i === 23;
    if (hyphen ? code !== 0x2d : !isHex(code)) return false;
  }
  return true;
}

/**
 * `text` fit to send to the PC: nothing of a private key, the player key redacted, and anything shaped
 * like a player key (a UUID) redacted too, since a log line may name a key the device does not hold
 * yet (registration). At most SCRUB_MAX_CHARS characters come back.
 */
export function scrubSecrets(text: string, playerKey: string | undefined): string {
  // The PEM marker, as hosts/moddable/redact.ts looks for it; plain mentions ("not a PRIVATE KEY") stay.
  if (text.indexOf("PRIVATE KEY-----") >= 0) return "[removed: contained key material]";
  if (playerKey && playerKey.length > 0) {
    const redacted = redactPlayerKey(playerKey);
    let at = text.indexOf(playerKey);
    while (at >= 0) {
      text = text.slice(0, at) + redacted + text.slice(at + playerKey.length);
      at = text.indexOf(playerKey, at + redacted.length);
    }
  }
  text = clipText(text, SCRUB_MAX_CHARS);
  // Each UUID's first hyphen is 8 characters after its start.
  let hyphen = text.indexOf("-", 8);
  while (hyphen >= 0) {
    const start = hyphen - 8;
    if (uuidAt(text, start)) {
      const key = text.slice(start, start + UUID_CHARS);
      text = text.slice(0, start) + redactPlayerKey(key) + text.slice(start + UUID_CHARS);
      hyphen = text.indexOf("-", start + 11);
    } else {
      hyphen = text.indexOf("-", hyphen + 1);
    }
  }
  return text;
}

