/**
 * Matches the runners' Exec streams to the client calls that asked for
 * them, as the tunnel broker does for SSH sessions: the Host sends OpenExec
 * down the task's runner's control stream; the runner starts the command
 * and dials an Exec stream whose first message names the exec id; the
 * broker hands that stream to the waiting call, or fails it after a timeout.
 */
import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ExecRequest, ExecResponseSchema, ExecStartSchema } from "../../../gen/hakuriver/v1/exec_pb.js";
import type { NodeRegistry } from "../runners/node-registry.js";
import { AsyncQueue } from "../../shared/async-queue.js";
import { openExecCommand } from "../runners/runner-commands.js";

/** A message the Host sends on an exec stream. */
export type ExecOut = MessageInitShape<typeof ExecResponseSchema>;

/** An exec stream from a runner whose command started. */
export interface RunnerExec {
  readonly execId: string;
  /** Messages from the runner after the open (output, then one exit). */
  readonly incoming: AsyncIterator<ExecRequest>;
  /** Messages to the runner (stdin, resize, stdin_close); ending it ends the stream, and the runner kills the command. */
  readonly outbox: AsyncQueue<ExecOut>;
}

/** Why an exec could not be opened. */
export class ExecOpenError extends Error {
  constructor(
    /** offline: no control stream; timeout: no Exec stream in time; not_running: the runner holds no such running task; refused: the command could not start. */
    readonly reason: "offline" | "timeout" | "not_running" | "refused",
    message: string,
  ) {
    super(message);
    this.name = "ExecOpenError";
  }
}

interface Pending {
  resolve(exec: RunnerExec): void;
  reject(error: ExecOpenError): void;
}

/** Pending exec requests, keyed by exec id. */
export class ExecBroker {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly nodes: Pick<NodeRegistry, "send">) {}

  /** Exec requests waiting for their runner. */
  get waiting(): number {
    return this.pending.size;
  }

  /**
   * Asks `node`'s runner to start `start` and resolves with its stream once
   * the runner dialled back with the command started. Rejects with an
   * ExecOpenError when the node has no control stream, the runner says the
   * command could not start, or nothing arrives within `timeoutMs`.
   */
  open(node: string, start: MessageInitShape<typeof ExecStartSchema>, timeoutMs: number): Promise<RunnerExec> {
    const execId = randomUUID();
    return new Promise<RunnerExec>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(execId);
        reject(new ExecOpenError("timeout", `the runner on ${node} opened no exec stream within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(execId);
      };
      this.pending.set(execId, {
        resolve: (exec) => (settle(), resolve(exec)),
        reject: (error) => (settle(), reject(error)),
      });
      if (!this.nodes.send(node, openExecCommand(execId, start))) {
        this.pending.get(execId)?.reject(new ExecOpenError("offline", `node ${node} is offline (its runner holds no control stream); try again when it reconnects`));
      }
    });
  }

  /**
   * Hands a runner's stream to the waiting call. Returns the outbox the
   * stream handler must drain, or undefined when the open carried an error
   * (the waiting call fails with it) or nobody waits for this id (timed out,
   * or unknown): the handler then ends the stream.
   */
  accept(open: { execId: string; error: string; taskNotRunning: boolean }, incoming: AsyncIterator<ExecRequest>): AsyncQueue<ExecOut> | undefined {
    const waiter = this.pending.get(open.execId);
    if (!waiter) return undefined;
    if (open.error !== "") {
      waiter.reject(new ExecOpenError(open.taskNotRunning ? "not_running" : "refused", open.error));
      return undefined;
    }
    const outbox = new AsyncQueue<ExecOut>();
    waiter.resolve({ execId: open.execId, incoming, outbox });
    return outbox;
  }

  /** Whether a call waits for `execId` (the stream handler answers NOT_FOUND otherwise). */
  has(execId: string): boolean {
    return this.pending.has(execId);
  }
}
