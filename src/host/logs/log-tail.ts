/**
 * Where the last N lines of a log begin, found by reading backwards from
 * its end in blocks, so a tail of a large log reads only what it needs.
 */

/** Reads up to `length` bytes at `offset` (fewer at the end). */
export type ReadAt = (offset: number, length: number) => Uint8Array;

const NEWLINE = 0x0a;
const BLOCK_BYTES = 64 * 1024;

/**
 * Byte offset at which the last `lines` lines of a `sizeBytes` log start. A
 * line ends with a newline; an unfinished last line counts as a line. 0
 * when the log has `lines` lines or fewer; `sizeBytes` when `lines` is 0.
 */
export function tailStartOffset(read: ReadAt, sizeBytes: number, lines: number): number {
  if (lines <= 0) return sizeBytes;
  // The newline that ends the last line separates it from nothing after it.
  let end = sizeBytes;
  let seen = 0;
  let skipLastNewline = true;
  while (end > 0) {
    const start = Math.max(0, end - BLOCK_BYTES);
    const block = read(start, end - start);
    for (let index = block.length - 1; index >= 0; index--) {
      if (block[index] !== NEWLINE) {
        skipLastNewline = false;
        continue;
      }
      if (skipLastNewline) {
        skipLastNewline = false;
        continue;
      }
      seen++;
      if (seen === lines) return start + index + 1;
    }
    end = start;
  }
  return 0;
}
