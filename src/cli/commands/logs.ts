/**
 * `hakuriver logs ID [--stderr] [--follow]`: prints a task's output; with
 * --follow streams it live until the task ends, resuming from the last byte
 * offset when the connection drops, then exits with the task's exit code.
 * With --json it prints JSON lines instead: one per chunk (stream, offset,
 * data) and a last one for the end (see log-json.ts).
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Argv } from "yargs";
import { LogStream } from "../../../gen/hakuriver/v1/types_pb.js";
import { isFinal, statusName } from "../../shared/task-status.js";
import { clientContext, type GlobalArgs } from "../context.js";
import { failureExitCode } from "../exit-codes.js";
import { LogRecordWriter } from "../log-json.js";

/** Codes after which a follow reconnects rather than fails. */
const RETRYABLE = new Set([Code.Unavailable, Code.Canceled, Code.Aborted, Code.Internal, Code.Unknown, Code.DeadlineExceeded]);
/** How long a follow keeps trying to reconnect. */
const RECONNECT_FOR_MS = 120_000;

async function logs(args: GlobalArgs & { id: string; stderr?: boolean; follow?: boolean }): Promise<number> {
  const ctx = clientContext(args);
  const stream = args.stderr ? LogStream.STDERR : LogStream.STDOUT;
  const out = args.stderr && !ctx.json ? process.stderr : process.stdout;
  const records = ctx.json ? new LogRecordWriter(args.stderr ? "stderr" : "stdout", (line) => void out.write(line)) : undefined;
  let offset = 0n;
  let failingSince: number | undefined;
  for (;;) {
    try {
      for await (const response of ctx.client.followLogs({ taskId: String(args.id), stream, offset, follow: args.follow === true })) {
        failingSince = undefined;
        const { event } = response;
        if (event.case === "data") {
          // Skip anything already printed (the stream never repeats, but be exact).
          const skip = Number(offset - event.value.offset);
          const data = skip > 0 ? event.value.data.subarray(skip) : event.value.data;
          if (records) records.chunk(offset > event.value.offset ? offset : event.value.offset, data);
          else if (data.length > 0 && !out.write(data)) await new Promise((resolve) => out.once("drain", resolve));
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
    "print a task's output (stdout; --stderr for stderr); --follow streams it live; --json prints a JSON line per chunk and one for the end",
    (s) =>
      s
        .positional("id", { type: "string", demandOption: true })
        .option("stderr", { type: "boolean", describe: "show stderr instead of stdout" })
        .option("follow", { alias: "f", type: "boolean", describe: "stream new output until the task ends; exit with its exit code" }),
    (a) => run(() => logs(a)),
  );
}
