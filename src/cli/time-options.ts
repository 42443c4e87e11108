/**
 * Time values typed on the command line: `--expires 30d` (a lifetime) and
 * `--since 10m` or `--since 2026-01-02T03:04:05Z` (a point in time).
 */
import { invalidArgument } from "../shared/errors.js";
import { parseDuration } from "../shared/units.js";

/**
 * Seconds of a token's lifetime from `--expires`: a duration (`12h`,
 * `30d`), or `never` / absent for no expiry (0, as the contract says).
 * Throws INVALID_ARGUMENT naming the flag for anything else, and for a
 * lifetime under one second.
 */
export function ttlSecondsOf(expires: string | undefined): bigint {
  if (expires === undefined || /^\s*(never|0)\s*$/i.test(expires)) return 0n;
  let ms: number;
  try {
    ms = parseDuration(expires);
  } catch {
    throw invalidArgument(`--expires must be a duration such as 12h, 30d or 1w (or never), got ${expires}`);
  }
  if (ms < 1000) throw invalidArgument(`--expires must be at least 1s, got ${expires}`);
  return BigInt(Math.round(ms / 1000));
}

/**
 * Milliseconds since the epoch of `--since`: a duration back from `nowMs`
 * (`10m`, `2h`), or an ISO 8601 date or time (`2026-01-02`,
 * `2026-01-02T03:04:05Z`; without a zone, a date or time is local, as the
 * tables print them). Throws INVALID_ARGUMENT naming the flag otherwise.
 */
export function sinceMs(text: string, nowMs: number): number {
  try {
    return nowMs - parseDuration(text);
  } catch {
    // Not a duration: perhaps a time.
  }
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?))?$/.exec(text.trim());
  // A date alone would be read as UTC midnight: read it as local midnight, like a time without a zone.
  const at = iso ? Date.parse(`${iso[1]}T${iso[2] ?? "00:00"}`) : NaN;
  if (Number.isNaN(at)) throw invalidArgument(`--since must be a duration back from now (10m, 2h, 7d) or an ISO time (2026-01-02T03:04:05Z), got ${text}`);
  return at;
}
