// Turning whatever was thrown into text for a log line or an error message.

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
