// Failures a request handler reports to the player: `{request_id, success:false, error, error_code}`.

export class RpcError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The service validates requests with pydantic models and answers any validation failure with
 * error_code internal_error, the text being "Internal error: " + pydantic's message.
 */
export function validationError(model: string, location: string, message: string): RpcError {
  return new RpcError("internal_error", `Internal error: 1 validation error for ${model}\n${location}\n  ${message}`);
}
