// The SDK modules the memory report uses, declared only so that the project's `tsc` checks hosts/sim on
// a machine without the SDK (as hosts/moddable/sdk.d.ts does). mcconfig builds use the SDK's typings.

declare module "instrumentation" {
  const Instrumentation: {
    get(what: number | undefined): number | undefined;
    map(name: string): number | undefined;
  };
  export default Instrumentation;
}

declare module "debug" {
  const Debug: { gc(enable?: boolean): void };
  export default Debug;
}
