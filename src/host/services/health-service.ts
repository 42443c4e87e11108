/**
 * The standard gRPC health service (grpc.health.v1.Health), so that
 * grpc_health_probe, load balancers and Kubernetes probes can ask the Host
 * whether it serves, with no credential (see the policy). Check answers
 * NOT_FOUND for a name it does not know, as the protocol says; Watch
 * answers SERVICE_UNKNOWN for one and keeps waiting for it to appear.
 */
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { Health } from "../../../gen/grpc/health/v1/health_pb.js";
import { watchStatus, type HealthState } from "../health-state.js";

/** Creates the Health implementation over `state`. */
export function healthService(state: HealthState): ServiceImpl<typeof Health> {
  return {
    check: (request) => {
      const status = state.status(request.service);
      if (status === undefined) throw new ConnectError(`unknown service "${request.service}": this Host serves ${[...state.list().keys()].filter(Boolean).join(", ")}`, Code.NotFound);
      return { status };
    },
    list: () => ({ statuses: Object.fromEntries([...state.list()].map(([name, status]) => [name, { status }])) }),
    watch: async function* (request, context) {
      for await (const status of watchStatus(state, request.service, context.signal)) yield { status };
    },
  } satisfies ServiceImpl<typeof Health>;
}
