// The simulator app's memory report (sim-config `memoryReport`): the XS heap of the whole player in the
// real engine, traced as `SIM-MEMORY {json}` lines that tools/sim-memory.ts reads.
//
// Every figure comes from the SDK's instrumentation (an app built with `mcconfig -i`) right after a
// forced collection (Debug.gc()), so it counts live memory only:
//   slots       "XS Slot Heap Used" / slot size: live slots (32 bytes each on this 64-bit simulator,
//               16 on the 32-bit ESP32)
//   chunkBytes  "XS Chunk Heap Used": live chunks (ArrayBuffer bytes, strings, array and closure
//               tables; the same size on the ESP32 except headers and slot tables, which are smaller)
//   stackBytes  "XS Stack Used": the deepest stack since the last reading (the simulator also resets it
//               once a second), so a sampler reads it every SAMPLE_MS and keeps the maximum
// Named points (`mark`) record the heap as each stage is created or first used; between them, the
// sampler collects and reads every SAMPLE_MS, which is how a decode in progress (between two socket
// reads) is caught: the session peak and each artwork's load peak come from these samples.

import Debug from "debug";
import Instrumentation from "instrumentation";
import Timer from "timer";

/** sizeof(txSlot) in the 64-bit simulator (xs/sources/xsAll.h: pointer, kind/flag/ID, 16-byte value). */
const SLOT_BYTES = 32;
const SAMPLE_MS = 20;

interface Reading {
  slots: number;
  chunkBytes: number;
  stackBytes: number;
  /** The frame caches' own count at that moment (the probe given to `startSampling`). */
  frameCacheBytes: number;
}

const NO_READING: Reading = Object.freeze({ slots: 0, chunkBytes: 0, stackBytes: 0, frameCacheBytes: 0 });

export class MemoryReport {
  readonly #slotIndex = Instrumentation.map("XS Slot Heap Used");
  readonly #chunkIndex = Instrumentation.map("XS Chunk Heap Used");
  readonly #stackIndex = Instrumentation.map("XS Stack Used");
  /** Highest live heap (slots × 32 + chunks) sampled since the last `take`, and overall. */
  #windowPeak: Reading = NO_READING;
  #sessionPeak: Reading = NO_READING;
  #stackPeak = 0;
  #frameCacheBytes: () => number = () => 0;

  constructor() {
    if (Instrumentation.get(this.#slotIndex) === undefined) trace(`SIM-MEMORY {"error":"no instrumentation: build with mcconfig -i"}\n`);
  }

  /** Collects garbage and reads the heap; the stack figure is the deepest since the previous reading. */
  read(): Reading {
    Debug.gc();
    const stackBytes = Instrumentation.get(this.#stackIndex) ?? 0;
    if (stackBytes > this.#stackPeak) this.#stackPeak = stackBytes;
    return { slots: (Instrumentation.get(this.#slotIndex) ?? 0) / SLOT_BYTES, chunkBytes: Instrumentation.get(this.#chunkIndex) ?? 0, stackBytes, frameCacheBytes: this.#frameCacheBytes() };
  }

  /** Traces the heap at a named point, with what the caller knows about it. */
  mark(point: string, extra: Record<string, string | number | boolean> = {}): void {
    const reading = this.read();
    this.#keep(reading);
    this.#trace({ point, ...reading, ...extra, stackPeakBytes: this.#stackPeak });
  }

  /** Samples every SAMPLE_MS from now on; each reading also asks `frameCacheBytes`. */
  startSampling(frameCacheBytes: () => number): void {
    this.#frameCacheBytes = frameCacheBytes;
    Timer.repeat(() => this.#keep(this.read()), SAMPLE_MS);
  }

  /** Starts a new window (forgets the samples since the last one). */
  resetWindow(): void {
    this.#windowPeak = NO_READING;
  }

  /** Traces the highest sample since the last window, then starts a new window. */
  window(point: string, extra: Record<string, string | number | boolean> = {}): void {
    this.#trace({ point, ...extra, ...this.#windowPeak, stackPeakBytes: this.#stackPeak });
    this.#windowPeak = NO_READING;
  }

  /** Traces the session's highest sample and deepest stack. */
  session(extra: Record<string, string | number | boolean> = {}): void {
    this.#trace({ point: "session", ...extra, ...this.#sessionPeak, stackPeakBytes: this.#stackPeak });
  }

  #keep(reading: Reading): void {
    const bytes = (r: Reading) => r.slots * SLOT_BYTES + r.chunkBytes;
    if (bytes(reading) > bytes(this.#windowPeak)) this.#windowPeak = reading;
    if (bytes(reading) > bytes(this.#sessionPeak)) this.#sessionPeak = reading;
  }

  #trace(record: Record<string, string | number | boolean>): void {
    trace(`SIM-MEMORY ${JSON.stringify({ ...record, slotSize: SLOT_BYTES })}\n`);
  }
}
