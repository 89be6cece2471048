// A memory session of the simulator app: the firmware built instrumented with the real Moddable SDK,
// playing `artworks` artworks of the demo service's "all" channel (GIF, PNG, BMP and WebP posts), its
// XS heap traced at each stage (hosts/sim/memory.ts and memory-session.ts say how each figure is
// read). Used by the memory test of the moddable tier and by `make bench`.
//
// ESP32 conversion: a slot is 32 bytes in the 64-bit simulator and 16 on the 32-bit ESP32 (sizeof
// txSlot, xs/sources/xsAll.h), so slots count half. Chunk bytes are kept as they are: ArrayBuffer
// bytes and strings are the same size there, and the parts that shrink on 32 bits (chunk headers,
// array and closure slot tables) make the ESP32 figure a little smaller, so the converted figure is
// an upper bound.

import { join } from "node:path";
import type { DeviceConfig } from "../src/device/config.js";
import { projectRoot, startSimRun, type SimRun } from "./sim-run.js";

export const SIMULATOR_SLOT_BYTES = 32;
export const ESP32_SLOT_BYTES = 16;

/** One `SIM-MEMORY` record as the app traces it. */
export interface MemoryRecord {
  point: string;
  slots: number;
  chunkBytes: number;
  stackBytes: number;
  stackPeakBytes: number;
  postId?: number;
  format?: string;
  frameCacheBytes?: number;
  count?: number;
  animated?: boolean;
}

export interface HeapFigure {
  /** Live bytes in the simulator (slots × 32 + chunks). */
  simulator: number;
  /** The same heap with 16-byte slots: the ESP32's figure (an upper bound, see above). */
  esp32: number;
}

export function heapOf(record: Pick<MemoryRecord, "slots" | "chunkBytes">): HeapFigure {
  return { simulator: record.slots * SIMULATOR_SLOT_BYTES + record.chunkBytes, esp32: record.slots * ESP32_SLOT_BYTES + record.chunkBytes };
}

export function heapDelta(to: MemoryRecord, from: MemoryRecord): HeapFigure {
  const a = heapOf(to);
  const b = heapOf(from);
  return { simulator: a.simulator - b.simulator, esp32: a.esp32 - b.esp32 };
}

export interface MemorySession {
  records: MemoryRecord[];
  /** The first record of a point. */
  at(point: string): MemoryRecord;
  /** Records of a point, in order. */
  all(point: string): MemoryRecord[];
  /** The last session record: highest sampled heap and deepest stack of the run. */
  session: MemoryRecord;
  /** The artworks shown, with the format each one was decoded from. */
  shown: { postId: number; format: string }[];
  /** The app's other lines (its log), for failure messages. */
  log: string[];
}

export interface MemorySessionOptions {
  memoryClass: DeviceConfig["memoryClass"];
  panel: DeviceConfig["panel"]["size"];
  artworks: number;
  /** Seconds each artwork stays on (the scheduler's dwell override). */
  dwellSeconds?: number;
  timeoutMs?: number;
  work?: string;
  say?: (message: string) => void;
}

