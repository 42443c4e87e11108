/**
 * The `ForwardPort` RPC of ClientService: one call per forwarded TCP
 * connection. Thin: the first message is checked and the runner's tunnel
 * opened by `forward/open-forward.ts`; `forward/forward-relay.ts` carries
 * the bytes.
 */
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import { callingUser } from "../auth/principal.js";
import { openForward, type ForwardDeps } from "../forward/open-forward.js";
import type { TunnelMeter } from "../tunnels/splice.js";
import { relayForward } from "../forward/forward-relay.js";
import { firstMessage } from "./first-message.js";

/** How long a client may take to send the open message. */
const OPEN_TIMEOUT_MS = 10_000;

/** Creates the `forwardPort` method of ClientService; `deps.meter` counts forwards for /metrics. */
export function forwardHandlers(deps: ForwardDeps & { readonly meter?: TunnelMeter }): Pick<ServiceImpl<typeof ClientService>, "forwardPort"> {
  return {
    async *forwardPort(requests, ctx) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await firstMessage(iterator, ctx.signal, OPEN_TIMEOUT_MS, "open message");
      if (first.message.case !== "open") throw new ConnectError("the first message of a forward must be an open (task_id and port)", Code.InvalidArgument);
      const opened = await openForward(callingUser(ctx), first.message.value, deps);
      // A caller gone (even while this generator waits at a yield) drops the runner's stream at once.
      const drop = () => opened.tunnel.outbox.end(true);
      if (ctx.signal.aborted) return drop();
      ctx.signal.addEventListener("abort", drop, { once: true });
      let relayed = false;
      try {
        yield { message: { case: "opened", value: { node: opened.node } } };
        relayed = true;
        // The relay ends the runner's stream itself: after its last message, or at once on failure.
        yield* relayForward(iterator, opened.tunnel, ctx.signal, deps.meter);
      } finally {
        ctx.signal.removeEventListener("abort", drop);
        if (!relayed) drop();
      }
    },
  };
}
