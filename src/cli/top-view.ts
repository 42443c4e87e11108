/**
 * The two faces of `hakuriver top` (loaded only when it runs): the live
 * full-screen view on a terminal, and one snapshot for a pipe or --json.
 */
import { ConnectError } from "@connectrpc/connect";
import { colourOn } from "./colour.js";
import type { ClientContext } from "./context.js";
import { enterFullScreen, type FullScreenSignal } from "./full-screen.js";
import { nodeJson, printJson, taskJson } from "./json-shapes.js";
import { topScreen } from "./top-screen.js";
import { TOP_STATUSES, TopState } from "./top-state.js";

/** The least time between two redraws (changes in between are drawn together). */
const REDRAW_EVERY_MS = 250;
/** The clock and running times move on even when nothing changes. */
const TICK_MS = 1000;
/** Exit codes for a signal, as a shell reports a process it ended (SIGINT is a plain quit, like Ctrl-C). */
const SIGNAL_EXIT: Record<FullScreenSignal, number> = { SIGINT: 0, SIGHUP: 129, SIGTERM: 143 };

/** The watch top runs: nodes and the tasks that are not final (they leave the view when they end). */
function watchTop(ctx: ClientContext, signal: AbortSignal) {
  return ctx.client.watch({ nodes: true, tasks: true, taskFilter: { statuses: [...TOP_STATUSES] } }, { signal });
}

/** Reads the watch until its snapshot is complete, then prints it once. */
async function snapshot(ctx: ClientContext): Promise<number> {
  const state = new TopState();
  const stop = new AbortController();
  try {
    for await (const message of watchTop(ctx, stop.signal)) {
      state.apply(message);
      if (state.ready) break;
    }
  } finally {
    stop.abort();
  }
  if (!state.ready) throw new Error("the Host ended the watch before its snapshot (it is shutting down); run the command again once it is back");
  if (ctx.json) printJson({ nodes: state.nodes().map(nodeJson), tasks: state.tasks().map(taskJson) });
  else {
    const lines = topScreen(state, { width: Infinity, height: Infinity, colour: false, hostAddress: ctx.hostAddress, nowMs: Date.now(), keysLine: false });
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  return 0;
}

/** The live view, until a key or signal ends it (resolves with the exit code) or the Host goes away (rejects). */
async function live(ctx: ClientContext): Promise<number> {
  const state = new TopState();
  const stop = new AbortController();
  let exitCode = 0;
  const quit = (code: number) => {
    exitCode = code;
    stop.abort();
  };
  let lastDrawMs = 0;
  let pending: NodeJS.Timeout | undefined;
  const drawNow = () => {
    clearTimeout(pending);
    pending = undefined;
    lastDrawMs = Date.now();
    const { columns, rows } = screen.size();
    // One column short: a line that fills the last column leaves the cursor in a pending wrap.
    screen.draw(topScreen(state, { width: columns - 1, height: rows, colour: colourOn(), hostAddress: ctx.hostAddress, nowMs: lastDrawMs, keysLine: true }));
  };
  const drawSoon = () => {
    if (pending) return;
    pending = setTimeout(drawNow, Math.max(0, lastDrawMs + REDRAW_EVERY_MS - Date.now()));
  };
  const screen = enterFullScreen({
    onKeys: (keys) => {
      if (/[qQ\x03\x04]/.test(keys)) quit(0);
    },
    onResize: drawNow,
    onSignal: (signal) => quit(SIGNAL_EXIT[signal]),
  });
  const tick = setInterval(drawSoon, TICK_MS);
  try {
    drawNow();
    for await (const message of watchTop(ctx, stop.signal)) {
      state.apply(message);
      if (state.ready) drawSoon();
    }
    if (!stop.signal.aborted) throw new Error(`the Host at ${ctx.hostAddress} ended the watch (it is shutting down); top stopped`);
  } catch (error) {
    if (stop.signal.aborted) return exitCode;
    // Before the first snapshot the usual "cannot reach the Host" line says it best.
    if (!state.ready || !(error instanceof ConnectError)) throw error;
    throw new Error(`lost the Host at ${ctx.hostAddress} (${error.rawMessage}); top stopped`);
  } finally {
    clearInterval(tick);
    clearTimeout(pending);
    screen.restore();
  }
  return exitCode;
}

/**
 * Runs top against the Host: the live view when stdout is a terminal (and
 * no --json), else one snapshot. Resolves with the exit code.
 */
export async function runTop(ctx: ClientContext): Promise<number> {
  return ctx.json || process.stdout.isTTY !== true ? await snapshot(ctx) : await live(ctx);
}
