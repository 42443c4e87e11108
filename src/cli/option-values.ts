/**
 * Option values yargs would misread: a value that begins with `-` (as in
 * `--memory -5G`) is parsed as short flags (`-5 -G`, "Unknown arguments: 5,
 * G"), so the user never hears what is wrong with the value itself.
 */
import { parseSize } from "../shared/units.js";
import { parseTimeLimit } from "../shared/time-limit.js";
import { UsageError } from "./usage-error.js";

/** Options whose values are checked by the command, so a `-` start must reach it as a value. */
export const DASH_VALUE_OPTIONS: readonly string[] = ["--memory", "--time-limit", "--gpus", "--tail", "-n", "--since"];

/**
 * Joins `--name -value` into `--name=-value` for the given options, before
 * `--` only (the task's own argv is never touched). Pure; returns a new array.
 */
export function joinDashValues(argv: readonly string[], names: readonly string[] = DASH_VALUE_OPTIONS): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    // "-" followed by a digit or a dot is a value (a negative size), never one of our flags.
    if (names.includes(word) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${word}=${next}`);
      i++;
    } else out.push(word);
  }
  return out;
}

/** Why a `--memory` value is not a size, in words for the user; undefined when it is fine (or absent). */
export function memoryValueProblem(value: unknown): string | undefined {
  if (value === undefined || (typeof value === "string" && value.trim() === "")) return undefined;
  try {
    parseSize(String(value));
    return undefined;
  } catch {
    return `--memory must be a size like 512M or 4G, got ${String(value)}`;
  }
}

/** Why a `--time-limit` value is not a limit, in words for the user; undefined when it is fine (or absent). */
export function timeLimitValueProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseTimeLimit(String(value));
    return undefined;
  } catch {
    return `--time-limit must be a positive duration like 90s, 45m, 2h30m or 1d, got ${JSON.stringify(String(value))}`;
  }
}

/**
 * The `--gpus` value as a number to send, undefined when absent. Only what
 * the wire cannot carry (a fraction, a word, a number past int32) is
 * refused here: the Host judges the count itself (1 or more, no more than a
 * node has), the same for every client.
 */
export function gpuCountOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.map(String).join(" ") : String(value).trim();
  if (!/^-?\d{1,10}$/.test(text) || Math.abs(Number(text)) > 2 ** 31 - 1) {
    throw new UsageError(`--gpus must be a whole number of GPUs, 1 or more, got ${text === "" ? "no value" : JSON.stringify(text)}`);
  }
  return Number(text);
}

/** Why a `--gpus` value cannot be sent (see {@link gpuCountOption}); undefined when it can. */
export function gpuCountValueProblem(value: unknown): string | undefined {
  try {
    gpuCountOption(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
