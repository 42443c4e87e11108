/**
 * A pino logger that keeps its records in memory, for tests that check
 * what was logged (and that nothing failed silently).
 */
import { pino, type Logger } from "pino";

/** One log record as pino writes it. */
export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A logger and what it logged. */
export interface CapturedLog {
  readonly log: Logger;
  readonly records: LogRecord[];
}

/** A logger at `level` (default "debug") that records every line. */
export function captureLog(level = "debug"): CapturedLog {
  const records: LogRecord[] = [];
  const log = pino({ level }, { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) });
  return { log, records };
}
