// The two memory classes a board belongs to, and what each one allows. The class is chosen per board
// (a fact of the hardware, not a user setting): "small" = an ESP32 without PSRAM, "large" = an
// ESP32-S3 with PSRAM (Adafruit MatrixPortal S3: 2 MiB; N8R8-style DevKits: 8 MiB).
//
// Where the numbers come from (docs/hosts.md, "Memory classes", has the measured table):
// - small heap 240 KiB: MEASURED NEED, NOT WHAT THE BOARD OFFERS. The whole player in the real engine
//   (the simulator app, test/moddable/memory.test.ts) peaks at ~217 KB in ESP32 sizes playing 64×64
//   GIF/PNG art: ~105 KB before any art (device ~59 KB, TLS + MQTT session ~23 KB, first reply ~11 KB,
//   engine and host ~12 KB), frame caches 48 KiB, a GIF load ~59 KB (decoder, HTTPS to the vault).
//   An ESP32 without PSRAM leaves the XS heap only ~100 KiB once Wi-Fi and the HUB75 DMA buffers
//   (89.8 KiB for 64×64 at 8 bits, docs/hub75.md) have their internal RAM, so the small class does not
//   fit such a board today; the budget says what it needs so that growth shows, rather than a figure
//   no test could meet. Cuts that remain: one frame cache (−24 KiB, the artwork on screen would stop
//   while the next loads), a smaller panel, the SDK's TLS (JS) for two connections.
// - small panels ≤ 4096 pixels: decoding a GIF onto 128×64 needs ~110 KiB at worst (sampled canvas
//   32 KiB + `previous` copy 32 KiB + frame 24 KiB + decoder ~20 KiB, docs/artwork.md), more than the
//   whole small heap; onto 64×64 (or 128×32) it is ~55 KiB.
// - small frame budget 24 KiB: two 64×64 panel frames (12 KiB each), the least a FrameCache keeps
//   (one on screen, one being written); longer animations are thinned to fit.
// - xsnap (test/oracle/device-memory.test.ts, virtual network, no TLS): the assembled device holds
//   ~61 KB, ~86 KB once connected, before any art.
// - WebP only on "large": a lossless frame keeps its whole ARGB canvas (256 KiB at 256×256) plus the
//   buffered chunk; measured in XS, a 256×256 lossless file holds 375 KB (docs/artwork.md, "WebP").
// - large heap 1 MiB: fits the worst WebP decode (375 KB), two frame caches (2 × 256 KiB) and the
//   session, JSON and HTTP state (MQTT buffers 5 KiB, JSON 7.7 KB peak, HTTP client 10.6 KiB) with room left
//   on a 2 MiB-PSRAM board.
// - large frame budget 256 KiB: 21 frames at 64×64, 10 at 128×64 per artwork.

import type { NativeFormat } from "../makapix/command-parse.js";
import type { MemoryClass } from "../art/rendition.js";

export type { MemoryClass };

export interface MemoryClassProfile {
  readonly name: MemoryClass;
  /** The boards of this class, for status lines and docs. */
  readonly boards: string;
  /** XS heap the whole player may use on this class. */
  readonly heapBudgetBytes: number;
  /** Panel frames one artwork may keep (two caches alternate: one on screen, one loading). */
  readonly frameBudgetBytes: number;
  /** Largest panel (width × height) whose decode fits the heap. */
  readonly maximumPanelPixels: number;
  /** Formats this class decodes; a build may carry fewer (src/art/decoders.ts). */
  readonly decoders: readonly NativeFormat[];
  /**
   * QoS 1 bytes the MQTT client may hold unacknowledged; its write queue is this plus 4 KiB, allocated
   * once (src/mqtt/client.ts). The player's largest message (a query_posts request) is under 1 KiB.
   */
  readonly mqttOutboxBytes: number;
}

const KIB = 1024;

export const MEMORY_CLASSES: Readonly<Record<MemoryClass, MemoryClassProfile>> = Object.freeze({
  small: Object.freeze({
    name: "small",
    boards: "ESP32 without PSRAM",
    heapBudgetBytes: 240 * KIB,
    frameBudgetBytes: 24 * KIB,
    maximumPanelPixels: 64 * 64,
    decoders: Object.freeze(["gif", "png", "bmp"] as const),
    mqttOutboxBytes: 4 * KIB,
  }),
  large: Object.freeze({
    name: "large",
    boards: "ESP32-S3 with PSRAM",
    heapBudgetBytes: 1024 * KIB,
    frameBudgetBytes: 256 * KIB,
    maximumPanelPixels: 128 * 64,
    decoders: Object.freeze(["gif", "png", "bmp", "webp"] as const),
    mqttOutboxBytes: 16 * KIB,
  }),
});

/** The profile of a class name, or undefined for anything else (the name may come from storage). */
export function memoryClassProfile(name: unknown): MemoryClassProfile | undefined {
  return name === "small" || name === "large" ? MEMORY_CLASSES[name] : undefined;
}

/** The formats a device decodes: those its class allows that this build carries, in the class's order. */
export function enabledDecoders(profile: MemoryClassProfile, available: readonly NativeFormat[]): NativeFormat[] {
  return profile.decoders.filter((format) => available.includes(format));
}
