/**
 * The Host-to-runner side of one tunnel stream: the shared byte pipe
 * (`shared/byte-pipe.ts`) over the Tunnel response messages, plus the
 * half-close message.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { TunnelResponseSchema } from "../../../gen/hakuriver/v1/runner_pb.js";
import { PipeOutbox } from "../../shared/byte-pipe.js";

/** A message the Host sends on a tunnel stream. */
export type TunnelOut = MessageInitShape<typeof TunnelResponseSchema>;

/** Queue of outgoing tunnel messages with a byte count and a drain callback. */
export class TunnelOutbox extends PipeOutbox<TunnelOut> {
  constructor() {
    super((bytes) => ({ message: { case: "data", value: bytes } }));
  }

  /** Queues a half-close: no more bytes in this direction. */
  close(reason = ""): void {
    this.push({ message: { case: "close", value: { reason } } });
  }
}
