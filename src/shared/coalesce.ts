/**
 * Merges byte messages that are already queued into one, so a stream that
 * is behind sends fewer, larger messages (each message costs an encode,
 * framing and a wake-up on both ends; bytes cost only a copy).
 */
import type { AsyncQueue } from "./async-queue.js";

/** A message that may carry bytes in a `data` case. */
interface DataMessage {
  message?: { case: string | undefined; value?: unknown };
}

/** Largest merged chunk. */
export const COALESCE_MAX_BYTES = 1024 * 1024;

function bytesOf(item: DataMessage): Uint8Array | undefined {
  return item.message?.case === "data" ? (item.message.value as Uint8Array) : undefined;
}

/**
 * Returns `first`'s bytes merged with the data messages queued right behind
 * it (up to {@link COALESCE_MAX_BYTES}); undefined when `first` carries none.
 */
export function coalesceData<T extends DataMessage>(first: T, queue: AsyncQueue<T>): Uint8Array | undefined {
  const head = bytesOf(first);
  if (!head) return undefined;
  const parts = [head];
  let size = head.length;
  while (size < COALESCE_MAX_BYTES) {
    const next = queue.shiftIf((item) => {
      const bytes = bytesOf(item);
      return bytes !== undefined && size + bytes.length <= COALESCE_MAX_BYTES;
    });
    if (!next) break;
    const bytes = bytesOf(next)!;
    parts.push(bytes);
    size += bytes.length;
  }
  return parts.length === 1 ? head : Buffer.concat(parts, size);
}
