/**
 * The `ExecTask` RPC of ClientService: validate the start, check the
 * caller may reach the task, then relay the exec (see exec/exec-session.ts).
 */
import type { ServiceImpl } from "@connectrpc/connect";
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import { badField } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import { requireMayActOn } from "../auth/ownership.js";
import { callingUser } from "../auth/principal.js";
import type { ExecBroker } from "../exec/exec-broker.js";
import { checkExecStart, runExec } from "../exec/exec-session.js";
import type { TaskManager } from "../tasks/task-manager.js";

/** What the exec RPC needs. */
export interface ExecHandlerDeps {
  readonly tasks: Pick<TaskManager, "require">;
  readonly execs: ExecBroker;
  /** How long a runner may take to open an exec (ms); default exec-session's. */
  readonly execOpenTimeoutMs?: number;
}

/** Creates the exec RPC. */
export function execHandlers(deps: ExecHandlerDeps): Pick<ServiceImpl<typeof ClientService>, "execTask"> {
  return {
    async *execTask(requests, ctx) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await iterator.next();
      if (first.done || first.value.message.case !== "start") throw badField("start", ErrorReason.INVALID_FIELD, "an exec stream must begin with a start message naming the task and the command");
      const start = first.value.message.value;
      checkExecStart(start);
      const task = await deps.tasks.require(start.taskId);
      requireMayActOn(callingUser(ctx), task, "exec into");
      yield* runExec(deps.execs, task, start, iterator, ctx.signal, deps.execOpenTimeoutMs);
    },
  };
}
