/**
 * `logs --timestamps` for people: each line of output prefixed with when its
 * first byte reached the Host, RFC 3339 in UTC with milliseconds
 * (`2026-01-02T03:04:05.678Z line`). A line split across chunks is stamped
 * once, with its first chunk's time.
 */

const NEWLINE = 0x0a;

/** The prefix of a line whose first byte arrived at `atMs` (null: unknown, shown as dashes of the same width). */
export function timestampPrefix(atMs: number | null): string {
  return atMs === null ? `${"-".repeat(24)} ` : `${new Date(atMs).toISOString()} `;
}

/** Adds line prefixes to a stream of chunks; keeps whether the next byte starts a line. */
export class LinePrefixer {
  private atLineStart = true;

  /** `data` with a prefix at the start of each line in it; `atMs` is when the chunk arrived. */
  prefix(data: Uint8Array, atMs: number | null): Uint8Array {
    if (data.length === 0) return data;
    const stamp = Buffer.from(timestampPrefix(atMs));
    const parts: Uint8Array[] = [];
    let from = 0;
    while (from < data.length) {
      if (this.atLineStart) parts.push(stamp);
      const newline = data.indexOf(NEWLINE, from);
      const to = newline === -1 ? data.length : newline + 1;
      parts.push(data.subarray(from, to));
      this.atLineStart = newline !== -1;
      from = to;
    }
    return Buffer.concat(parts);
  }
}
