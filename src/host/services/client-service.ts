/**
 * The client-facing service, assembled from its parts: task RPCs, node
 * RPCs, the watch, environment RPCs, auth RPCs and port forwards. Each part is typed as a `Pick` of the service,
 * and the whole is checked against `ServiceImpl<typeof ClientService>`, so
 * an RPC added to the contract and missing here fails to compile.
 */
import type { ServiceImpl } from "@connectrpc/connect";
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import { environmentHandlers, type EnvironmentDeps } from "../environments/environment-handlers.js";
import type { TaskRepo } from "../store/task-repo.js";
import type { TunnelMeter } from "../tunnels/splice.js";
import type { TunnelBroker } from "../tunnels/tunnel-broker.js";
import type { TaskEvents } from "../tasks/task-events.js";
import { authHandlers, type AuthHandlerDeps } from "./auth-handlers.js";
import { forwardHandlers } from "./forward-handler.js";
import { nodeHandlers, type NodeHandlerDeps } from "./node-handlers.js";
import { sshKeyHandlers, type SshKeyHandlerDeps } from "./ssh-key-handlers.js";
import { taskHandlers, type TaskHandlerDeps } from "./task-handlers.js";
import type { WatchDeps } from "../watch/watch-stream.js";
import { watchHandlers } from "./watch-handlers.js";
import { submitFromSnapshot, vpsLifecycleHandlers, type VpsLifecycleHandlerDeps } from "./vps-lifecycle-handlers.js";
import { execHandlers } from "./exec-handler.js";
import type { ExecBroker } from "../exec/exec-broker.js";

/** What the client service needs: what its parts need, the Host's whole task repository and events. */
export interface ClientServiceDeps extends Omit<TaskHandlerDeps, "repo" | "events">, Omit<NodeHandlerDeps, "repo" | "events"> {
  readonly repo: TaskRepo;
  readonly events: TaskEvents;
  readonly environments: EnvironmentDeps;
  readonly auth: AuthHandlerDeps;
  /** Registered SSH keys (the jump host's). */
  readonly sshKeys: SshKeyHandlerDeps;
  /** What watches read from: the change feed, the shared ledger, the Host's stop signal. */
  readonly watch: WatchDeps;
  /** VPS stop, start, restart and snapshots. */
  readonly vps: Omit<VpsLifecycleHandlerDeps, "logs">;
  /** Opens runners' tunnel streams (port forwards). */
  readonly broker: Pick<TunnelBroker, "open">;
  /** Counts port forwards for /metrics; none = not counted. */
  readonly forwardMeter?: TunnelMeter;
  /** Where exec calls wait for their runner's stream. */
  readonly execs: ExecBroker;
}

/** Creates the complete ClientService implementation. */
export function clientService(deps: ClientServiceDeps): ServiceImpl<typeof ClientService> {
  const tasks = taskHandlers(deps);
  return {
    ...tasks,
    submitTask: submitFromSnapshot(tasks.submitTask, deps.vps.snapshots),
    ...vpsLifecycleHandlers({ ...deps.vps, logs: deps.logs }),
    ...nodeHandlers(deps),
    ...watchHandlers({ watch: deps.watch, logs: deps.logs }),
    ...environmentHandlers(deps.environments),
    ...authHandlers(deps.auth),
    ...execHandlers({ tasks: deps.tasks, execs: deps.execs }),
    ...sshKeyHandlers(deps.sshKeys),
    ...forwardHandlers({ tasks: deps.tasks, nodes: deps.nodes, broker: deps.broker, ...(deps.forwardMeter ? { meter: deps.forwardMeter } : {}) }),
  } satisfies ServiceImpl<typeof ClientService>;
}
