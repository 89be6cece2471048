// Reassembling a credential set sent in chunks over the serial line (PUT_CREDENTIAL), and checking it
// before it is handed over as a whole (COMMIT_CREDENTIALS). Nothing is stored until the whole set is
// there and looks right, so a cable pulled halfway leaves the device's credentials as they were.
//
// The PEMs are those an owner downloads from the website (protocol sheet §2, §9): CA and certificate
// (`BEGIN CERTIFICATE`), and the private key as unencrypted PKCS#8 (`BEGIN PRIVATE KEY`).
//
// Memory: one arena holding every item at its limit (by default 8 KiB CA + 4 KiB certificate + 4 KiB
// key + 64 B player key + 512 B token = 16.6 KiB), allocated at the first chunk and released when the
// set is committed, abandoned or the line closes. Nothing else per chunk.

import { CREDENTIAL_ITEM, ProvisioningFailure } from "./provisioning-messages.js";
import { utf8Decode } from "../util/utf8.js";

/** What a committed set carries to the target (PEM text). */
export interface ProvisioningCredentials {
  readonly ca: string;
  readonly certificate: string;
  readonly key: string;
  /** Absent when the PC did not send it: the certificate's subject CN names the player. */
  readonly playerKey?: string | undefined;
  readonly apiToken?: string | undefined;
}

/** The largest value of each item, in bytes. */
export interface CredentialLimits {
  readonly ca: number;
  readonly certificate: number;
  readonly key: number;
  readonly playerKey: number;
  readonly apiToken: number;
}

/** A CA may be a chain, hence twice a single PEM (§2: "each PEM fits in 4 KB"). */
export const DEFAULT_CREDENTIAL_LIMITS: CredentialLimits = Object.freeze({
  ca: 8192,
  certificate: 4096,
  key: 4096,
  playerKey: 64,
  apiToken: 512,
});

const ITEM_NAMES = Object.freeze(["", "CA", "certificate", "private key", "player key", "API token"]);

export function credentialItemName(item: number): string {
  return ITEM_NAMES[item] ?? `item ${item}`;
}

const CERTIFICATE_BEGIN = "-----BEGIN CERTIFICATE-----";
const CERTIFICATE_END = "-----END CERTIFICATE-----";
const KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
const KEY_END = "-----END PRIVATE KEY-----";

export class CredentialAssembler {
  /** Per item (index = CREDENTIAL_ITEM value): where it starts in the arena, its limit. */
  readonly #starts: readonly number[];
  readonly #limits: readonly number[];
  readonly #arenaBytes: number;
  #arena: Uint8Array | undefined;
  /** Bytes received and announced total per item; total 0 = not started. */
  readonly #received = [0, 0, 0, 0, 0, 0];
  readonly #totals = [0, 0, 0, 0, 0, 0];

  constructor(limits: CredentialLimits = DEFAULT_CREDENTIAL_LIMITS) {
    this.#limits = [0, limits.ca, limits.certificate, limits.key, limits.playerKey, limits.apiToken];
    const starts = [0];
    let at = 0;
    for (let item = 1; item < this.#limits.length; item++) {
      starts.push(at);
      at += this.#limits[item]!;
    }
    this.#starts = starts;
    this.#arenaBytes = at;
  }

  /** Bytes the arena takes while a set is being received. */
  get arenaBytes(): number {
    return this.#arenaBytes;
  }

  /** Whether a set is being received (the arena is allocated). */
  get active(): boolean {
    return this.#arena !== undefined;
  }

