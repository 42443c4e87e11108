/**
 * The one interceptor chain both services pass through: domain errors to
 * gRPC codes, then the client token check (when a token is configured).
 */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { toConnectError } from "../../shared/connect-errors.js";

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
