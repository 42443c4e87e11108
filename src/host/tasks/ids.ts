/**
 * Time-sortable task ids: milliseconds since 2024-01-01 in the high bits and
 * a 12-bit sequence in the low bits. They stay below 2^53 until about 2093,
 * so JavaScript numbers, SQLite integers and decimal strings all hold them
 * exactly, and sorting by id sorts by submission time.
 */

const EPOCH_MS = Date.UTC(2024, 0, 1);
const SEQUENCE_BITS = 12;
const SEQUENCE_LIMIT = 2 ** SEQUENCE_BITS;

/** Makes ids; `now` is injected so tests control time. */
export interface IdGenerator {
  next(): number;
}

/**
 * Creates a generator whose ids strictly increase even when the clock stalls
 * or steps back (it borrows from the next millisecond instead).
 */
export function createIdGenerator(now: () => number = Date.now, floor = 0): IdGenerator {
  let last = floor;
  return {
    next(): number {
      const candidate = Math.max(0, now() - EPOCH_MS) * SEQUENCE_LIMIT;
      last = candidate > last ? candidate : last + 1;
      return last;
    },
  };
}

/** Parses a decimal task id; undefined when it is not one. */
export function parseTaskId(text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
