// The SDK's `inflate` module, declared here only so that hosts/moddable type-checks on the build
// machine without the SDK (only what native-inflate.ts uses). Moddable builds take the SDK's own
// typings ($(MODDABLE)/typings/inflate.d.ts, through manifest_typings.json); this file is not in the
// manifest.

declare module "inflate" {
  export default class Inflate {
    constructor(options?: { windowBits?: number });
    push(input: Uint8Array, flush?: boolean, output?: Uint8Array): void;
    close(): void;
    onData: (data: ArrayBuffer) => void;
    onEnd: (status: number) => void;
    readonly strm: { readonly avail_in: number };
  }
}
