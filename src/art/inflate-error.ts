// The error every inflater (the TypeScript one in inflate.ts, or a host's native binding) throws for bad
// compressed data. Kept apart from inflate.ts so a native binding need not pull in the TS decoder.

export type InflateErrorCode =
  /** The stream breaks RFC 1950/1951: bad header, bad code lengths, bad distance, checksum mismatch... */
  | "corrupt"
  /** The input ended before the final block and the checksum. */
  | "truncated"
  /** A preset dictionary (FDICT) is required: legal zlib, but no PNG uses it. */
  | "unsupported";

export class InflateError extends Error {
  // A field, not `this.name = ...`: in a Moddable app Error.prototype is frozen, and assigning a
  // property that a frozen prototype holds throws ("set name: not writable").
  override readonly name = "InflateError";
  readonly code: InflateErrorCode;
  constructor(code: InflateErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
