/**
 * The runner-facing service: the control stream. Thin: it decodes the
 * envelope and hands each message to the domain (HostRuntime) in order, so
 * output chunks are always applied before the event that ends a task.
 */
import { ConnectError, Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type ControlRequest, type ControlResponseSchema, RunnerService } from "../../../gen/hakuriver/v1/runner_pb.js";
import { AsyncQueue } from "../../shared/async-queue.js";
import { toConnectError } from "../../shared/connect-errors.js";
import type { RunnerSession } from "../runners/node-registry.js";
import type { ControlPlane } from "../runners/control-plane.js";
import { firstMessage } from "./first-message.js";

let nextSessionId = 1;

/** Creates the RunnerService implementation over the control plane. */
export function runnerService(plane: ControlPlane): Partial<ServiceImpl<typeof RunnerService>> {
  return {
    async *control(requests: AsyncIterable<ControlRequest>, ctx: HandlerContext) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await firstMessage(iterator, ctx.signal, 10_000, "hello");
      if (first.message.case !== "hello") {
        throw new ConnectError("the first message on the control stream must be a hello", Code.InvalidArgument);
      }
      const outbox = new AsyncQueue<MessageInitShape<typeof ControlResponseSchema>>();
      const session: RunnerSession = {
        id: nextSessionId++,
        send: (message) => outbox.push(message),
        close: () => outbox.end(),
      };
      const hello = first.message.value;
      let name: string;
      try {
        name = await plane.hello(hello, session);
      } catch (error) {
        throw toConnectError(error);
      }
      ctx.signal.addEventListener("abort", () => outbox.end(), { once: true });
      const reading = (async () => {
        try {
          for (;;) {
            const next = await iterator.next();
            if (next.done) break;
            await plane.handle(name, next.value);
          }
        } catch {
          // The runner went away; the stream's end below does the rest.
        } finally {
          outbox.end();
        }
      })();
      try {
        for await (const message of outbox) yield message;
      } finally {
        plane.goodbye(name, session.id);
        void reading;
      }
    },
  };
}
