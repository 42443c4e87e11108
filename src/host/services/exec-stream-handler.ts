/**
 * The `Exec` RPC of the runner-facing service: a runner opens one stream
 * per exec when the Host asked for it with OpenExec. The first message
 * names the exec (and says whether the command started); the broker hands
 * the stream to the waiting client call, and this handler sends what that
 * call queues (stdin, resizes, stdin_close). The handler ending the stream
 * tells the runner the client is gone.
 */
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { ExecRequest } from "../../../gen/hakuriver/v1/exec_pb.js";
import type { RunnerService } from "../../../gen/hakuriver/v1/runner_pb.js";
import type { ExecBroker } from "../exec/exec-broker.js";
import { firstMessage } from "./first-message.js";

/** How long a runner may take to send the open message. */
const OPEN_TIMEOUT_MS = 10_000;

/** Creates the `exec` method of RunnerService over the broker. */
export function execStreamHandler(broker: ExecBroker): Pick<ServiceImpl<typeof RunnerService>, "exec"> {
  return {
    async *exec(requests: AsyncIterable<ExecRequest>, ctx: HandlerContext) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await firstMessage(iterator, ctx.signal, OPEN_TIMEOUT_MS, "open message");
      if (first.message.case !== "open") {
        throw new ConnectError("the first message on an exec stream must be an open", Code.InvalidArgument);
      }
      const open = first.message.value;
      const waited = broker.has(open.execId);
      const outbox = broker.accept(open, iterator);
      if (!waited) throw new ConnectError(`no client waits for exec ${open.execId} (it timed out or never existed)`, Code.NotFound);
      if (!outbox) return;
      const onAbort = () => outbox.end();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      try {
        yield* outbox;
      } finally {
        ctx.signal.removeEventListener("abort", onAbort);
      }
    },
  };
}
