/**
 * The one interceptor chain both services pass through: domain errors to
 * gRPC codes, then the client token check (when a token is configured).
 */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { toConnectError } from "../../shared/connect-errors.js";
import { StorageFault } from "../../shared/storage-errors.js";

async function* mapStreamErrors<T>(stream: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* stream;
  } catch (error) {
    throw toConnectError(error);
  }
}

/** Turns DomainErrors (from unary handlers and from streams) into ConnectErrors with the right code. */
export const errorMapping: Interceptor = (next) => async (request) => {
  try {
    const response = await next(request);
    return response.stream ? { ...response, message: mapStreamErrors(response.message) } : response;
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

/**
 * Requires `authorization: Bearer <token>` on client calls when `token` is
 * non-empty. Runners authenticate with the join token in their hello.
 */
export function clientToken(token: string): Interceptor {
  return (next) => async (request) => {
    if (token !== "" && request.service.typeName === "hakuriver.v1.ClientService") {
      if (request.header.get("authorization") !== `Bearer ${token}`) {
        throw new ConnectError("a valid token is required: set auth.token in the config or HAKURIVER_AUTH_TOKEN", Code.Unauthenticated);
      }
    }
    return next(request);
  };
}
