/**
 * Builds the RunTask command a runner receives for a task.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ControlResponseSchema } from "../../../gen/hakuriver/v1/runner_pb.js";
import { TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import type { TaskRecord } from "../tasks/task-record.js";

/** The control message that starts `task` on its runner. */
export function runTaskCommand(task: TaskRecord): MessageInitShape<typeof ControlResponseSchema> {
  return {
    message: {
      case: "runTask",
      value: {
        spec: {
          taskId: String(task.taskId),
          kind: task.kind === "vps" ? TaskKind.VPS : TaskKind.COMMAND,
          command: task.command,
          args: [...task.args],
          env: { ...task.env },
          cores: task.cores,
          memoryBytes: BigInt(task.memoryBytes),
          container: task.container,
          privileged: task.privileged,
          mounts: [...task.mounts],
          gpus: [...task.gpus],
          numaNode: task.numaNode ?? undefined,
          publicKey: task.publicKey,
        },
      },
    },
  };
}
