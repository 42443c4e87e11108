/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha), so grpcurl,
 * grpc_cli, Postman and friends can list the Host's services and fetch
 * their descriptors without our proto files. One implementation answers
 * both versions: their messages have the same shape, so each version's
 * request is read structurally and the answer is a plain init object that
 * either version's schema accepts.
 *
 * A question the index cannot answer gets an `error_response` on the
 * stream (NOT_FOUND, INVALID_ARGUMENT), never a failed stream: a client
 * asks many questions on one stream and a miss is an ordinary answer.
 */
import { Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { ServerReflection as ServerReflectionV1 } from "../../../gen/grpc/reflection/v1/reflection_pb.js";
import type { ServerReflection as ServerReflectionV1alpha } from "../../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import type { ReflectionIndex } from "./reflection-index.js";
import { INTERRUPTED, InterruptibleReader } from "./interruptible-reader.js";

/** A reflection request of either version, as far as answering it goes. */
export interface ReflectionQuery {
  readonly host: string;
  readonly messageRequest:
    | { readonly case: "fileByFilename" | "fileContainingSymbol" | "allExtensionNumbersOfType" | "listServices"; readonly value: string }
    | { readonly case: "fileContainingExtension"; readonly value: { readonly containingType: string; readonly extensionNumber: number } }
    | { readonly case: undefined; readonly value?: undefined };
}

/** A reflection response of either version, without its echo of the request. */
export interface ReflectionAnswer {
  readonly validHost: string;
  readonly messageResponse:
    | { readonly case: "fileDescriptorResponse"; readonly value: { readonly fileDescriptorProto: Uint8Array[] } }
    | { readonly case: "allExtensionNumbersResponse"; readonly value: { readonly baseTypeName: string; readonly extensionNumber: number[] } }
    | { readonly case: "listServicesResponse"; readonly value: { readonly service: { readonly name: string }[] } }
    | { readonly case: "errorResponse"; readonly value: { readonly errorCode: number; readonly errorMessage: string } };
}

function notFound(what: string): ReflectionAnswer["messageResponse"] {
  return { case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: `${what} is not known to this server` } };
}

function files(found: Uint8Array[] | undefined, what: string): ReflectionAnswer["messageResponse"] {
  return found ? { case: "fileDescriptorResponse", value: { fileDescriptorProto: found } } : notFound(what);
}

/** Answers one reflection question from `index` (pure: the same question gets the same answer). */
export function answerReflection(index: ReflectionIndex, query: ReflectionQuery): ReflectionAnswer {
  const request = query.messageRequest;
  const respond = (messageResponse: ReflectionAnswer["messageResponse"]): ReflectionAnswer => ({ validHost: query.host, messageResponse });
  switch (request.case) {
    case "listServices":
      return respond({ case: "listServicesResponse", value: { service: index.serviceNames.map((name) => ({ name })) } });
    case "fileByFilename":
      return respond(files(index.fileByName(request.value), `file "${request.value}"`));
    case "fileContainingSymbol":
      return respond(files(index.fileContainingSymbol(request.value), `symbol "${request.value}"`));
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = request.value;
      return respond(files(index.fileContainingExtension(containingType, extensionNumber), `extension ${extensionNumber} of "${containingType}"`));
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbersOf(request.value);
      return respond(numbers ? { case: "allExtensionNumbersResponse", value: { baseTypeName: request.value, extensionNumber: numbers } } : notFound(`message type "${request.value}"`));
    }
    case undefined:
      return respond({ case: "errorResponse", value: { errorCode: Code.InvalidArgument, errorMessage: "the request asks nothing: set one of its message_request fields" } });
  }
}

/**
 * Yields `requests` until they end or `signal` aborts (the caller left or
 * the Host is closing), so the handler never waits on a read past shutdown.
 */
async function* untilAborted<T>(requests: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const reader = new InterruptibleReader(requests[Symbol.asyncIterator]());
  const onAbort = (): void => reader.interrupt();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      if (signal.aborted) return;
      const step = await reader.next();
      if (step === INTERRUPTED || step.done) return;
      yield step.value;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** The one bidi handler, generic over the version's request type; each answer echoes its request. */
function reflectionStream(index: ReflectionIndex) {
  return async function* <Q extends ReflectionQuery>(requests: AsyncIterable<Q>, context: HandlerContext) {
    for await (const query of untilAborted(requests, context.signal)) yield { ...answerReflection(index, query), originalRequest: query };
  };
}

/** grpc.reflection.v1.ServerReflection over `index`. */
export function reflectionServiceV1(index: ReflectionIndex): ServiceImpl<typeof ServerReflectionV1> {
  return { serverReflectionInfo: reflectionStream(index) } satisfies ServiceImpl<typeof ServerReflectionV1>;
}

/** grpc.reflection.v1alpha.ServerReflection over `index` (older clients, grpcurl before 1.9 among them). */
export function reflectionServiceV1alpha(index: ReflectionIndex): ServiceImpl<typeof ServerReflectionV1alpha> {
  return { serverReflectionInfo: reflectionStream(index) } satisfies ServiceImpl<typeof ServerReflectionV1alpha>;
}
