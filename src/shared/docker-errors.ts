/**
 * Reading a dockerode failure, for the Host and for runners alike: the
 * engine's HTTP status (404 "no such container/image", 304 "already in that
 * state", 409 "conflict") and the engine's own message.
 */

/** The HTTP status the engine answered a failed call with; undefined when it never answered (socket errors). */
export function engineStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** True for the engine's "no such container/image" (HTTP 404). */
export function isEngineNotFound(error: unknown): boolean {
  return engineStatus(error) === 404;
}

/** The engine's own message of a failure (its JSON `message`), else the error's message. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | null | undefined)?.json;
  if (json && typeof json.message === "string") return json.message;
  return error instanceof Error ? error.message : String(error);
}
