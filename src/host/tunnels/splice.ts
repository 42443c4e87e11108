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
import type { Duplex } from "node:stream";
import type { RunnerTunnel } from "./tunnel-broker.js";
import { writeWithBackPressure } from "../../shared/byte-pipe.js";

/** Told of a tunnel's life and traffic (for /metrics). */
export interface TunnelMeter {
  tunnelOpened(): void;
  tunnelClosed(): void;
  /** Bytes relayed: `to_runner` from the client's socket, `to_client` from the runner's stream. */
  tunnelRelayed(direction: "to_runner" | "to_client", bytes: number): void;
}

/**
 * Relays bytes until both directions are closed; resolves when the tunnel
 * is finished (never rejects). `head` is data the client sent after its
 * request line, delivered first. The socket must allow half-open. `meter`
 * hears of the tunnel's opening, its bytes and its end.
 */
export function spliceTunnel(socket: Duplex, tunnel: RunnerTunnel, head?: Uint8Array, meter?: TunnelMeter): Promise<void> {
  const { outbox, incoming } = tunnel;
  let clientClosed = false;
  let runnerClosed = false;
  let finished = false;
  return new Promise<void>((resolve) => {
    meter?.tunnelOpened();
    const finish = (abort: boolean) => {
      if (finished) return;
      finished = true;
      meter?.tunnelClosed();
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
    if (head && head.length > 0) {
      meter?.tunnelRelayed("to_runner", head.length);
      outbox.data(head);
    }
    socket.on("data", (chunk: Buffer) => {
      meter?.tunnelRelayed("to_runner", chunk.length);
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
            meter?.tunnelRelayed("to_client", message.value.length);
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
