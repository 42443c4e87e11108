/**
 * `hakuriver top`: a live full-screen view of the nodes, their GPUs and the
 * active tasks, fed by the Watch stream. On a terminal it redraws at most
 * four times a second (and at every resize) until `q` or Ctrl-C (exit 0);
 * if the Host goes away it gives the terminal back and exits 1 with one
 * line. Off a terminal (stdout piped) it prints one snapshot, without
 * colours or screen codes, and exits 0; with --json that snapshot is
 * `{"nodes":[...],"tasks":[...]}`.
 */
import type { Argv } from "yargs";
import { clientContext, type GlobalArgs } from "../context.js";

async function top(args: GlobalArgs): Promise<number> {
  const ctx = clientContext(args);
  try {
    const { runTop } = await import("../top-view.js");
    return await runTop(ctx);
  } finally {
    ctx.close();
  }
}

/** Registers `top` on the root command. */
export function topCommand(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y.command(
    "top",
    "live view of nodes, GPUs and active tasks (q quits); piped or with --json, one snapshot",
    (s) => s,
    (a) => run(() => top(a)),
  );
}
