/**
 * One runner's control stream, served: the hello first (refused ones are
 * logged), then every message handed to the control plane in order, so
 * output chunks are always applied before the event that ends a task,
 * while the session's outbox (welcome first) is yielded to the runner.
 *
 * A message the domain cannot handle ends the stream, logged with the node
 * and the message, and the runner is told why (the stream fails with the
 * reason): it reconnects with backoff and re-reports from its inventory.
 * Storage faults do not get here: the control plane keeps the stream up
 * through them (see storage-faults.ts).
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import type { ControlRequest, ControlResponseSchema } from "../../../gen/hakuriver/v1/runner_pb.js";
import { DomainError, invalidArgument } from "../../shared/errors.js";
import { ControlSession } from "./control-session.js";
import type { ControlPlane } from "./control-plane.js";

/** Serves the stream of a runner that joined with `joinTokenId` (its `first` message already read, the rest in `iterator`) until either side ends it; errors are DomainErrors (the interceptor maps them to codes). */
export async function* serveControlStream(
  plane: ControlPlane,
  log: Logger,
  first: ControlRequest,
  iterator: AsyncIterator<ControlRequest>,
  signal: AbortSignal,
  joinTokenId: string,
): AsyncGenerator<MessageInitShape<typeof ControlResponseSchema>> {
  if (first.message.case !== "hello") {
    throw invalidArgument("the first message on the control stream must be a hello");
  }
  const session = new ControlSession();
  const hello = first.message.value;
  let name: string;
  try {
    name = await plane.hello(hello, session, joinTokenId);
  } catch (error) {
    // The runner logs the answer and retries with backoff; the Host's operator needs it too.
    log.warn({ node: hello.name, err: error instanceof Error ? error.message : String(error) }, "refused a runner's hello");
    throw error;
  }
  signal.addEventListener("abort", () => session.end(), { once: true });
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
    if (session.closeReason !== undefined && !signal.aborted) throw new DomainError("unavailable", session.closeReason);
  } finally {
    plane.goodbye(name, session.id);
    void reading;
  }
}
