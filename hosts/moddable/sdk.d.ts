// The parts of the Moddable SDK modules that hosts/moddable uses, declared only so that `tsc -p
// tsconfig.json` checks this folder on a machine without the SDK (as sdk-inflate.d.ts does for
// `inflate`). Moddable builds use the SDK's own typings ($(MODDABLE)/typings, through the manifests);
// this file is not in any manifest. The bindings cast the SDK classes to small local shapes, so both
// sets of declarations type-check them.

declare function trace(...values: unknown[]): void;

declare module "embedded:io/socket/tcp" {
  export default class TCP {
    constructor(options: Record<string, unknown>);
    read(buffer: Uint8Array): void;
    write(value: Uint8Array): void;
    close(): void;
  }
}

declare module "embedded:io/socket/tcp/tls" {
  export default class TLSSocket {
    constructor(options: Record<string, unknown>);
    close(): undefined;
    read(count: number | ArrayBufferLike): undefined | ArrayBufferLike;
    write(buffer: ArrayBufferLike): number;
  }
}

declare module "embedded:io/socket/udp" {
  export default class UDP {
    constructor(options: Record<string, unknown>);
    close(): void;
  }
}

declare module "embedded:network/dns/resolver/udp" {
  export default class Resolver {
    constructor(options: Record<string, any>);
    close(): void;
    resolve(options: { host: string; onResolved: (host: string, address: any) => null; onError: (host: string) => null }): void;
  }
}

declare module "embedded:io/serial" {
  export default class Serial {
    constructor(options: Record<string, unknown>);
    close(): void;
    read(byteLength: number): ArrayBuffer | undefined;
    write(value: ArrayBuffer): void;
  }
}

declare module "timer" {
  class Timer {
    private constructor();
    static set(callback: (timer: Timer) => void, interval?: number, repeat?: number): Timer;
    static repeat(callback: (timer: Timer) => void, interval: number): Timer;
    static clear(timer: Timer | undefined | null): void;
    private brand: boolean;
  }
  export { Timer as default };
}

declare module "time" {
  const Time: {
    set(seconds: number): void;
    readonly ticks: number;
  };
  export { Time as default };
}

declare module "preference" {
  const Preference: {
    set(domain: string, key: string, value: string | boolean | number | ArrayBuffer): void;
    get(domain: string, key: string): string | boolean | number | ArrayBuffer | undefined;
    delete(domain: string, key: string): void;
    keys(domain: string): string[];
  };
  export { Preference as default };
}

declare module "net" {
  const Net: {
    get(property: string): any;
  };
  export { Net as default };
}
