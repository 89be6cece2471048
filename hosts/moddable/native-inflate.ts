// The Inflater port over the Moddable SDK's native zlib inflate (modules/data/zlib: miniz in C). This
// module holds the logic and takes the native class as a parameter, so it runs without the SDK (tests
// give it a model of the class); inflate.ts binds it to the SDK's `inflate` module.
//
// What the native class does (read in SDK 8.2.3, inflate.js + inflate.c, and checked in the simulator):
// - `new Inflate()` allocates a zlib stream on the C heap (miniz: 32 KiB window + ~11 KiB tables, plus
//   a 1 KiB buffer we do not use).
// - `push(input, flush, output)` with an `output` buffer inflates ONCE: it stops when `output` is full,
//   calls `onData(view of output)` if it produced bytes, and leaves the count of unread input bytes in
//   `strm.avail_in`. Output still inside miniz's window comes out on the next call (which then reads no
//   input). `flush` is ignored by the C code.
// - At the end of the stream (the Adler-32 checked) it calls `onEnd(0)` and frees the C stream: the
//   object cannot inflate again (the SDK exposes no inflateReset). Bytes after the stream end are left
//   unread (`strm.avail_in` > 0).
// - Bad data (header, codes, distances, checksum; a preset dictionary too): it frees the C stream and
//   throws Error("bad zlib data"). There is no finish: a stream that stops early just never ends.
//
// So `push` calls the native push until the chunk is read and no output is pending, `finish` fails
// unless `onEnd` came, and `reset` drops the native stream (freeing its C memory at once) and opens a
// new one at the next push.
//
// Memory per inflater: JS heap: the output buffer (1 KiB by default, kept across streams), one native
// object and the bound callbacks; one view per output chunk that does not fill the buffer and per
// partial read of a chunk. C heap: ~44 KiB per open stream, freed at the stream's end or failure.

import type { InflateFactory, InflateOutput, Inflater } from "../../src/ports.js";
import { InflateError } from "../../src/art/inflate-error.js";

/** The part of the SDK's `Inflate` class (typings/inflate.d.ts in the SDK) this binding uses. */
export interface NativeInflate {
  push(input: Uint8Array, flush: boolean, output: Uint8Array): void;
  close(): void;
  /** Called during `push` with the bytes produced (a view of `output` in the mode used here). */
  onData: (data: ArrayBuffer) => void;
  /** Called during `push` when the stream has ended; status 0 = OK. */
  onEnd: (status: number) => void;
  readonly strm: { readonly avail_in: number };
}

export type NativeInflateClass = new () => NativeInflate;

export const DEFAULT_OUTPUT_BYTES = 1024;

export class NativeInflater implements Inflater {
  readonly #Native: NativeInflateClass;
  /** Receives the native output; handed to the consumer as views. */
  readonly #out: Uint8Array;
  #native: NativeInflate | undefined;
  #output: InflateOutput | undefined;
  /** Bytes produced by the current native push call. */
  #produced = 0;
  /** True while the consumer's `write` runs: an exception then is the consumer's, not bad data. */
  #writing = false;
  #ended = false;
  #endStatus = 0;
  #error: unknown = undefined;
  #headerBytes = 0;
  #cmf = 0;

