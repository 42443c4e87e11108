/**
 * When each chunk of a task's output reached the Host: a small index kept
 * beside the log (`<log file>.times`), so `logs --since` and
 * `logs --timestamps` still work after a Host restart.
 *
 * The index is a list of entries (offset, arrival time), in offset order:
 * the bytes from an entry's offset up to the next entry's offset arrived at
 * its time. On disk each entry is 16 bytes (two little-endian float64s,
 * offset then milliseconds since the epoch), appended as chunks arrive; a
 * torn last entry (a crash mid-write) is ignored when read. Chunks that
 * arrive in the same millisecond share one entry, so the index costs at most
 * 16 bytes per chunk and usually far less than the output it describes.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";

/** One entry: the bytes from `offset` on (to the next entry) arrived at `atMs`. */
export interface ArrivalEntry {
  readonly offset: number;
  readonly atMs: number;
}

/** Bytes one entry takes on disk. */
export const ARRIVAL_ENTRY_BYTES = 16;

/** The index file of the log at `logPath`. */
export function arrivalIndexPath(logPath: string): string {
  return `${logPath}.times`;
}

/** Appends one entry to the index at `path` (created when missing). */
export function appendArrival(path: string, entry: ArrivalEntry): void {
  const record = Buffer.alloc(ARRIVAL_ENTRY_BYTES);
  record.writeDoubleLE(entry.offset, 0);
  record.writeDoubleLE(entry.atMs, 8);
  const fd = openSync(path, "a", 0o644);
  try {
    let written = 0;
    while (written < record.length) written += writeSync(fd, record, written, record.length - written);
  } finally {
    closeSync(fd);
  }
}

/**
 * Entries of the index at `path` from entry number `fromEntry` on (all by
 * default); none when the file does not exist.
 */
export function readArrivals(path: string, fromEntry = 0): ArrivalEntry[] {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  try {
    const start = fromEntry * ARRIVAL_ENTRY_BYTES;
    const whole = Math.floor(Math.max(0, fstatSync(fd).size - start) / ARRIVAL_ENTRY_BYTES) * ARRIVAL_ENTRY_BYTES;
    if (whole === 0) return [];
    const buffer = Buffer.alloc(whole);
    const read = readSync(fd, buffer, 0, whole, start);
    const entries: ArrivalEntry[] = [];
    for (let at = 0; at + ARRIVAL_ENTRY_BYTES <= read; at += ARRIVAL_ENTRY_BYTES) {
      entries.push({ offset: buffer.readDoubleLE(at), atMs: buffer.readDoubleLE(at + 8) });
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

/**
 * Index in `entries` of the entry that holds byte `offset`: the last one
 * starting at or before it; -1 when the offset comes before every entry
 * (bytes the Host held before it kept times).
 */
export function entryHolding(entries: readonly ArrivalEntry[], offset: number): number {
  let low = 0;
  let high = entries.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (entries[middle]!.offset <= offset) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/**
 * When byte `offset` arrived: its entry's time; for bytes before the first
 * entry, the first entry's time (they came no later); with no entries at
 * all, `fallbackMs` (the log file's last write, for logs from before the
 * Host kept times).
 */
export function arrivalOf(entries: readonly ArrivalEntry[], offset: number, fallbackMs: number): number {
  if (entries.length === 0) return fallbackMs;
  return entries[Math.max(0, entryHolding(entries, offset))]!.atMs;
}

/**
 * The first byte offset that arrived at or after `sinceMs`, under the rule
 * of {@link arrivalOf}; `sizeBytes` (the end) when nothing did.
 */
export function firstOffsetSince(entries: readonly ArrivalEntry[], sinceMs: number, sizeBytes: number, fallbackMs: number): number {
  if (entries.length === 0) return fallbackMs >= sinceMs ? 0 : sizeBytes;
  // Bytes before the first entry take its time, so the first entry's test covers them too.
  if (entries[0]!.atMs >= sinceMs) return 0;
  // Linear rather than binary: times rise with the offset unless the clock was stepped back.
  for (let index = 1; index < entries.length; index++) {
    if (entries[index]!.atMs >= sinceMs) return Math.min(entries[index]!.offset, sizeBytes);
  }
  return sizeBytes;
}
