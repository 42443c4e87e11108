/**
 * The `Tunnel` RPC of the runner-facing service: a runner opens one stream
 * per SSH session when the Host asked for it with OpenTunnel. The first
 * message names the tunnel; the broker hands the stream to the waiting
 * proxy connection, and this handler sends what that connection queues.
 */
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { RunnerService, TunnelRequest } from "../../../gen/hakuriver/v1/runner_pb.js";
import type { TunnelBroker } from "../tunnels/tunnel-broker.js";
import { firstMessage } from "./first-message.js";

/** How long a runner may take to send the open message. */
const OPEN_TIMEOUT_MS = 10_000;

/** Creates the `tunnel` method of RunnerService over the broker. */
export function tunnelHandler(broker: TunnelBroker): Pick<ServiceImpl<typeof RunnerService>, "tunnel"> {
  return {
    async *tunnel(requests: AsyncIterable<TunnelRequest>, ctx: HandlerContext) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await firstMessage(iterator, ctx.signal, OPEN_TIMEOUT_MS, "open message");
      if (first.message.case !== "open") {
        throw new ConnectError("the first message on a tunnel stream must be an open", Code.InvalidArgument);
      }
      const { tunnelId, error } = first.message.value;
      const outbox = broker.accept(tunnelId, error, iterator);
      if (error !== "") return;
      if (!outbox) throw new ConnectError(`no SSH session waits for tunnel ${tunnelId} (it timed out or never existed)`, Code.NotFound);
      const onAbort = () => outbox.end(true);
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      try {
        yield* outbox;
      } finally {
        ctx.signal.removeEventListener("abort", onAbort);
      }
    },
  };
}
