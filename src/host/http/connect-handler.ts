/**
 * The Node request handler of the API: connect-node's adapter, over a
 * router built once by the caller, so the HTTP/2 server, the HTTP/1.1
 * server and the in-process calls of the shell WebSocket all reach the very
 * same handlers and interceptor chain. Requests for no RPC path go to
 * `fallback` (the dashboard's files).
 */
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import { Code, ConnectError, type ConnectRouter, type ContextValues } from "@connectrpc/connect";
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { withSpecGrpcMessage } from "./grpc-message.js";

/** A request of the http or the http2 module. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;
/** A response of the http or the http2 module, as connect-node types it. */
export type NodeResponse = Parameters<typeof universalResponseToNodeResponse>[1];
/** A request listener for both the http and the http2 servers. */
export type NodeHandler = (request: NodeRequest, response: NodeResponse) => void;

/** The router's handlers by request path. */
export function handlersByPath(router: ConnectRouter): ReadonlyMap<string, UniversalHandler> {
  return new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
}

/**
 * Serves the router's RPCs; `contextValues` gives each call its values (the
 * peer address), `fallback` answers every other path.
 */
export function connectHandler(handlers: ReadonlyMap<string, UniversalHandler>, contextValues: (request: NodeRequest) => ContextValues, fallback: NodeHandler): NodeHandler {
  return (request, response) => {
    const handler = handlers.get((request.url ?? "").split("?", 1)[0]!);
    if (!handler) {
      fallback(request, response);
      return;
    }
    handler(universalRequestFromNodeRequest(request, response, undefined, contextValues(request)))
      .then((answer) => universalResponseToNodeResponse(withSpecGrpcMessage(answer), response))
      .catch((reason: unknown) => {
        // A caller that went away is not the server's failure; anything else is a bug worth a line on stderr.
        if (ConnectError.from(reason).code === Code.Aborted) return;
        console.error(`handler for rpc ${handler.method.name} of ${handler.service.typeName} failed`, reason);
      });
  };
}
