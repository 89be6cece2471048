// Failures of a Makapix request, typed by the service's error_code (protocol sheet §3) or by what
// went wrong on our side. Unknown service codes are kept as text and handled as generic failures.

/** Codes the player acts on; any other string the service sends is carried as is. */
export type MakapixErrorCode =
  | "authentication_failed"
  | "rate_limit_exceeded"
  | "not_found"
  | "internal_error"
  | "invalid_request"
  | "playset_not_found"
  /** Our side: no reply within the timeout, after every retry. */
  | "timeout"
  /** Our side: the reply was not valid JSON or lacked what its type requires. */
  | "invalid_reply"
  /** Our side: the request could not be published (outbox full, refused by the broker, stopped). */
  | "publish_failed"
  /** Our side: too many requests queued. */
  | "busy"
  | (string & {});

export class MakapixError extends Error {
  override readonly name = "MakapixError";
  readonly code: MakapixErrorCode;
  constructor(code: MakapixErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
