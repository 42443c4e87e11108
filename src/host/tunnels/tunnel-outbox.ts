/**
 * The Host-to-runner side of one tunnel stream: a queue of data/close
 * messages that the Tunnel handler's generator drains, with byte accounting
 * so the TCP socket feeding it is paused while the gRPC side is slow.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { TunnelResponseSchema } from "../../../gen/hakuriver/v1/runner_pb.js";
import { AsyncQueue } from "../../shared/async-queue.js";
import { coalesceData } from "../../shared/coalesce.js";

/** A message the Host sends on a tunnel stream. */
export type TunnelOut = MessageInitShape<typeof TunnelResponseSchema>;

/** Queued bytes above which the producer should pause. */
export const TUNNEL_HIGH_WATER_BYTES = 1024 * 1024;

/** Queued bytes below which a paused producer may resume. */
export const TUNNEL_LOW_WATER_BYTES = 256 * 1024;

/** Queue of outgoing tunnel messages with a byte count and a drain callback. */
export class TunnelOutbox implements AsyncIterable<TunnelOut> {
  private readonly queue = new AsyncQueue<TunnelOut>();
  private queued = 0;
  private aborted = false;
  /** Called when the queued bytes fall below the low-water mark. */
  onDrain: () => void = () => {};

  /** Bytes queued and not yet taken by the stream. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Queues bytes; returns false when the producer should pause. */
  data(bytes: Uint8Array): boolean {
    this.queued += bytes.length;
    this.queue.push({ message: { case: "data", value: bytes } });
    return this.queued < TUNNEL_HIGH_WATER_BYTES;
  }

  /** Queues a half-close: no more bytes in this direction. */
  close(reason = ""): void {
    this.queue.push({ message: { case: "close", value: { reason } } });
  }

  /** Ends the stream after what is queued (or at once with `abort`). */
  end(abort = false): void {
    if (abort) this.aborted = true;
    this.queue.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TunnelOut> {
    for await (const message of this.queue) {
      if (this.aborted) return;
      const data = coalesceData(message, this.queue);
      if (data) {
        const wasAbove = this.queued >= TUNNEL_LOW_WATER_BYTES;
        this.queued -= data.length;
        if (wasAbove && this.queued < TUNNEL_LOW_WATER_BYTES) this.onDrain();
        yield { message: { case: "data", value: data } };
      } else yield message;
    }
  }
}
