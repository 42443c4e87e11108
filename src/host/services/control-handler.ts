/**
 * The `Control` RPC of the runner-facing service: thin, it serves the
 * stream through the domain (`runners/control-stream.ts`).
 */
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { ControlRequest, RunnerService } from "../../../gen/hakuriver/v1/runner_pb.js";
import type { ControlPlane } from "../runners/control-plane.js";
import { serveControlStream } from "../runners/control-stream.js";
import { firstMessage } from "./first-message.js";
import { callingRunnerToken } from "../auth/principal.js";

/** How long a new control stream may take to say hello. */
const HELLO_TIMEOUT_MS = 10_000;

/** Creates the `control` method of RunnerService over the control plane; `log` gets why a stream ended. */
export function controlHandler(plane: ControlPlane, log: Logger): Pick<ServiceImpl<typeof RunnerService>, "control"> {
  return {
    async *control(requests: AsyncIterable<ControlRequest>, ctx: HandlerContext) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await firstMessage(iterator, ctx.signal, HELLO_TIMEOUT_MS, "hello");
      yield* serveControlStream(plane, log, first, iterator, ctx.signal, callingRunnerToken(ctx));
    },
  };
}
