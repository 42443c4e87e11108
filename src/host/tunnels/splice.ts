/**
 * Splices a TCP socket to a runner's tunnel stream, both ways, with
 * back-pressure and half-close:
 * - socket → runner: bytes go to the outbox; the socket is paused while the
 *   outbox holds more than the high-water mark, resumed below low water.
 * - runner → socket: the next message is pulled from the stream only after
 *   the socket accepted the previous one (drain), so a slow client slows the
 *   runner through HTTP/2 flow control instead of filling memory.
 * - A FIN from the client becomes a `close` to the runner; the runner's
 *   `close` becomes `socket.end()`. The stream ends once both sides closed,
 *   or at once when either side fails.
 */
import type { Socket } from "node:net";
import type { RunnerTunnel } from "./tunnel-broker.js";
import { writeWithBackPressure } from "../../shared/byte-pipe.js";

/**
 * Relays bytes until both directions are closed; resolves when the tunnel
 * is finished (never rejects). `head` is data the client sent after its
 * request line, delivered first. The socket must allow half-open.
 */
export function spliceTunnel(socket: Socket, tunnel: RunnerTunnel, head?: Uint8Array): Promise<void> {
  const { outbox, incoming } = tunnel;
  let clientClosed = false;
  let runnerClosed = false;
  let finished = false;
  return new Promise<void>((resolve) => {
    const finish = (abort: boolean) => {
      if (finished) return;
      finished = true;
      outbox.end(abort);
      if (abort) socket.destroy();
      else socket.end();
      void incoming.return?.();
      resolve();
    };
    const maybeDone = () => {
      if (clientClosed && runnerClosed) finish(false);
    };
    outbox.onDrain = () => {
      if (!finished) socket.resume();
    };
    if (head && head.length > 0) outbox.data(head);
    socket.on("data", (chunk: Buffer) => {
      if (!outbox.data(chunk)) socket.pause();
    });
    socket.on("end", () => {
      clientClosed = true;
      outbox.close("client closed");
      maybeDone();
    });
    socket.on("error", () => finish(true));
    socket.on("close", () => {
      if (!clientClosed || !runnerClosed) finish(true);
    });
    socket.resume();
    void (async () => {
      try {
        for (;;) {
          const next = await incoming.next();
          if (next.done) break;
          const { message } = next.value;
          if (message.case === "data") {
            if (!(await writeWithBackPressure(socket, message.value))) return finish(true);
          } else if (message.case === "close") {
            runnerClosed = true;
            socket.end();
            return maybeDone();
          }
        }
        // The stream ended without a close: the runner went away.
        finish(true);
      } catch {
        finish(true);
      }
    })();
  });
}