/** Runs the session to its `artworks`-th artwork and stops everything it started. */
export async function runMemorySession(options: MemorySessionOptions): Promise<MemorySession> {
  const records: MemoryRecord[] = [];
  const log: string[] = [];
  let done: () => void = () => undefined;
  let aborted: (line: string) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    aborted = (line) => reject(new Error(`the app stopped: ${line}\n${log.slice(-15).join("\n")}`));
  });
  let run: SimRun | undefined;
  try {
    run = await startSimRun({
      work: options.work ?? join(projectRoot, `build/sim-memory-${options.memoryClass}`),
      headless: true,
      logLevel: "info",
      memoryReport: options.artworks,
      device: {
        panel: { size: options.panel },
        memoryClass: options.memoryClass,
        initialChannel: { name: "all" },
        scheduler: { dwellOverrideMs: (options.dwellSeconds ?? 1) * 1000 },
      },
      onLine: (line) => {
        if (line.startsWith("SIM-MEMORY ")) records.push(JSON.parse(line.slice("SIM-MEMORY ".length)) as MemoryRecord);
        else if (line.startsWith("SIM-MEMORY-DONE")) done();
        else {
          log.push(line);
          if (line.startsWith("XS abort")) aborted(line);
        }
      },
      ...(options.say ? { say: options.say } : {}),
    });
    const exited = run.simulator.exited.then((exit) => {
      throw new Error(`the simulator ended early (${exit.signal ?? `exit ${String(exit.code)}`}):\n${log.slice(-15).join("\n")}`);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${options.artworks} artworks within ${options.timeoutMs ?? 300_000} ms (${records.filter((r) => r.point === "shown").length} shown):\n${log.slice(-15).join("\n")}`)), options.timeoutMs ?? 300_000);
    });
    try {
      await Promise.race([finished, exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await run?.stop();
  }
  const error = records.find((record) => (record as { error?: string }).error);
  if (error) throw new Error((error as { error?: string }).error);
  const all = (point: string) => records.filter((record) => record.point === point);
  const at = (point: string) => {
    const found = records.find((record) => record.point === point);
    if (!found) throw new Error(`the app never reported "${point}"`);
    return found;
  };
  const sessions = all("session");
  return {
    records,
    at,
    all,
    session: sessions[sessions.length - 1]!,
    shown: all("shown").map((record) => ({ postId: record.postId!, format: record.format! })),
    log,
  };
}

export interface StageFigure {
  stage: string;
  how: string;
  bytes: HeapFigure;
}

const max = (values: number[]) => values.reduce((a, b) => Math.max(a, b), 0);

/** What stays live once an artwork is on screen, besides the frame caches: the highest after any artwork. */
function kept(session: MemorySession): HeapFigure {
  const reply = session.at("first-reply");
  const deltas = session.all("shown").map((record) => {
    const delta = heapDelta(record, reply);
    const caches = record.frameCacheBytes ?? 0;
    return { simulator: delta.simulator - caches, esp32: delta.esp32 - caches };
  });
  return { simulator: max(deltas.map((d) => d.simulator)), esp32: max(deltas.map((d) => d.esp32)) };
}

/** The session's heap by stage, each with how it was obtained. */
export function stagesOf(session: MemorySession): StageFigure[] {
  const baseline = session.at("baseline");
  const loads = session.all("load-start").map((start, index) => ({ start, peak: session.all("load-peak")[index] })).filter((load) => load.peak);
  const frameCaches = max(session.records.map((record) => record.frameCacheBytes ?? 0));
  // A load's own memory: its highest sample less the start, without what the frame caches grew by then.
  const decode = (format: string) => {
    const deltas = loads
      .filter((load) => load.start.format === format)
      .map((load) => {
        const delta = heapDelta(load.peak!, load.start);
        const cacheGrowth = (load.peak!.frameCacheBytes ?? 0) - (load.start.frameCacheBytes ?? 0);
        return { simulator: delta.simulator - cacheGrowth, esp32: delta.esp32 - cacheGrowth };
      });
    return { simulator: max(deltas.map((d) => d.simulator)), esp32: max(deltas.map((d) => d.esp32)) };
  };
  const formats = [...new Set(loads.map((load) => load.start.format!))].sort();
  return [
    { stage: "baseline (engine, globals)", how: "heap at main's start", bytes: heapOf(baseline) },
    { stage: "host bindings + panel", how: "panel − baseline", bytes: heapDelta(session.at("panel"), baseline) },
    { stage: "device assembly (display, pipeline, HTTP, MQTT buffers, scheduler)", how: "assembled − panel", bytes: heapDelta(session.at("assembled"), session.at("panel")) },
    { stage: "MQTT session (TLS, socket, client)", how: "connected − assembled", bytes: heapDelta(session.at("connected"), session.at("assembled")) },
    { stage: "JSON/requests + scheduler (first reply)", how: "first-reply − connected", bytes: heapDelta(session.at("first-reply"), session.at("connected")) },
    { stage: "frame caches (largest)", how: "pipeline.frameCacheBytes, highest reading", bytes: { simulator: frameCaches, esp32: frameCaches } },
    { stage: "kept between artworks (vault connection, history)", how: "shown − frame caches − first-reply, largest", bytes: kept(session) },
    ...formats.map((format) => ({ stage: `pipeline load, ${format} (decoder, HTTP, cache filling)`, how: "load-peak − load-start − frame cache growth, largest", bytes: decode(format) })),
    { stage: "session peak (whole heap)", how: "highest 20 ms sample", bytes: heapOf(session.session) },
  ];
}
