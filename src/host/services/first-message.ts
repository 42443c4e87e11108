/**
 * Reads the first message of a client stream with a deadline, for bidi
 * handlers whose first message says what the stream is (a hello, an open).
 */
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * The stream's first message; DEADLINE_EXCEEDED after `timeoutMs`, CANCELED
 * when the stream ends or `signal` aborts first. `what` names the message in errors.
 */
export async function firstMessage<T>(iterator: AsyncIterator<T>, signal: AbortSignal, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectError(`no ${what} within ${timeoutMs} ms`, Code.DeadlineExceeded)), timeoutMs);
    onAbort = () => reject(new ConnectError(`stream closed before its ${what}`, Code.Canceled));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const result = await Promise.race([iterator.next(), stop]);
    if (result.done) throw new ConnectError(`stream closed before its ${what}`, Code.Canceled);
    return result.value;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
