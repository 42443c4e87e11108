/**
 * The runner-facing service, assembled from its two streams: `control`
 * (hello, heartbeats, task events, log chunks up; commands down) and
 * `tunnel` (one stream per SSH session) and `exec` (one stream per exec). Checked against
 * `ServiceImpl<typeof RunnerService>`, so a missing RPC fails to compile.
 */
import type { ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { RunnerService } from "../../../gen/hakuriver/v1/runner_pb.js";
import type { ControlPlane } from "../runners/control-plane.js";
import type { TunnelBroker } from "../tunnels/tunnel-broker.js";
import { controlHandler } from "./control-handler.js";
import { tunnelHandler } from "./tunnel-handler.js";
import { execStreamHandler } from "./exec-stream-handler.js";
import type { ExecBroker } from "../exec/exec-broker.js";

/** What the runner service needs. */
export interface RunnerServiceDeps {
  readonly plane: ControlPlane;
  readonly broker: TunnelBroker;
  /** Where exec calls wait for their runner's stream. */
  readonly execs: ExecBroker;
  /** Gets why a control stream ended or a hello was refused. */
  readonly log: Logger;
}

/** Creates the complete RunnerService implementation. */
export function runnerService(deps: RunnerServiceDeps): ServiceImpl<typeof RunnerService> {
  return { ...controlHandler(deps.plane, deps.log), ...tunnelHandler(deps.broker), ...execStreamHandler(deps.execs) } satisfies ServiceImpl<typeof RunnerService>;
}
