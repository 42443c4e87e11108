/**
 * Byte pipes with back-pressure, used by both ends of an SSH tunnel (the
 * Host's proxy and the runner's dialer), so the rule lives in one place:
 * - socket → stream: {@link PipeOutbox} queues bytes (and control messages)
 *   for a gRPC stream, counts what waits, asks the producer to pause above
 *   {@link PIPE_HIGH_WATER_BYTES} and calls `onDrain` below
 *   {@link PIPE_LOW_WATER_BYTES}; data already queued behind is merged.
 * - stream → socket: {@link writeWithBackPressure} writes and waits for the
 *   socket to drain only past the high-water mark (a wait on every write
 *   would add a round trip to every HTTP/2 window update).
 */
import type { Duplex } from "node:stream";
import { AsyncQueue } from "./async-queue.js";
import { coalesceData } from "./coalesce.js";

/** Queued bytes above which the producer should pause. */
export const PIPE_HIGH_WATER_BYTES = 1024 * 1024;
/** Queued bytes below which a paused producer may resume. */
export const PIPE_LOW_WATER_BYTES = 256 * 1024;

/** A stream message that may carry bytes in a `data` case. */
export interface PipeMessage {
  message?: { case: string | undefined; value?: unknown };
}

/** Outgoing messages of one stream, with byte accounting; iterate it to feed the stream. */
export class PipeOutbox<T extends PipeMessage> implements AsyncIterable<T> {
  private readonly queue = new AsyncQueue<T>();
  private queued = 0;
  private aborted = false;
  /** Called when the queued bytes fall below the low-water mark. */
  onDrain: () => void = () => {};

  /** `wrap` makes the stream's data message from bytes. */
  constructor(private readonly wrap: (bytes: Uint8Array) => T) {}

  /** Bytes queued and not yet taken by the stream. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Queues bytes; returns false when the producer should pause. */
  data(bytes: Uint8Array): boolean {
    this.queued += bytes.length;
    this.queue.push(this.wrap(bytes));
    return this.queued < PIPE_HIGH_WATER_BYTES;
  }

  /** Queues a message that carries no bytes (open, close). */
  push(message: T): void {
    this.queue.push(message);
  }

  /** Ends the stream after what is queued (or at once with `abort`). */
  end(abort = false): void {
    if (abort) this.aborted = true;
    this.queue.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const message of this.queue) {
      if (this.aborted) return;
      const data = coalesceData(message, this.queue);
      if (!data) {
        yield message;
        continue;
      }
      const wasAbove = this.queued >= PIPE_LOW_WATER_BYTES;
      this.queued -= data.length;
      if (wasAbove && this.queued < PIPE_LOW_WATER_BYTES) this.onDrain();
      yield this.wrap(data);
    }
  }
}

function drained(socket: Duplex): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      socket.off("drain", onDrain);
      socket.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    socket.on("drain", onDrain);
    socket.on("close", onClose);
  });
}

/**
 * Writes `bytes` to `socket`, waiting for it to drain once more than the
 * high-water mark is buffered; resolves false when the socket closed first.
 */
export async function writeWithBackPressure(socket: Duplex, bytes: Uint8Array): Promise<boolean> {
  socket.write(bytes);
  if (socket.writableLength <= PIPE_HIGH_WATER_BYTES) return true;
  return drained(socket);
}