  readonly #onData = (data: ArrayBuffer): void => {
    // The native passes `output` or a subarray of it from offset 0 (typed ArrayBuffer in the SDK's
    // typings): only its length is needed.
    const count = data.byteLength;
    this.#produced += count;
    this.#writing = true;
    this.#output!.write(count === this.#out.length ? this.#out : this.#out.subarray(0, count));
    this.#writing = false;
  };

  readonly #onEnd = (status: number): void => {
    this.#ended = true;
    this.#endStatus = status;
  };

  constructor(Native: NativeInflateClass, outputBytes = DEFAULT_OUTPUT_BYTES) {
    this.#Native = Native;
    this.#out = new Uint8Array(outputBytes);
  }

  get done(): boolean {
    return this.#ended && this.#error === undefined;
  }

  push(chunk: Uint8Array, output: InflateOutput): void {
    if (this.#error !== undefined) throw this.#error;
    if (chunk.length === 0) return;
    if (this.#ended) this.#fail("corrupt", "data after the end of the zlib stream");
    if (this.#headerBytes < 2) this.#checkHeader(chunk);
    let native = this.#native;
    if (!native) {
      native = new this.#Native();
      native.onData = this.#onData;
      native.onEnd = this.#onEnd;
      this.#native = native;
    }
    this.#output = output;
    try {
      let input = chunk;
      for (;;) {
        this.#produced = 0;
        native.push(input, false, this.#out);
        const unread = native.strm.avail_in;
        if (this.#ended) {
          if (this.#endStatus !== 0) throw new InflateError("corrupt", `native inflate ended with status ${this.#endStatus}`);
          if (unread > 0) throw new InflateError("corrupt", "data after the end of the zlib stream");
          break;
        }
        // A buffer that is not full means miniz holds no more output for the input read so far.
        if (unread === 0 && this.#produced < this.#out.length) break;
        const read = input.length - unread;
        if (read === 0 && this.#produced === 0) throw new InflateError("corrupt", "native inflate made no progress");
        if (read > 0) input = input.subarray(read);
      }
    } catch (error) {
      this.#closeNative();
      if (this.#writing) {
        // The consumer's own error (e.g. the PNG rows refusing data): passed on unchanged.
        this.#writing = false;
        this.#error = error;
        throw error;
      }
      this.#error = error instanceof InflateError ? error : new InflateError("corrupt", `native inflate: ${error instanceof Error ? error.message : String(error)}`);
      throw this.#error;
    } finally {
      this.#output = undefined;
    }
  }

  finish(): void {
    if (this.#error !== undefined) throw this.#error;
    if (!this.#ended) this.#fail("truncated", "the zlib stream ended early");
  }

  reset(): void {
    this.#closeNative();
    this.#ended = false;
    this.#endStatus = 0;
    this.#error = undefined;
    this.#headerBytes = 0;
    this.#cmf = 0;
  }

  /** miniz calls a preset dictionary bad data; the port (like the TS inflater) calls it "unsupported". */
  #checkHeader(chunk: Uint8Array): void {
    let at = 0;
    if (this.#headerBytes === 0) {
      this.#cmf = chunk[at++]!;
      this.#headerBytes = 1;
      if (at === chunk.length) return;
    }
    const flags = chunk[at]!;
    this.#headerBytes = 2;
    const cmf = this.#cmf;
    const validOtherwise = (cmf & 0x0f) === 8 && cmf >>> 4 <= 7 && (cmf * 256 + flags) % 31 === 0;
    if (validOtherwise && (flags & 0x20) !== 0) this.#fail("unsupported", "zlib stream needs a preset dictionary");
  }

  #fail(code: "corrupt" | "truncated" | "unsupported", message: string): never {
    this.#closeNative();
    this.#error = new InflateError(code, message);
    throw this.#error;
  }

  /** Frees the C stream now rather than when the object is collected (a no-op once the native closed it). */
  #closeNative(): void {
    if (this.#native) {
      this.#native.close();
      this.#native = undefined;
    }
  }
}

/** An `InflateFactory` over a native class shaped like the SDK's `Inflate`. A class, not a closure, so
 *  that a preloaded instance can be frozen into ROM by the Moddable build. */
export class NativeInflateFactory implements InflateFactory {
  readonly #Native: NativeInflateClass;
  readonly #outputBytes: number;

  constructor(Native: NativeInflateClass, outputBytes = DEFAULT_OUTPUT_BYTES) {
    this.#Native = Native;
    this.#outputBytes = outputBytes;
  }

  create(): NativeInflater {
    return new NativeInflater(this.#Native, this.#outputBytes);
  }
}
