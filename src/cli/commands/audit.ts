/**
 * `hakuriver audit [--user NAME] [--since 10m|ISO-time] [--limit N]`: the
 * Host's record of calls that changed something, and of failed logins.
 */
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Argv } from "yargs";
import { auditTable } from "../auth-view.js";
import { UsageError } from "../cli-error.js";
import { clientContext, type GlobalArgs } from "../context.js";
import { auditJson, printJson } from "../json-shapes.js";
import { sinceMs } from "../time-options.js";

interface AuditArgs extends GlobalArgs {
  user?: string;
  since?: string;
  limit?: number;
}

async function audit(args: AuditArgs): Promise<number> {
  const limit = args.limit ?? 0;
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number of events, got ${args.limit}`);
  const since = args.since === undefined ? undefined : timestampFromMs(sinceMs(args.since, Date.now()));
  const ctx = clientContext(args);
  const { events } = await ctx.client.listAudit({ user: args.user ?? "", since, limit });
  if (ctx.json) printJson(events.map(auditJson));
  else console.log(events.length === 0 ? "No audit events." : auditTable(events));
  return 0;
}

/** Registers `audit`. */
export function auditCommand(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y.command(
    "audit",
    "show the audit trail, newest first (operator)",
    (s) =>
      s
        .option("user", { type: "string", describe: "only calls by this actor" })
        .option("since", { type: "string", describe: "only events since: a duration back from now (10m, 2h, 7d) or an ISO time" })
        .option("limit", { type: "number", describe: "at most this many (default 200)" }),
    (a) => run(() => audit(a)),
  );
}
