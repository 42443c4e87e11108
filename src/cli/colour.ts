/**
 * Colour for status words in tables, only where a person reads them: stdout
 * is a terminal, `NO_COLOR` is unset (or empty, as no-color.org says),
 * `TERM` is not `dumb` and `--json` was not asked for (JSON is never coloured: tables are the only
 * callers). Width is measured without the escapes (render.ts), so columns
 * stay aligned.
 */
import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];

/** Status words and the colour each is shown in; words not listed stay plain. */
const STYLE_OF_WORD: Readonly<Record<string, Style>> = {
  pending: "yellow",
  assigning: "cyan",
  running: "cyan",
  paused: "magenta",
  completed: "green",
  failed: "red",
  killed: "red",
  killed_oom: "red",
  lost: "red",
  timeout: "red",
  stopped: "blue",
  online: "green",
  offline: "red",
  drained: "yellow",
};

/** Whether tables on stdout are coloured in this process. */
export function colourOn(env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean } = process.stdout): boolean {
  return stdout.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

/** `word` in its status colour when colour is on; `text` (default `word`) is what is shown. */
export function statusColour(word: string, text: string = word, on: boolean = colourOn()): string {
  const style = STYLE_OF_WORD[word];
  // The decision is colourOn's alone: Node 20.20's styleText otherwise drops
  // colour by its own reading of TERM (unset TERM meant no colour under CI).
  return on && style ? styleText(style, text, { validateStream: false }) : text;
}
