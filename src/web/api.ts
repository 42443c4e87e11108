/**
 * The dashboard's one client of the Host: the generated ClientService stubs
 * over Connect's web transport (binary protobuf over HTTP/1.1 or HTTP/2 on
 * the Host's own origin), with the session's token on every call. A call the
 * Host refuses as unauthenticated sends the user back to the login form.
 */
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import { refuseToken, token } from "./session.js";

const withToken: Interceptor = (next) => (request) => {
  if (token.value !== "") request.header.set("authorization", `Bearer ${token.value}`);
  return next(request);
};

/** The Host's ClientService. */
export const api: Client<typeof ClientService> = createClient(
  ClientService,
  createConnectTransport({ baseUrl: location.origin, useBinaryFormat: true, interceptors: [withToken] }),
);

/** A person-readable text for any error a call threw; an unauthenticated one also signs the user out. */
export function describeError(error: unknown): string {
  const connectError = ConnectError.from(error);
  if (connectError.code === Code.Unauthenticated) refuseToken(connectError.rawMessage);
  if (connectError.code === Code.Canceled) return "cancelled";
  return connectError.rawMessage || connectError.message;
}

/** True when the error is the caller's own abort (leaving a page), which needs no message. */
export function isAbort(error: unknown): boolean {
  return ConnectError.from(error).code === Code.Canceled;
}
