/**
 * The structured logger (pino) for the Host and runners: JSON lines on
 * stderr, so stdout stays free for what a command prints; or, when a log
 * file is set, JSON lines in that file, rotated by size by pino-roll (pino's
 * own rotating destination: we write no rotation of our own).
 */
import { pino, type DestinationStream, type Logger } from "pino";
import pinoRoll from "pino-roll";
import type { Config } from "./config-schema.js";
import { ENVIRONMENT_ONLY } from "./config-schema.js";
import { invalidArgument } from "./errors.js";
import { parseSize } from "./units.js";

const REDACT = ["joinToken", "token", "*.joinToken", "*.token"];

/** Creates a logger on stderr; level from `HAKURIVER_LOG_LEVEL` (default info). */
export function createLogger(name: string, level: string = process.env[ENVIRONMENT_ONLY.logLevel.name] ?? "info"): Logger {
  return pino({ name, level, redact: REDACT }, pino.destination(2));
}

/** The log settings of a Host or runner. */
export type LogSettings = Pick<Config, "logLevel" | "logFile" | "logMaxSize" | "logMaxFiles">;

/** Where each log setting comes from, for error messages. */
const NAMES = {
  level: "--log-level (logging.level)",
  file: "--log-file (logging.file)",
  maxSize: "logging.max_size",
  maxFiles: "logging.max_files",
} as const;

/**
 * The level to log at: logging.level, else `HAKURIVER_LOG_LEVEL`, else
 * info. INVALID_ARGUMENT naming the setting when it is not a pino level.
 */
export function logLevelOf(configured: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env[ENVIRONMENT_ONLY.logLevel.name];
  const level = (configured || fromEnv || "info").trim().toLowerCase();
  const known = [...Object.keys(pino.levels.values), "silent"];
  if (!known.includes(level)) {
    const source = configured ? NAMES.level : ENVIRONMENT_ONLY.logLevel.name;
    throw invalidArgument(`${source} must be one of ${known.join(", ")}, got ${configured || fromEnv}`);
  }
  return level;
}

/** The options pino-roll gets for `settings` (a file set); INVALID_ARGUMENT naming a bad setting. */
export function rollOptionsOf(settings: LogSettings): { file: string; size: string; limit: { count: number; removeOtherLogFiles: true }; mkdir: true; sync: true } {
  let maxBytes: number;
  try {
    maxBytes = parseSize(settings.logMaxSize);
  } catch {
    throw invalidArgument(`${NAMES.maxSize} must be a size such as 10Mi or 500K, got ${settings.logMaxSize}`);
  }
  if (maxBytes < 1) throw invalidArgument(`${NAMES.maxSize} must be at least 1 byte, got ${settings.logMaxSize}`);
  if (!Number.isInteger(settings.logMaxFiles) || settings.logMaxFiles < 1) {
    throw invalidArgument(`${NAMES.maxFiles} must be a whole number, 1 or more, got ${settings.logMaxFiles}`);
  }
  // "b": pino-roll reads a bare number as megabytes. Sync writes: nothing is lost when the process exits.
  return { file: settings.logFile, size: `${maxBytes}b`, limit: { count: settings.logMaxFiles, removeOtherLogFiles: true }, mkdir: true, sync: true };
}

/**
 * Opens the process logger of a Host or runner from its settings: stderr,
 * or the rotated file of logging.file. Bad settings are INVALID_ARGUMENT
 * naming the setting, before anything is logged.
 */
export async function openProcessLogger(name: string, settings: LogSettings): Promise<Logger> {
  const level = logLevelOf(settings.logLevel);
  if (settings.logFile === "") return pino({ name, level, redact: REDACT }, pino.destination(2));
  const options = rollOptionsOf(settings);
  let destination: DestinationStream;
  try {
    destination = await pinoRoll(options);
  } catch (error) {
    // A name pino-roll refuses, a directory it cannot make or write: said once, naming the setting.
    throw invalidArgument(`${NAMES.file}: cannot write logs to ${settings.logFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return pino({ name, level, redact: REDACT }, destination);
}

export type { Logger };
