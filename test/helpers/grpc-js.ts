/**
 * A HakuRiver client made the way any Node program would make one: the
 * canonical `@grpc/grpc-js` library with the protos loaded at runtime by
 * `@grpc/proto-loader`. Nothing here imports `gen/` or `src/`, so a test
 * through it shows the Host speaks plain gRPC, not only to our own code.
 */
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file runs from dist/test/helpers/). */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Loader options as a hand-written client would pick them: field names as in
 * the .proto, 64-bit integers and enums as strings, defaults filled in, and
 * the name of the set member of a oneof in a field named after the oneof.
 */
const LOADER_OPTIONS: protoLoader.Options = {
  includeDirs: [join(ROOT, "proto")],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** A dynamic client: every RPC of ClientService, by its .proto name. */
export type DynamicClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** A message as proto-loader decodes it (keepCase names; strings for enums and 64-bit ints); `any` because a dynamic client has no static message types. */
export type Message = Record<string, any>;

/**
 * Loads `hakuriver/v1/client.proto` (which imports the other protos) and
 * returns the ClientService constructor.
 */
export function loadClientService(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(["hakuriver/v1/client.proto"], LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { hakuriver: { v1: { ClientService: grpc.ServiceClientConstructor } } };
  return loaded.hakuriver.v1.ClientService;
}

/**
 * An interceptor that adds `authorization: Bearer <token>` to every call.
 * grpc-js refuses call credentials on an insecure channel, so a plaintext
 * client carries its token this way (or as per-call Metadata).
 */
export function bearerInterceptor(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set("authorization", `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

/** Metadata carrying `authorization: Bearer <token>`, for one call. */
export function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

/**
 * A ClientService client of `address` over plaintext HTTP/2; with a `token`,
 * every call carries it (through `bearerInterceptor`).
 */
export function dialClient(address: string, token?: string): DynamicClient {
  const ClientService = loadClientService();
  const interceptors = token === undefined ? [] : [bearerInterceptor(token)];
  return new ClientService(address, grpc.credentials.createInsecure(), { interceptors }) as DynamicClient;
}

/** Per-call options: a deadline in ms from now (default 10 s) and extra metadata. */
export interface CallOptions {
  readonly deadlineMs?: number;
  readonly metadata?: grpc.Metadata;
}

function grpcOptions(options: CallOptions): grpc.CallOptions {
  return { deadline: Date.now() + (options.deadlineMs ?? 10_000) };
}

/** Calls a unary RPC by its .proto name; rejects with the grpc-js ServiceError (code, details). */
export function unary(client: DynamicClient, method: string, request: Message, options: CallOptions = {}): Promise<Message> {
  const call = client[method];
  if (typeof call !== "function") throw new Error(`ClientService has no RPC ${method}`);
  return new Promise((resolve, reject) => {
    call.call(client, request, options.metadata ?? new grpc.Metadata(), grpcOptions(options), (error: grpc.ServiceError | null, response: Message) => {
      if (error) reject(error);
      else resolve(response);
    });
  });
}

/** Everything one streaming call delivered: its messages in order, and the final status. */
export interface StreamResult {
  readonly messages: Message[];
  readonly status: grpc.StatusObject;
  /** Set when the call ended with a non-OK status (grpc-js emits it as an 'error'). */
  readonly error: grpc.ServiceError | undefined;
}

/**
 * Collects a server-streaming or bidi call until grpc-js reports its status
 * (always the last event of a call, OK or not).
 */
export function collect(call: grpc.ClientReadableStream<Message> | grpc.ClientDuplexStream<Message, Message>): Promise<StreamResult> {
  const messages: Message[] = [];
  let error: grpc.ServiceError | undefined;
  call.on("data", (message: Message) => messages.push(message));
  call.on("error", (e: grpc.ServiceError) => (error = e));
  return new Promise((resolve) => call.on("status", (status: grpc.StatusObject) => resolve({ messages, status, error })));
}

/** Opens a server-streaming RPC by its .proto name. */
export function serverStream(client: DynamicClient, method: string, request: Message, options: CallOptions = {}): grpc.ClientReadableStream<Message> {
  const call = client[method];
  if (typeof call !== "function") throw new Error(`ClientService has no RPC ${method}`);
  return call.call(client, request, options.metadata ?? new grpc.Metadata(), grpcOptions(options)) as grpc.ClientReadableStream<Message>;
}

/** Opens a bidi-streaming RPC by its .proto name. */
export function bidiStream(client: DynamicClient, method: string, options: CallOptions = {}): grpc.ClientDuplexStream<Message, Message> {
  const call = client[method];
  if (typeof call !== "function") throw new Error(`ClientService has no RPC ${method}`);
  return call.call(client, options.metadata ?? new grpc.Metadata(), grpcOptions(options)) as grpc.ClientDuplexStream<Message, Message>;
}

/** grpc-js's status codes, re-exported so a test needs no second import. */
export const Status = grpc.status;
