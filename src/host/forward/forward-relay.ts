/**
 * Relays one forwarded TCP connection between the client's ForwardPort
 * stream and the runner's tunnel stream, both ways, with back-pressure and
 * half-close:
 * - client → runner: the next client message is read only while the
 *   tunnel's outbox holds less than its high-water mark, so a slow task
 *   slows the client through HTTP/2 flow control instead of filling memory.
 * - runner → client: each message is yielded to the caller's stream, which
 *   pulls the next one only once it wrote this one.
 * - A close (or the end of the request stream) from the client becomes a
 *   close to the runner; the runner's close becomes a close to the client.
 *   The relay returns once both directions closed; it throws (and the
 *   runner's stream is dropped at once) when either side fails or `signal`
 *   aborts, so nothing stays open on the runner after the client went away.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ForwardPortRequest, ForwardPortResponseSchema } from "../../../gen/hakuriver/v1/forward_pb.js";
import type { TunnelMeter } from "../tunnels/splice.js";
import type { RunnerTunnel } from "../tunnels/tunnel-broker.js";

/** A message to the client of a forward. */
export type ForwardOut = MessageInitShape<typeof ForwardPortResponseSchema>;

/**
 * Resolves like `promise`, or rejects with Canceled once `signal` aborts.
 * The abort listener is removed when it settles (no per-call build-up on a
 * long connection, as a race against one long-pending promise would have).
 */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ConnectError("the forward was stopped", Code.Canceled));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}

/**
 * Yields the runner's side of the connection as ForwardPort responses
 * until both sides closed. `requests` continues the client's stream after
 * its open message. `meter` hears of the connection and its bytes.
 */
export async function* relayForward(requests: AsyncIterator<ForwardPortRequest>, tunnel: RunnerTunnel, signal: AbortSignal, meter?: TunnelMeter): AsyncGenerator<ForwardOut> {
  const { outbox, incoming } = tunnel;
  meter?.tunnelOpened();
  const stop = new AbortController();
  // Also when this generator waits at a yield (its finally would run only once resumed).
  const onCallAbort = () => (stop.abort(), outbox.end(true));
  signal.addEventListener("abort", onCallAbort, { once: true });
  if (signal.aborted) stop.abort();
  let drained: (() => void) | undefined;
  outbox.onDrain = () => drained?.();
  const waitForDrain = () => unlessAborted(new Promise<void>((resolve) => (drained = resolve)), stop.signal).finally(() => (drained = undefined));

  // Client → runner, until the client's close; its failure stops the relay.
  let clientError: unknown;
  const clientDone = (async () => {
    for (;;) {
      const next = await unlessAborted(requests.next(), stop.signal);
      if (next.done) break;
      const { message } = next.value;
      if (message.case === "data") {
        meter?.tunnelRelayed("to_runner", message.value.length);
        if (!outbox.data(message.value)) await waitForDrain();
      } else if (message.case === "close") break;
      else if (message.case === "open") throw new ConnectError("a forward's open may come only once, as its first message", Code.InvalidArgument);
    }
    outbox.close("client closed");
  })();
  clientDone.catch((error: unknown) => {
    if (!stop.signal.aborted) clientError = error;
    stop.abort();
  });

  let finished = false;
  try {
    for (;;) {
      const next = await unlessAborted(incoming.next(), stop.signal);
      if (next.done) throw new ConnectError("the runner's side of the forward ended without a close (the runner went away?)", Code.Unavailable);
      const { message } = next.value;
      if (message.case === "data") {
        meter?.tunnelRelayed("to_client", message.value.length);
        yield { message: { case: "data", value: message.value } };
      }
      else if (message.case === "close") {
        yield { message: { case: "close", value: { reason: message.value.reason } } };
        break;
      }
    }
    // The task's side is done; the connection ends once the client closed too.
    await unlessAborted(clientDone, stop.signal);
    finished = true;
  } catch (error) {
    // The client's own failure says more than the stop it caused.
    throw clientError ?? error;
  } finally {
    signal.removeEventListener("abort", onCallAbort);
    meter?.tunnelClosed();
    stop.abort();
    outbox.end(!finished);
    incoming.return?.()?.catch(() => {
      // The runner's stream is being dropped; how its reader ends does not matter any more.
    });
  }
}
