/**
 * Runs a sweep's combinations, at most `concurrency` at once, in sweep order.
 * On SIGINT or SIGTERM it launches nothing more, passes the signal on to the
 * runs in flight and waits for them, so no child outlives hakurun.
 */
import type { ChildProcess } from "node:child_process";
import type { Combination } from "./combination.js";
import { runOne, type OutputMode, type RunOutcome } from "./run-one.js";

/** The result of a sweep. */
export interface SweepResult {
  /** One outcome per run that started, in sweep order. */
  readonly outcomes: readonly RunOutcome[];
  /** The signal that stopped the sweep early, if any. */
  readonly interruptedBy: NodeJS.Signals | undefined;
}

/** How to run a sweep. */
export interface SweepOptions {
  /** Most runs at once, 1 or more. */
  readonly concurrency: number;
  /** `prefixed`: output lines carry the combination label; `inherit`: the child keeps the terminal. */
  readonly output: OutputMode;
}

const FORWARDED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Runs every combination; resolves when all started runs have ended. */
export async function runSweep(combinations: readonly Combination[], options: SweepOptions): Promise<SweepResult> {
  const running = new Set<ChildProcess>();
  const outcomes: (RunOutcome | undefined)[] = [];
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interruptedBy ??= signal;
    for (const child of running) child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, onSignal);
  // A lone run may read the terminal; parallel runs would fight over it.
  const stdin = options.concurrency === 1 ? "inherit" : "ignore";
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < combinations.length && interruptedBy === undefined) {
      const index = next++;
      let current: ChildProcess | undefined;
      outcomes[index] = await runOne(combinations[index]!, options.output, stdin, (child) => {
        current = child;
        running.add(child);
      });
      if (current) running.delete(current);
    }
  };
  try {
    const workers = Math.max(1, Math.min(options.concurrency, combinations.length));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    for (const signal of FORWARDED) process.off(signal, onSignal);
  }
  return { outcomes: outcomes.filter((o): o is RunOutcome => o !== undefined), interruptedBy };
}
