// The parts of the Moddable SDK modules that hosts/esp32 uses, declared only so that `tsc -p
// tsconfig.json` checks this folder on a machine without the SDK. Moddable builds use the SDK's own
// typings ($(MODDABLE)/typings: wifi.d.ts, sntp.d.ts, mc/config.d.ts, embedded_io/digital.d.ts, embedded_io/system.d.ts, through
// the manifests); this file is in no manifest. The bindings cast to small local shapes, so both sets of
// declarations type-check them.

declare module "wifi" {
  export default class WiFi {
    static readonly gotIP: "gotIP";
    static readonly lostIP: "lostIP";
    static readonly disconnected: "disconnect";
    constructor(options: { ssid: string; password?: string }, callback: (message: string) => void);
    close(): void;
    static disconnect(): void;
  }
}

declare module "sntp" {
  export default class SNTP {
    static readonly time: 1;
    static readonly retry: 2;
    static readonly error: -1;
    constructor(options: { host: string }, callback: (message: -1 | 1 | 2, value?: number) => void);
  }
}

declare module "mc/config" {
  const config: Record<string, unknown>;
  export default config;
}

declare module "embedded:io/digital" {
  export default class Digital {
    static readonly InputPullUp: number;
    static readonly Rising: number;
    static readonly Falling: number;
    constructor(options: { pin: number; mode: number; edge?: number; onReadable?: (this: Digital) => void });
    read(): 0 | 1;
    close(): void;
  }
}

declare module "embedded:io/system" {
  export default class System {
    static restart(): void;
  }
}
