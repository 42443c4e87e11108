/**
 * Size and duration parsing shared by the CLI, the Host and config files.
 */
import { DomainError } from "./errors.js";
import { ErrorReason } from "./error-reasons.js";

/** The accepted memory size forms, as a field violation tells them. */
const SIZE_FORMAT = "use a number with an optional unit, such as 512M, 4G, 1.5G or 256Mi";

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  B: 1,
  K: 1e3,
  KB: 1e3,
  M: 1e6,
  MB: 1e6,
  G: 1e9,
  GB: 1e9,
  T: 1e12,
  TB: 1e12,
  KI: 1024,
  KIB: 1024,
  MI: 1024 ** 2,
  MIB: 1024 ** 2,
  GI: 1024 ** 3,
  GIB: 1024 ** 3,
  TI: 1024 ** 4,
  TIB: 1024 ** 4,
};

/**
 * Parses a human memory size into bytes. `K/M/G/T` are 1000-based (as the
 * original HakuRiver), `Ki/Mi/Gi/Ti` 1024-based; a plain number is bytes.
 * Decimals are allowed (`1.5G`). Throws an INVALID_ARGUMENT DomainError with
 * the accepted forms when the text is malformed (reason INVALID_MEMORY_SIZE,
 * and a field violation with no field yet: the caller knows which field it
 * parsed, see `atField`).
 */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match?.[2]?.toUpperCase();
  const factor = unit === undefined ? undefined : SIZE_UNITS[unit];
  if (!match || factor === undefined) {
    throw new DomainError("invalid_argument", `invalid memory size "${text}": ${SIZE_FORMAT}`, {
      reason: ErrorReason.INVALID_MEMORY_SIZE,
      fieldViolations: [{ field: "", description: `${SIZE_FORMAT}; K, M, G, T are 1000-based, Ki, Mi, Gi, Ti 1024-based, a plain number is bytes` }],
    });
  }
  const bytes = Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes)) {
    throw new DomainError("invalid_argument", `memory size "${text}" is too large`, {
      reason: ErrorReason.INVALID_MEMORY_SIZE,
      fieldViolations: [{ field: "", description: `at most ${Number.MAX_SAFE_INTEGER} bytes` }],
    });
  }
  return bytes;
}

/** Renders bytes for people: `1.5 GiB`, `512 MiB`, `900 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let index = 0;
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024;
    index++;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[index]}`;
}

/**
 * Renders a core count for people: at most two decimals, no trailing zeros
 * (`2`, `0.5`, `0.33`), so a sum of fractional reservations such as
 * 0.1 + 0.2 reads `0.3`, not `0.30000000000000004`.
 */
export function formatCores(cores: number): string {
  return String(Number(cores.toFixed(2)));
}

/** Renders a duration in milliseconds for people: `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a human duration into milliseconds: one or more `<number><unit>`
 * parts, units `ms`, `s`, `m` (minutes), `h`, `d`, `w`, as in `90s`, `10m`,
 * `12h`, `30d`, `1h30m` or `1.5h`. A bare number is refused (seconds or
 * days? the reader cannot tell). Throws an INVALID_ARGUMENT DomainError with
 * the accepted forms when the text is malformed.
 */
export function parseDuration(text: string): number {
  const compact = text.trim().toLowerCase();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;
  let total = 0;
  let index = 0;
  while (index < compact.length) {
    part.lastIndex = index;
    const match = part.exec(compact);
    if (!match) break;
    total += Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
    index = part.lastIndex;
  }
  if (compact === "" || index !== compact.length) {
    throw new DomainError("invalid_argument", `invalid duration "${text}": use a number with a unit (s, m, h, d, w), such as 90s, 10m, 12h, 30d or 1h30m`);
  }
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) throw new DomainError("invalid_argument", `duration "${text}" is too long`);
  return ms;
}
