// The two memory classes a board belongs to, and what each one allows. The class is chosen per board
// (a fact of the hardware, not a user setting): "small" = an ESP32 without PSRAM, "large" = an
// ESP32-S3 with PSRAM (Adafruit MatrixPortal S3: 2 MiB; N8R8-style DevKits: 8 MiB).
//
// Where the numbers come from (docs/hosts.md, "Memory classes", has the measured table):
// - small panels ≤ 64×32 (2048 pixels) and heap 155 KiB: what the board leaves the XS heap depends on
//   the panel's DMA, and it is DERIVED (not yet measured on a board; each line ± ~10 KiB):
//     ESP32 internal DRAM free at app start (520 KiB SRAM, of which 328 KiB data RAM, less
//     ESP-IDF's and the app's static data)                                   ~290 KiB
//     Wi-Fi station + lwIP (10 static RX buffers × 1.6 KiB, dynamic TX buffers, TCP windows of two
//     sockets, the Wi-Fi/tcpip/event task stacks)                              −60 KiB
//     the XS stack (creation.stack 1024 slots × 16 B) and the VM's tables     −20 KiB
//     the Moddable main task and other stacks                                 −10 KiB
//     the HUB75 DMA buffers (docs/hub75.md, double buffered)                  −43.9 KiB at 64×32 × 8 bits
//                                                                             −49.4 KiB at 64×64 × 5 bits
//                                                                             −87.9 KiB at 64×64 × 8 bits
//   ≈ 155 KiB left for the XS heap with a 64×32 panel at 8 bits (290 − 60 − 20 − 10 − 43.9 = 156.1),
//   ≈ 151 KiB with 64×64 at 5 bits and only ≈ 112 KiB with 64×64 at 8 bits (≈ 144 KiB single buffered). So the small class drives
//   panels up to 64×32 (every colour depth fits) and its budget is the 64×32 figure, 155 KiB: every
//   configuration a small board accepts fits it. A 64×64 panel needs the large class (a board with
//   PSRAM); readDeviceConfig refuses it on a small board (src/device/config.ts), and the boot machine
//   lights the panel as 64×32 and shows "Panel too big for this board" (boot.ts, boot-panel.ts).
//   Measured: the whole player in the real engine (the simulator app, test/moddable/memory.test.ts)
//   on a 64×32 panel peaks at 150 832 B (147.3 KiB) in ESP32 sizes, 7.7 KiB under the budget (155 000 B,
//   3.6 KiB under, since render while decoding: the status publish of `shown` now overlaps a GIF
//   decode; 152 280 B just before it, docs/hosts.md): ~78 KB
//   before any art (device 36.7 KB, TLS + MQTT session 22.8 KB, first reply 5.9 KB, engine and host
//   12.8 KB), one frame cache 24 KiB, a GIF load 44.2 KB (LZW tables 16 KiB, sampled canvas 8 KiB,
//   HTTPS to the vault). On 64×64 it peaked at 162 320 B (158.5 KiB; a GIF load 56.7 KB): more than
//   either 64×64 line above leaves. What made the session fit at all (it was 213 656 B on 64×64): one
//   frame cache (below; −24 KiB), the status frame drawn in a buffer that lives only while it is pushed
//   (−12 KiB), TLS records of 2 KiB (the SDK's TLS holds a whole record and its decrypted copy: −~14 KB
//   at a PNG load), the MQTT write queue 4 KiB and header buffer 2 KiB (−6 KiB), pages of 10 posts.
// - small frame caches 1: the artwork on screen stops on its last frame (which stays lit) while the
//   next one downloads, until the new one's first frame is decoded (−24 KiB against two caches).
// - small TLS fragments 2 KiB: asked of every server (max_fragment_length); Mosquitto, Node and other
//   OpenSSL servers honour it; a server that ignores it sends 16 KiB records, ~28 KB more at a load.
// - small frame budget 24 KiB: four 64×32 panel frames (6 KiB each; a FrameCache keeps at least two,
//   one on screen, one being written); longer animations are thinned to fit.
// - xsnap (test/oracle/device-memory.test.ts, virtual network, no TLS): the assembled small device
//   holds ~39 KB, ~64 KB once connected, before any art.
// - WebP only on "large": a lossless frame keeps its whole ARGB canvas (256 KiB at 256×256) plus the
//   buffered chunk; measured in XS, a 256×256 lossless file holds 375 KB (docs/artwork.md, "WebP").
// - large panels ≤ 128×64: decoding a GIF onto 128×64 needs ~110 KiB at worst (sampled canvas 32 KiB +
//   `previous` copy 32 KiB + frame 24 KiB + decoder ~20 KiB, docs/artwork.md), far beyond a small heap.
// - large heap 1 MiB: fits the worst WebP decode (375 KB), two frame caches (2 × 256 KiB) and the
//   session, JSON and HTTP state (MQTT buffers 5 KiB, JSON 7.1 KB peak, HTTP client 10.6 KiB) with room left
//   on a 2 MiB-PSRAM board.
// - large frame budget 256 KiB: 21 frames at 64×64, 10 at 128×64 per artwork.

import type { NativeFormat } from "../art/artwork.js";
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
  /** The MQTT write queue, allocated once: bytes that may wait for the socket (src/mqtt/client.ts). */
  readonly mqttWriteQueueBytes: number;
  /** The MQTT decoder's buffer: a whole non-PUBLISH packet, or a PUBLISH's topic and properties. */
  readonly mqttHeaderBytes: number;
  /**
   * Frame caches (src/art/pipeline.ts): 2 keeps the artwork on screen playing until the next one's
   * first frame is decoded; 1 stops it on its last frame until then and holds half the frames.
   */
  readonly frameCaches: 1 | 2;
  /**
   * TLS records the device asks servers to keep to (the max_fragment_length extension, RFC 6066), so
   * that a record and its decrypted copy fit the heap; 0: the TLS default (16 KiB). Applied by the host
   * binding that owns the TLS stack (hosts/moddable: `createModdableHost({ tlsFragmentBytes })`).
   */
  readonly tlsFragmentBytes: number;
  /** Posts the scheduler asks for per page (each one kept as a small record until it is played). */
  readonly pageSize: number;
}

const KIB = 1024;

export const MEMORY_CLASSES: Readonly<Record<MemoryClass, MemoryClassProfile>> = Object.freeze({
  small: Object.freeze({
    name: "small",
    boards: "ESP32 without PSRAM",
    heapBudgetBytes: 155 * KIB,
    frameBudgetBytes: 24 * KIB,
    maximumPanelPixels: 64 * 32,
    decoders: Object.freeze(["gif", "png", "bmp"] as const),
    mqttOutboxBytes: 2 * KIB,
    mqttWriteQueueBytes: 4 * KIB,
    mqttHeaderBytes: 2 * KIB,
    frameCaches: 1,
    tlsFragmentBytes: 2 * KIB,
    pageSize: 10,
  }),
  large: Object.freeze({
    name: "large",
    boards: "ESP32-S3 with PSRAM",
    heapBudgetBytes: 1024 * KIB,
    frameBudgetBytes: 256 * KIB,
    maximumPanelPixels: 128 * 64,
    decoders: Object.freeze(["gif", "png", "bmp", "webp"] as const),
    mqttOutboxBytes: 16 * KIB,
    mqttWriteQueueBytes: 20 * KIB,
    mqttHeaderBytes: 4 * KIB,
    frameCaches: 2,
    tlsFragmentBytes: 0,
    pageSize: 20,
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
