// The SDK's `Inflate` class (modules/data/zlib/inflate.js) as it runs in the kernel xst, where the SDK's
// inflate.c and miniz.c are linked in (scripts/build-xst.sh --art; test/native/png_xst.c) but
// inflate.js cannot be compiled (only xsc compiles its Native()/native()). Same shape and the same work
// per call as the SDK's class: a host-object base class, the native init in the constructor, one native
// call and one property write per push. hosts/moddable/native-inflate.ts wraps it as the Inflater port,
// exactly as hosts/moddable/inflate.ts wraps the SDK's module in a Moddable app; so the device-time PNG
// row (bench/workloads/device-time.ts) counts what the device runs to inflate: miniz in C.

import type { NativeInflate, NativeInflateClass } from "../../hosts/moddable/native-inflate.js";

/** The global `inflateNatives` of the kernel xst (png_xst.c). */
export interface InflateNatives {
  /** Base class: `new` makes a host object with the SDK's inflate destructor. */
  Native: new () => object;
  /** xs_inflate, with `this` the new object: opens a zlib stream (C heap). */
  init: (this: object, options: { windowBits?: number }) => void;
  /** xs_inflate_push: the count of input bytes not read. */
  push: (this: object, input: Uint8Array, flush: boolean, output?: Uint8Array) => number;
  /** xs_inflate_close: frees the stream (a no-op once closed). */
  close: (this: object) => void;
}

/** The SDK's Inflate class over the xst natives. */
export function xstInflateClass(natives: InflateNatives): NativeInflateClass {
  const { Native, init, push, close } = natives;
  class Inflate extends Native implements NativeInflate {
    readonly strm = { avail_in: 0 };
    // The SDK's defaults collect chunks into `result`; the port replaces both before the first push.
    onData: (data: ArrayBuffer) => void = () => undefined;
    onEnd: (status: number) => void = () => undefined;

    constructor() {
      super();
      init.call(this, {});
    }

    push(input: Uint8Array, flush: boolean, output: Uint8Array): void {
      this.strm.avail_in = push.call(this, input, flush, output);
    }

    close(): void {
      close.call(this);
    }
  }
  return Inflate;
}
