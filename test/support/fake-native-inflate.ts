// A model of the Moddable SDK's native `Inflate` (modules/data/zlib/inflate.c over miniz), for testing
// hosts/moddable/native-inflate.ts without the SDK. It keeps the contract the binding relies on, as
// read in the SDK and observed in the simulator:
// - push(input, flush, output): one inflate step. Output pending from an earlier step is copied out
//   first and no input is read; otherwise input is read (at most `readLimit` bytes) until the output
//   buffer is full or the stream ends. `onData(output.subarray(0, n))` if n > 0; `strm.avail_in` =
//   input bytes not read.
// - At the stream end (checksum good): the stream is freed, onEnd(0); bytes after the end stay unread.
// - Bad data: the stream is freed and Error("bad zlib data") thrown (a preset dictionary included).
// - push on a freed stream throws (the real one fails its host-data check).
// The decompression itself is the project's TsInflater, fed one byte at a time so that it stops
// exactly where the stream ends.

import type { NativeInflate } from "../../hosts/moddable/native-inflate.js";
import { TsInflater } from "../../src/art/inflate.js";

export interface FakeNativeStats {
  created: number;
  closed: number;
  pushes: number;
}

export function fakeNativeInflate(options: { readLimit?: number } = {}): { Native: new () => NativeInflate; stats: FakeNativeStats } {
  const stats: FakeNativeStats = { created: 0, closed: 0, pushes: 0 };
  const readLimit = options.readLimit ?? Infinity;

  class FakeInflate implements NativeInflate {
    onData: (data: ArrayBuffer) => void = () => {};
    onEnd: (status: number) => void = () => {};
    readonly strm = { avail_in: 0 };
    #inflater: TsInflater | undefined = new TsInflater();
    /** Decompressed bytes not yet copied out (miniz keeps them in its window). */
    #pending: number[] = [];

    constructor() {
      stats.created++;
    }

    close(): void {
      if (this.#inflater) stats.closed++;
      this.#inflater = undefined;
    }

    push(input: Uint8Array, _flush: boolean, output: Uint8Array): void {
      const inflater = this.#inflater;
      if (!inflater) throw new Error("invalid host data");
      stats.pushes++;
      let read = 0;
      if (this.#pending.length === 0) {
        const sink = { write: (bytes: Uint8Array) => { for (const byte of bytes) this.#pending.push(byte); } };
        try {
          while (read < input.length && read < readLimit && this.#pending.length < output.length && !inflater.done) inflater.push(input.subarray(read, ++read), sink);
        } catch {
          this.close();
          throw new Error("bad zlib data");
        }
      }
      const count = Math.min(this.#pending.length, output.length);
      for (let i = 0; i < count; i++) output[i] = this.#pending[i]!;
      this.#pending.splice(0, count);
      // Like the C code: the output buffer itself, or a subarray of it (the SDK types it ArrayBuffer).
      if (count > 0) this.onData((count === output.length ? output : output.subarray(0, count)) as unknown as ArrayBuffer);
      this.strm.avail_in = input.length - read;
      if (inflater.done && this.#pending.length === 0) {
        this.close();
        this.onEnd(0);
      }
    }
  }

  return { Native: FakeInflate, stats };
}
