// The one error type of src/json/: what went wrong (a code a caller can branch on), where in the byte
// stream it was noticed, and for extracted records the path of the offending field.

export type JsonErrorCode =
  /** Not JSON: an unexpected byte, a bad escape, a malformed number, trailing data. */
  | "syntax"
  /** The input ended inside a value (or was empty). */
  | "truncated"
  /** Containers nested deeper than the tokenizer's maxDepth. */
  | "depth"
  /** A string, key, number or value tree larger than the limit the consumer chose. */
  | "too_long"
  /** Bytes inside a string that are not well-formed UTF-8. */
  | "utf8"
  /** Well-formed JSON whose shape is wrong: a string where an integer belongs, an out-of-range value. */
  | "type"
  /** A required field is absent (or null). */
  | "missing"
  /** The same known key twice in one object. */
  | "duplicate";

export class JsonError extends Error {
  override readonly name = "JsonError";
  readonly code: JsonErrorCode;
  /** Byte offset in the stream where the problem was noticed; -1 when it is not about a stream position. */
  readonly offset: number;
  /** Where in the document, e.g. "posts[3].width"; "" when not known. */
  readonly path: string;
  /** The message without path and offset. */
  readonly reason: string;

  constructor(code: JsonErrorCode, reason: string, offset: number, path = "") {
    super(`${path ? path + ": " : ""}${reason}${offset >= 0 ? ` (byte ${offset})` : ""}`);
    this.code = code;
    this.reason = reason;
    this.offset = offset;
    this.path = path;
  }
}

/** The same error seen from further out: `outer` is prefixed to its path ("posts[3]" + "width"). */
export function withPathPrefix(error: JsonError, outer: string): JsonError {
  const path = error.path === "" ? outer : error.path.charCodeAt(0) === 0x5b ? outer + error.path : `${outer}.${error.path}`;
  return new JsonError(error.code, error.reason, error.offset, path);
}
