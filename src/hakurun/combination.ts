/**
 * One combination of a sweep: its argv and the label its output lines carry.
 */
import { expandSweep, isSpan } from "../shared/spans.js";

/** One run to make. */
export interface Combination {
  /** The command and arguments, spans replaced by their values. */
  readonly argv: readonly string[];
  /** `[seed=1 lr=a]`: the span values, named after the option before them, if any. */
  readonly label: string;
}

/** `--seed` → `seed`, `-s` → `s`; undefined for a word that is not an option name. */
function optionName(arg: string | undefined): string | undefined {
  if (arg === undefined || isSpan(arg)) return undefined;
  const match = /^--?([A-Za-z][\w.-]*)$/.exec(arg);
  return match?.[1];
}

/**
 * Expands the command into its combinations, in sweep order (last span
 * fastest). A command without spans gives one combination labelled `[]`.
 * @throws DomainError (invalid_argument) for a malformed span.
 */
export function combinationsOf(command: readonly string[]): Combination[] {
  const spanAt = command.flatMap((arg, index) => (isSpan(arg) ? [index] : []));
  return expandSweep(command).map((argv) => {
    const parts = spanAt.map((index) => {
      const name = optionName(command[index - 1]);
      return name === undefined ? argv[index]! : `${name}=${argv[index]!}`;
    });
    return { argv, label: `[${parts.join(" ")}]` };
  });
}
