/**
 * The structured logger (pino) for the Host and runners: JSON lines on
 * stderr, so stdout stays free for what a command prints.
 */
import { pino, type Logger } from "pino";
import { ENVIRONMENT_ONLY } from "./config-schema.js";

/** Creates the process logger; level from `HAKURIVER_LOG_LEVEL` (default info). */
export function createLogger(name: string, level: string = process.env[ENVIRONMENT_ONLY.logLevel.name] ?? "info"): Logger {
  return pino({ name, level, redact: ["joinToken", "token", "*.joinToken", "*.token"] }, pino.destination(2));
}

export type { Logger };
