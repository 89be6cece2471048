// The per-run configuration of the host test app. test/moddable/host.test.ts writes it as a module
// named "mc-host-config" (a generated config.ts beside a generated manifest that includes this
// folder's manifest) before each build; this declaration lets tsc check main.ts without it.

declare module "mc-host-config" {
  const config: {
    /** The Mosquitto mTLS listener on 127.0.0.1. */
    readonly brokerPort: number;
    /** A TCP echo server on 127.0.0.1 (plain TCP binding). */
    readonly echoPort: number;
    /** A proxy to the broker that sends the first TLS application-data record twice, the copy corrupted. */
    readonly corruptPort: number;
    /** A port nothing listens on. */
    readonly closedPort: number;
    readonly playerKey: string;
    readonly ca: string;
    readonly certificate: string;
    readonly key: string;
    /** A CA that did not sign the broker's certificate. */
    readonly wrongCa: string;
    /** A DNS server (127.x.y.z, port 53) that knows `dnsName` → 127.0.0.1; "" when the test could not start one. */
    readonly dnsServer: string;
    readonly dnsName: string;
    /** A pty the test echoes upper-cased on; "" when there is none. */
    readonly serialDevice: string;
    /** Storage namespace for this run (1–15 characters). */
    readonly storageNamespace: string;
    /** GIF files (some corrupt) decoded with the host's native art kernels and with the TypeScript ones. */
    readonly artFiles: readonly { readonly name: string; readonly format: "gif" | "webp"; readonly bytes: readonly number[]; readonly corrupt: boolean }[];
    /** PNG files (one with an unknown filter type) decoded with the host's C kernels and miniz, and with TypeScript. */
    readonly pngFiles: readonly { readonly name: string; readonly bytes: readonly number[]; readonly corrupt: boolean }[];
    /** BMP files (one with an index beyond its palette) decoded with the host's C row kernels and with TypeScript. */
    readonly bmpFiles: readonly { readonly name: string; readonly bytes: readonly number[]; readonly corrupt: boolean }[];
  };
  export default config;
}