  /**
   * Stores one chunk of `item`. Chunks come in order; offset 0 (re)starts the item. Returns the bytes
   * of the item received so far. Throws ProvisioningFailure: bad_payload (unknown item, offset not the
   * next expected byte, a total that changed or is exceeded), too_large (a total over the item's limit).
   */
  chunk(item: number, offset: number, total: number, data: Uint8Array): number {
    const limit = this.#limits[item];
    if (item < 1 || limit === undefined) throw new ProvisioningFailure("bad_payload", `unknown credential item ${item}`);
    const name = credentialItemName(item);
    if (total < 1) throw new ProvisioningFailure("bad_payload", `${name}: empty`);
    if (total > limit) throw new ProvisioningFailure("too_large", `${name}: ${total} bytes (at most ${limit})`);
    if (offset === 0) {
      this.#received[item] = 0;
      this.#totals[item] = total;
    } else if (this.#totals[item] !== total) {
      throw new ProvisioningFailure("bad_payload", `${name}: total changed from ${this.#totals[item]!} to ${total}; restart at offset 0`);
    } else if (offset !== this.#received[item]) {
      throw new ProvisioningFailure("bad_payload", `${name}: chunk at offset ${offset}, expected ${this.#received[item]!}`);
    }
    if (offset + data.length > total) throw new ProvisioningFailure("bad_payload", `${name}: chunk runs past the total of ${total} bytes`);
    const arena = this.#arena ?? (this.#arena = new Uint8Array(this.#arenaBytes));
    arena.set(data, this.#starts[item]! + offset);
    const received = offset + data.length;
    this.#received[item] = received;
    return received;
  }

  /**
   * The complete set, checked, and the arena released (whatever the outcome: a failed set is sent
   * again from the start). Throws ProvisioningFailure ("refused") naming what is missing or wrong.
   */
  commit(): ProvisioningCredentials {
    try {
      const ca = this.#pem(CREDENTIAL_ITEM.CA, CERTIFICATE_BEGIN, CERTIFICATE_END);
      const certificate = this.#pem(CREDENTIAL_ITEM.CERTIFICATE, CERTIFICATE_BEGIN, CERTIFICATE_END);
      const key = this.#pem(CREDENTIAL_ITEM.KEY, KEY_BEGIN, KEY_END);
      const playerKey = this.#optional(CREDENTIAL_ITEM.PLAYER_KEY);
      if (playerKey !== undefined && !isPlayerKey(playerKey)) {
        throw new ProvisioningFailure("refused", "player key: expected 8-64 letters, digits or '-'");
      }
      const apiToken = this.#optional(CREDENTIAL_ITEM.API_TOKEN);
      if (apiToken !== undefined && !isToken(apiToken)) throw new ProvisioningFailure("refused", "API token: expected printable characters without spaces");
      return { ca, certificate, key, playerKey, apiToken };
    } finally {
      this.clear();
    }
  }

  /** Forgets everything received and releases the arena (the key material goes with it). */
  clear(): void {
    if (this.#arena) this.#arena.fill(0);
    this.#arena = undefined;
    for (let item = 0; item < this.#received.length; item++) {
      this.#received[item] = 0;
      this.#totals[item] = 0;
    }
  }

  /** The item as text when complete and ASCII; undefined when never started. */
  #text(item: number): string | undefined {
    const total = this.#totals[item]!;
    const name = credentialItemName(item);
    if (total === 0 || !this.#arena) return undefined;
    if (this.#received[item] !== total) throw new ProvisioningFailure("refused", `${name}: ${this.#received[item]!} of ${total} bytes received`);
    const start = this.#starts[item]!;
    const arena = this.#arena;
    for (let i = start; i < start + total; i++) {
      const byte = arena[i]!;
      if (byte > 0x7e || (byte < 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09)) {
        throw new ProvisioningFailure("refused", `${name}: not text (byte ${byte} at ${i - start})`);
      }
    }
    return utf8Decode(arena, start, start + total);
  }

  #optional(item: number): string | undefined {
    const text = this.#text(item);
    return text === undefined ? undefined : text.trim();
  }

  #pem(item: number, begin: string, end: string): string {
    const name = credentialItemName(item);
    const text = this.#text(item);
    if (text === undefined) throw new ProvisioningFailure("refused", `${name} missing`);
    const first = text.indexOf(begin);
    const last = text.indexOf(end, first + begin.length);
    if (first < 0 || last < 0) {
      if (item === CREDENTIAL_ITEM.KEY && text.indexOf("PRIVATE KEY-----") >= 0) {
        throw new ProvisioningFailure("refused", `${name}: must be unencrypted PKCS#8 (BEGIN PRIVATE KEY)`);
      }
      throw new ProvisioningFailure("refused", `${name}: not a PEM "${begin.slice(11, -5)}" block`);
    }
    return text;
  }
}

function isPlayerKey(text: string): boolean {
  if (text.length < 8 || text.length > 64) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d;
    if (!ok) return false;
  }
  return true;
}

function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c > 0x7e) return false;
  }
  return true;
}
