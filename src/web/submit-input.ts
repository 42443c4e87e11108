/**
 * The submit form's text fields as the Host wants them: a command line split
 * into words as a shell does for simple quoting, `NAME=VALUE` lines into an
 * env map, one-per-line lists, and the target strings the picker makes.
 *
 * DOM-free: unit-tested from test/unit/submit-input.test.ts.
 */

/** A field's text the form cannot turn into a request; `message` says what to fix. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/**
 * Splits a command line into words: blanks separate words; `'…'` keeps its
 * text as is; `"…"` keeps it, with `\"`, `\\`, `\$` and `` \` `` unescaped;
 * a backslash outside quotes keeps the next character. No globbing, no
 * variables, no brace expansion (`span:{1..3}` arrives whole).
 * @throws InputError for an unterminated quote or a trailing backslash.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === " " || char === "\t" || char === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (char === "\\") {
      if (i + 1 >= line.length) throw new InputError("the command line ends with a lone backslash");
      word += line[++i];
    } else if (char === "'") {
      const close = line.indexOf("'", i + 1);
      if (close === -1) throw new InputError("the command line has an unterminated ' quote");
      word += line.slice(i + 1, close);
      i = close;
    } else if (char === '"') {
      let closed = false;
      for (i += 1; i < line.length; i++) {
        const inner = line[i]!;
        if (inner === '"') {
          closed = true;
          break;
        }
        if (inner === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
        else word += inner;
      }
      if (!closed) throw new InputError('the command line has an unterminated " quote');
    } else word += char;
  }
  if (inWord) words.push(word);
  return words;
}

/** The non-blank lines of a textarea, trimmed. */
export function lines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/**
 * Parses `NAME=VALUE` lines (the value may hold `=`; blank lines are skipped).
 * The Host checks the names; this only needs the `=`.
 * @throws InputError naming the first line without one.
 */
export function parseEnvLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lines(text)) {
    const eq = line.indexOf("=");
    if (eq <= 0) throw new InputError(`environment line "${line}" must look like NAME=VALUE`);
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** One node picked as a target: optionally a NUMA node and some GPUs. */
export interface TargetChoice {
  readonly node: string;
  readonly numaNode?: number | undefined;
  readonly gpus: readonly number[];
}

/** `node`, `node:NUMA`, `node::GPU,GPU` or `node:NUMA::GPU,GPU`, as src/shared/targets.ts parses them. */
export function targetText(choice: TargetChoice): string {
  const numa = choice.numaNode === undefined ? "" : `:${choice.numaNode}`;
  const gpus = choice.gpus.length === 0 ? "" : `::${[...choice.gpus].sort((a, b) => a - b).join(",")}`;
  return `${choice.node}${numa}${gpus}`;
}
