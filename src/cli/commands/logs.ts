/**
 * `hakuriver logs ID [--stderr] [--follow] [--tail N] [--since T]
 * [--timestamps]`: prints a task's output; with --follow streams it live
 * until the task ends, resuming from the last byte offset when the
 * connection drops, then exits with the task's exit code. --tail and
 * --since choose where it starts (the Host finds the place); --timestamps
 * prefixes each line with when it reached the Host. With --json it prints
 * JSON lines instead: one per chunk (stream, offset, data) and a last one
 * for the end (see log-json.ts).
 */
import { timestampFromMs, timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Argv } from "yargs";
import { LogStream } from "../../../gen/hakuriver/v1/types_pb.js";
import { isFinal, statusName } from "../../shared/task-status.js";
import { clientContext, type GlobalArgs } from "../context.js";
import { failureExitCode } from "../exit-codes.js";
import { invalidArgument } from "../../shared/errors.js";
import { LogRecordWriter } from "../log-json.js";
import { LinePrefixer } from "../log-timestamps.js";
import { sinceMs } from "../time-options.js";

/** Codes after which a follow reconnects rather than fails. */
const RETRYABLE = new Set([Code.Unavailable, Code.Canceled, Code.Aborted, Code.Internal, Code.Unknown, Code.DeadlineExceeded]);
/** How long a follow keeps trying to reconnect. */
const RECONNECT_FOR_MS = 120_000;

/** The lines of `--tail`: a whole number, 0 or more. */
export function tailLinesOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const lines = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(lines) || lines > 2_147_483_647) throw invalidArgument(`--tail must be a whole number of lines, 0 or more, got ${text}`);
  return lines;
}

/** Where a follow starts on its first call (a reconnect resumes at its offset instead). */
interface FirstStart {
  readonly tailLines: number;
  readonly since: Timestamp | undefined;
}

/** Offset of the end of the stream now (for `--tail 0`: only output still to come). */
async function endOffset(ctx: ReturnType<typeof clientContext>, taskId: string, stream: LogStream): Promise<bigint> {
  // An offset past the end sends no data, and the end says how much there is.
  for await (const response of ctx.client.followLogs({ taskId, stream, offset: 1n << 62n, follow: false })) {
    if (response.event.case === "end") return response.event.value.size;
  }
  return 0n;
}

async function logs(args: GlobalArgs & { id: string; stderr?: boolean; follow?: boolean; tail?: string; since?: string; timestamps?: boolean }): Promise<number> {
  const tailLines = tailLinesOf(args.tail);
  const since = args.since === undefined ? undefined : timestampFromMs(sinceMs(args.since, Date.now()));
  const timestamps = args.timestamps === true;
  const ctx = clientContext(args);
  const taskId = String(args.id);
  const stream = args.stderr ? LogStream.STDERR : LogStream.STDOUT;
  const out = args.stderr && !ctx.json ? process.stderr : process.stdout;
  const records = ctx.json ? new LogRecordWriter(args.stderr ? "stderr" : "stdout", (line) => void out.write(line), timestamps) : undefined;
  const stamps = timestamps && !records ? new LinePrefixer() : undefined;
  // --tail 0 means none of what is there: start at its end. Any other tail is the Host's to find.
  let offset = tailLines === 0 ? await endOffset(ctx, taskId, stream) : 0n;
  let first: FirstStart | undefined = { tailLines: tailLines ?? 0, since };
  let failingSince: number | undefined;
  for (;;) {
    try {
      const start = first ?? { tailLines: 0, since: undefined };
      for await (const response of ctx.client.followLogs({ taskId, stream, offset, follow: args.follow === true, ...start, timestamps })) {
        failingSince = undefined;
        first = undefined; // The start is known now: a reconnect resumes at the offset.
        const { event } = response;
        if (event.case === "data") {
          // Skip anything already printed (the stream never repeats, but be exact).
          const skip = Number(offset - event.value.offset);
          const data = skip > 0 ? event.value.data.subarray(skip) : event.value.data;
          const receivedAtMs = event.value.receivedAt ? timestampMs(event.value.receivedAt) : null;
          const text = stamps ? stamps.prefix(data, receivedAtMs) : data;
          if (records) records.chunk(offset > event.value.offset ? offset : event.value.offset, data, receivedAtMs);
          else if (text.length > 0 && !out.write(text)) await new Promise((resolve) => out.once("drain", resolve));
          if (records && out.writableNeedDrain) await new Promise((resolve) => out.once("drain", resolve));
          offset = event.value.offset + BigInt(event.value.data.length);
        } else if (event.case === "end") {
          records?.end(event.value);
          if (!args.follow) return 0;
          const status = event.value.status === 0 ? undefined : statusName(event.value.status);
          if (status && isFinal(status)) {
            if (status === "completed") return 0;
            if (!records) console.error(`task ${args.id} ended ${status}${event.value.exitCode === undefined ? "" : ` (exit code ${event.value.exitCode})`}`);
            return failureExitCode(event.value.exitCode);
          }
          return 0;
        }
      }
      records?.end(undefined);
      return 0;
    } catch (error) {
      const connectError = ConnectError.from(error);
      if (!args.follow || !RETRYABLE.has(connectError.code)) throw connectError;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > RECONNECT_FOR_MS) throw connectError;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Registers `logs`. */
export function logsCommand(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y.command(
    "logs <id>",
    "print a task's output (stdout; --stderr for stderr); --follow streams it live; --tail N, --since 10m and --timestamps as in docker logs; --json prints a JSON line per chunk and one for the end",
    (s) =>
      s
        .positional("id", { type: "string", demandOption: true })
        .option("stderr", { type: "boolean", describe: "show stderr instead of stdout" })
        .option("follow", { alias: "f", type: "boolean", describe: "stream new output until the task ends; exit with its exit code" })
        .option("tail", { alias: "n", type: "string", describe: "start at the last N lines (0: only new output); --follow continues from there" })
        .option("since", { type: "string", describe: "only output that reached the Host since then: a duration back from now (10m, 2h) or an RFC 3339 time" })
        .option("timestamps", { alias: "t", type: "boolean", describe: "prefix each line with when the Host received it (RFC 3339, UTC, milliseconds); --json records gain receivedAt" }),
    (a) => run(() => logs(a)),
  );
}
