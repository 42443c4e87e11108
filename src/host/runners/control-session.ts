/**
 * The Host's end of one control stream, as a {@link RunnerSession}: a queue
 * the transport drains, which opens with the welcome. Until `welcome` is
 * called, sent messages wait in order; the welcome goes first, then they
 * follow. The handshake's order thus holds by construction, whoever sends
 * (scheduler, task manager, tunnel broker) and however early.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ControlResponseSchema } from "../../../gen/hakuriver/v1/runner_pb.js";
import { AsyncQueue } from "../../shared/async-queue.js";
import type { RunnerSession } from "./node-registry.js";

type Command = MessageInitShape<typeof ControlResponseSchema>;

let nextSessionId = 1;

/** A control stream's outgoing side. */
export class ControlSession implements RunnerSession {
  readonly id = nextSessionId++;
  /** What the transport yields to the runner, welcome first. */
  readonly outbox = new AsyncQueue<Command>();
  private held: Command[] | undefined = [];
  /** Why the Host ended the stream, if it did; the runner receives it as the stream's error. */
  closeReason: string | undefined;

  send(message: Command): void {
    if (this.held) this.held.push(message);
    else this.outbox.push(message);
  }

  welcome(message: Command): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.outbox.push(message);
    held.forEach((m) => this.outbox.push(m));
  }

  close(reason: string): void {
    this.closeReason ??= reason;
    this.held = undefined;
    this.outbox.end();
  }

  /** Ends the stream without a reason (the runner went away). */
  end(): void {
    this.held = undefined;
    this.outbox.end();
  }
}
