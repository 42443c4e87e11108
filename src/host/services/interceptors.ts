/**
 * The interceptors both services pass through first: domain errors to gRPC
 * codes, and storage faults logged. The auth interceptor (auth/) follows.
 */
import { ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { toConnectError } from "../../shared/connect-errors.js";
import { StorageFault } from "../../shared/storage-errors.js";

/**
 * A stream's errors mapped; and a stream that ended because its deadline
 * passed (its handler saw the aborted signal and returned) ends with
 * DEADLINE_EXCEEDED, not OK: Connect sends OK for any handler that returns.
 */
async function* mapStreamErrors<T>(stream: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  try {
    yield* stream;
  } catch (error) {
    throw toConnectError(error);
  }
  if (signal.aborted && signal.reason instanceof ConnectError) throw signal.reason;
}

/** Turns DomainErrors (from unary handlers and from streams) into ConnectErrors with the right code; a stream cut by its deadline ends DEADLINE_EXCEEDED. */
export const errorMapping: Interceptor = (next) => async (request) => {
  try {
    const response = await next(request);
    return response.stream ? { ...response, message: mapStreamErrors(response.message, request.signal) } : response;
  } catch (error) {
    throw toConnectError(error);
  }
};

/**
 * Logs every request that failed on a storage fault, once, with the
 * procedure and the path: the client sees RESOURCE_EXHAUSTED or UNAVAILABLE,
 * the operator needs to see it too, and nothing else logs it. Sits inside
 * `errorMapping`, where the fault is still a StorageFault.
 */
export function storageFaultLog(log: Logger): Interceptor {
  const report = (error: unknown, procedure: string): unknown => {
    if (error instanceof StorageFault) log.error({ procedure, path: error.path, kind: error.kind, err: error.message }, "request failed on a storage fault");
    return error;
  };
  return (next) => async (request) => {
    const procedure = `${request.service.typeName}/${request.method.name}`;
    try {
      const response = await next(request);
      if (!response.stream) return response;
      const inner = response.message;
      async function* logged() {
        try {
          yield* inner;
        } catch (error) {
          throw report(error, procedure);
        }
      }
      return { ...response, message: logged() };
    } catch (error) {
      throw report(error, procedure);
    }
  };
}
