/**
 * Task time limits as people write them (`--time-limit 2h30m`,
 * `scheduler.default_time_limit = "1d"`) and as messages print them
 * ("time limit 2h30m reached"). The durations themselves are read by the
 * one duration parser, {@link parseDuration} in `units.ts` (also behind
 * `--expires` and `--since`).
 */
import { DomainError } from "./errors.js";
import { ErrorReason } from "./error-reasons.js";
import { parseDuration } from "./units.js";

/** The accepted forms, as messages and field violations tell them. */
const TIME_LIMIT_FORMAT = "use a positive duration: NUMBER+UNIT parts with units ms, s, m, h, d, w, such as 90s, 45m, 2h30m or 1d";

/**
 * The largest limit accepted: 100 years, far past any task, and still exact
 * in a double and an int64 of milliseconds.
 */
export const MAX_TIME_LIMIT_MS = 100 * 365 * 86_400_000;

/** The INVALID_ARGUMENT for a bad limit, with no field yet (the caller places it with `atField`). */
function invalidTimeLimit(message: string): DomainError {
  return new DomainError("invalid_argument", message, {
    reason: ErrorReason.INVALID_TIME_LIMIT,
    fieldViolations: [{ field: "", description: TIME_LIMIT_FORMAT }],
  });
}

/**
 * Parses a time limit into milliseconds: `2h30m`, `90s`, `1d`, `45m`,
 * `1h30m15s`, `500ms` (units ms, s, m, h, d, w; parts add up; decimals
 * such as `1.5h` allowed). Throws an INVALID_ARGUMENT DomainError (reason
 * INVALID_TIME_LIMIT, a field violation without a field) for a malformed
 * text (`2x`, `-1h`, `5` without a unit, empty), for a limit that rounds to
 * zero milliseconds (`0s`), and for one past {@link MAX_TIME_LIMIT_MS}.
 */
export function parseTimeLimit(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw invalidTimeLimit(`invalid time limit "${text}": ${TIME_LIMIT_FORMAT}`);
  }
  if (ms <= 0) throw invalidTimeLimit(`time limit "${text}" is zero: ${TIME_LIMIT_FORMAT} (leave it out for no limit)`);
  if (ms > MAX_TIME_LIMIT_MS) throw invalidTimeLimit(`time limit "${text}" is too long: at most 100 years`);
  return ms;
}

/**
 * The limit of an optional text: 0 (no limit) for an empty or blank one,
 * else {@link parseTimeLimit}'s milliseconds.
 */
export function optionalTimeLimit(text: string): number {
  return text.trim() === "" ? 0 : parseTimeLimit(text);
}

const PARTS: readonly (readonly [string, number])[] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/**
 * Writes a limit in the form it is typed, largest units first and no zero
 * parts: 9_000_000 → `2h30m`, 2000 → `2s`, 86_400_000 → `1d`, 1500 →
 * `1s500ms`. {@link parseTimeLimit} reads the text back to the same value.
 * 0 (or less) is `none`.
 */
export function formatTimeLimit(ms: number): string {
  if (!(ms > 0)) return "none";
  let left = Math.round(ms);
  let text = "";
  for (const [unit, size] of PARTS) {
    const count = Math.floor(left / size);
    if (count === 0) continue;
    text += `${count}${unit}`;
    left -= count * size;
  }
  return text;
}

/** The message of a task its limit ended: `time limit 2s reached`. */
export function timeLimitReachedMessage(limitMs: number): string {
  return `time limit ${formatTimeLimit(limitMs)} reached`;
}

/**
 * The Host's `scheduler.default_time_limit` in milliseconds: 0 (no limit)
 * when empty, else the limit. A bad value stops the Host's start with an
 * INVALID_ARGUMENT that names the setting.
 */
export function defaultTimeLimitMs(setting: string): number {
  try {
    return optionalTimeLimit(setting);
  } catch (error) {
    throw new DomainError("invalid_argument", `scheduler.default_time_limit: ${error instanceof Error ? error.message : String(error)}`, {
      reason: ErrorReason.INVALID_TIME_LIMIT,
    });
  }
}
