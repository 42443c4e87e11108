/**
 * Reads a Watch stream in the background for tests: every message is kept
 * in order, and a test waits for the first message (after a mark) that
 * passes a check.
 */
import type { Client } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ClientService, WatchRequestSchema, WatchResponse } from "../../gen/hakuriver/v1/client_pb.js";

/** A running watch. */
export class WatchReader {
  readonly messages: WatchResponse[] = [];
  /** How the stream ended: "open" while running, "ok", or the error. */
  ending: "open" | "ok" | Error = "open";
  readonly ended: Promise<void>;
  private readonly abort = new AbortController();
  private wake: () => void = () => {};

  constructor(client: Client<typeof ClientService>, request: MessageInitShape<typeof WatchRequestSchema>) {
    this.ended = (async () => {
      try {
        for await (const message of client.watch(request, { signal: this.abort.signal })) {
          this.messages.push(message);
          this.wake();
        }
        this.ending = "ok";
      } catch (error) {
        this.ending = error instanceof Error ? error : new Error(String(error));
      } finally {
        this.wake();
      }
    })();
  }

  /** Resolves with the first message at index `from` or later that passes `check`; fails after `timeoutMs`. */
  async until(check: (message: WatchResponse) => boolean, what: string, from = 0, timeoutMs = 5000): Promise<WatchResponse> {
    const deadline = Date.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.messages.length; index++) if (check(this.messages[index]!)) return this.messages[index]!;
      if (this.ending !== "open") throw new Error(`the watch ended (${this.ending === "ok" ? "ok" : this.ending.message}) before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no watch message within ${timeoutMs} ms: ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Resolves once the snapshot is complete; returns the index of the message after it. */
  async snapshotDone(): Promise<number> {
    const last = await this.until((m) => m.snapshotComplete, "the snapshot completes");
    return this.messages.indexOf(last) + 1;
  }

  /** Cancels the watch and waits for it to end. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.ended;
  }
}
