/**
 * `GET /metrics` on the API port: the Prometheus text exposition of
 * {@link HostMetrics}. With auth off anyone may read it. With auth on it
 * asks for `Authorization: Bearer TOKEN` of a user (any role: viewer is
 * enough, as for every read of the cluster), checked by the same
 * authenticator as RPCs (login throttle, audit of failures): no or a bad
 * token gets 401, a runner's join token 403, a locked-out address 429.
 */
import type { Logger } from "pino";
import { DomainError } from "../../shared/errors.js";
import { roleAtLeast } from "../../shared/roles.js";
import type { NodeHandler, NodeRequest, NodeResponse } from "../http/connect-handler.js";
import type { Principal } from "../auth/principal.js";

/** The path the endpoint answers. */
export const METRICS_PATH = "/metrics";

/** What the endpoint needs. */
export interface MetricsEndpointDeps {
  readonly render: () => Promise<string>;
  readonly contentType: string;
  /** False: no token is asked for. */
  readonly authEnabled: boolean;
  /** Checks a presented token (undefined: none sent; "" : not `Bearer <token>`); throws a DomainError when it fails. */
  readonly authenticate: (token: string | undefined, address: string) => Promise<Principal>;
  readonly log: Logger;
}

function bearerToken(request: NodeRequest): string | undefined {
  const value = request.headers.authorization;
  if (value === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1]! : "";
}

function answer(response: NodeResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "content-length": String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

/**
 * The reason a caller may not read the metrics, as an HTTP status, body and
 * headers; undefined when it may.
 */
async function refusal(deps: MetricsEndpointDeps, request: NodeRequest): Promise<{ status: number; body: string; headers?: Record<string, string> } | undefined> {
  if (!deps.authEnabled) return undefined;
  let principal: Principal;
  try {
    principal = await deps.authenticate(bearerToken(request), request.socket.remoteAddress ?? "");
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.kind === "resource_exhausted") {
      const retrySeconds = Math.max(1, Math.ceil((error.details.retryDelayMs ?? 1000) / 1000));
      return { status: 429, body: `${error.message}\n`, headers: { "retry-after": String(retrySeconds) } };
    }
    return { status: 401, body: `${error.message}\n`, headers: { "www-authenticate": 'Bearer realm="hakuriver"' } };
  }
  if (principal.kind !== "user") return { status: 403, body: "a join token is for runners only; /metrics needs a user's token (viewer or above)\n" };
  if (!roleAtLeast(principal.role, "viewer")) return { status: 403, body: `/metrics needs role viewer or above; ${principal.user} is ${principal.role}\n` };
  return undefined;
}

/** The handler for {@link METRICS_PATH}; see the file comment. */
export function metricsEndpoint(deps: MetricsEndpointDeps): NodeHandler {
  return (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      answer(response, 405, "/metrics answers GET (and HEAD) only\n", { allow: "GET, HEAD" });
      return;
    }
    void (async () => {
      const refused = await refusal(deps, request);
      if (refused) return answer(response, refused.status, refused.body, refused.headers);
      const text = await deps.render();
      response.writeHead(200, { "content-type": deps.contentType, "cache-control": "no-store", "content-length": String(Buffer.byteLength(text)) });
      if (request.method === "HEAD") response.end();
      else response.end(text);
    })().catch((error: unknown) => {
      deps.log.error({ err: error }, "could not render /metrics");
      if (!response.headersSent) answer(response, 500, "the Host could not render its metrics; its log says why\n");
      else response.end();
    });
  };
}
