/**
 * The `Control` RPC of the runner-facing service. Thin: it decodes the
 * envelope and hands each message to the domain (HostRuntime) in order, so
 * output chunks are always applied before the event that ends a task.
 *
 * A message the domain cannot handle ends the stream, logged with the node
 * and the message, and the runner is told why (the stream fails with the
 * reason): it reconnects with backoff and re-reports from its inventory.
 * Storage faults do not get here: the control plane keeps the stream up
 * through them (see runners/storage-faults.ts).
 */
import { ConnectError, Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { ControlRequest, RunnerService } from "../../../gen/hakuriver/v1/runner_pb.js";
import { toConnectError } from "../../shared/connect-errors.js";
import { ControlSession } from "../runners/control-session.js";
import type { ControlPlane } from "../runners/control-plane.js";
import { firstMessage } from "./first-message.js";

/** Creates the `control` method of RunnerService over the control plane; `log` gets why a stream ended. */
export function controlHandler(plane: ControlPlane, log: Logger): Pick<ServiceImpl<typeof RunnerService>, "control"> {
  return {
    async *control(requests: AsyncIterable<ControlRequest>, ctx: HandlerContext) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await firstMessage(iterator, ctx.signal, 10_000, "hello");
      if (first.message.case !== "hello") {
        throw new ConnectError("the first message on the control stream must be a hello", Code.InvalidArgument);
      }
      const session = new ControlSession();
      const hello = first.message.value;
      let name: string;
      try {
        name = await plane.hello(hello, session);
      } catch (error) {
        // The runner logs the answer and retries with backoff; the Host's operator needs it too.
        log.warn({ node: hello.name, err: error instanceof Error ? error.message : String(error) }, "refused a runner's hello");
        throw toConnectError(error);
      }
      ctx.signal.addEventListener("abort", () => session.end(), { once: true });
      const reading = (async () => {
        for (;;) {
          let next: IteratorResult<ControlRequest>;
          try {
            next = await iterator.next();
          } catch (error) {
            // The runner went away (reset, ping timeout); goodbye below logs the disconnect.
            log.debug({ node: name, err: error instanceof Error ? error.message : String(error) }, "control stream read ended");
            break;
          }
          if (next.done) break;
          try {
            await plane.handle(name, next.value);
          } catch (error) {
            const err = error instanceof Error ? error.message : String(error);
            log.error({ node: name, case: next.value.message.case, err }, "could not handle a runner message; closing its stream");
            session.close(`the Host could not handle a ${next.value.message.case ?? "empty"} message: ${err}`);
            break;
          }
        }
        session.end();
      })();
      try {
        for await (const message of session.outbox) yield message;
        if (session.closeReason !== undefined && !ctx.signal.aborted) throw new ConnectError(session.closeReason, Code.Unavailable);
      } finally {
        plane.goodbye(name, session.id);
        void reading;
      }
    },
  };
}
