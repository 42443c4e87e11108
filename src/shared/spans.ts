/**
 * Parameter sweeps: `span:{a..b}`, `span:{a..b..step}` (integers, inclusive,
 * descending when a > b) and `span:[x, y, z]` (trimmed strings). Expansion is
 * the Cartesian product in argument order, the last argument varying fastest,
 * as the original hakurun does. Other arguments pass through unchanged.
 *
 * Used by `hakurun` (local sweeps) and by the Host for `task submit --sweep`,
 * so both reject the same malformed spans with the same messages.
 */
import { invalidArgument } from "./errors.js";

/** Most values one span, or one whole sweep, may expand to. */
export const MAX_COMBINATIONS = 100_000;

const PREFIX = "span:";
const RANGE = /^\{\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*(?:\.\.\s*(-?\d+)\s*)?\}$/;

function parseBound(text: string, arg: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw invalidArgument(`malformed span "${arg}": ${text} is too large for an integer range`);
  return value;
}

function expandRange(arg: string, body: string): string[] {
  const close = body.indexOf("}");
  if (close === -1) throw invalidArgument(`malformed span "${arg}": missing closing "}"`);
  if (close !== body.length - 1) throw invalidArgument(`malformed span "${arg}": unexpected text after "}"`);
  const match = RANGE.exec(body);
  if (!match) throw invalidArgument(`malformed span "${arg}": use span:{START..END} or span:{START..END..STEP} with integers`);
  const start = parseBound(match[1]!, arg);
  const end = parseBound(match[2]!, arg);
  const step = match[3] === undefined ? 1 : Math.abs(parseBound(match[3], arg));
  if (step === 0) throw invalidArgument(`malformed span "${arg}": the step cannot be 0`);
  const count = Math.floor(Math.abs(end - start) / step) + 1;
  if (count > MAX_COMBINATIONS) throw invalidArgument(`span "${arg}" has ${count} values; the limit is ${MAX_COMBINATIONS}`);
  const direction = end >= start ? 1 : -1;
  return Array.from({ length: count }, (_, i) => String(start + direction * i * step));
}

function expandList(arg: string, body: string): string[] {
  const close = body.indexOf("]");
  if (close === -1) throw invalidArgument(`malformed span "${arg}": missing closing "]"`);
  if (close !== body.length - 1) throw invalidArgument(`malformed span "${arg}": unexpected text after "]"`);
  const inner = body.slice(1, -1);
  if (inner.includes("[")) throw invalidArgument(`malformed span "${arg}": unbalanced brackets`);
  if (inner.trim() === "") return [];
  return inner.split(",").map((item) => item.trim());
}

/**
 * The values one argument stands for: a plain argument stands for itself,
 * `span:TEXT` without braces or brackets for the literal TEXT.
 * @throws DomainError (invalid_argument) for a malformed span.
 */
export function expandArgument(arg: string): string[] {
  if (!isSpan(arg)) return [arg];
  const body = arg.slice(PREFIX.length);
  if (body.startsWith("{")) return expandRange(arg, body);
  if (body.startsWith("[")) return expandList(arg, body);
  if (/[{}[\]]/.test(body)) throw invalidArgument(`malformed span "${arg}": unbalanced brackets`);
  return [body];
}

/** True when the argument uses the span syntax (starts with `span:`). */
export function isSpan(arg: string): boolean {
  return arg.startsWith(PREFIX);
}

/** True when any argument is a span. */
export function hasSpans(argv: readonly string[]): boolean {
  return argv.some(isSpan);
}

/** A literal `span:TEXT`: the form a shell leaves after brace-expanding an unquoted span. */
function isLiteralSpan(arg: string): boolean {
  return isSpan(arg) && !/^span:[{[]/.test(arg);
}

/** What the user probably typed before the shell expanded it. */
function guessTyped(values: readonly string[]): string {
  const numbers = values.map(Number);
  const step = numbers[1]! - numbers[0]!;
  const arithmetic = values.every((v) => /^-?\d+$/.test(v)) && step !== 0 && numbers.every((n, i) => n === numbers[0]! + i * step);
  if (arithmetic) return `'span:{${values[0]}..${values[values.length - 1]}${Math.abs(step) === 1 ? "" : `..${Math.abs(step)}`}}'`;
  return `'span:[${values.join(",")}]'`;
}

/**
 * Refuses two or more literal spans in a row (`span:1 span:2 span:3`): that is
 * what bash and zsh make of an unquoted `span:{1..3}`, and running it as one
 * combination would silently sweep nothing.
 */
function refuseShellExpanded(argv: readonly string[]): void {
  for (let i = 0; i + 1 < argv.length; i++) {
    if (!isLiteralSpan(argv[i]!) || !isLiteralSpan(argv[i + 1]!)) continue;
    let end = i;
    while (end < argv.length && isLiteralSpan(argv[end]!)) end++;
    const run = argv.slice(i, end);
    const values = run.map((arg) => arg.slice(PREFIX.length));
    throw invalidArgument(
      `arguments "${run.join(" ")}" look like a span your shell expanded; quote the span so it arrives whole, e.g. ${guessTyped(values)}`,
    );
  }
}

/**
 * Expands argv into every combination (the Cartesian product, last argument
 * fastest). An empty span list gives no combinations.
 * @throws DomainError (invalid_argument) for a malformed span, a sweep past
 * {@link MAX_COMBINATIONS}, or spans a shell has already brace-expanded.
 */
export function expandSweep(argv: readonly string[]): string[][] {
  refuseShellExpanded(argv);
  const choices = argv.map(expandArgument);
  const total = choices.reduce((product, values) => product * values.length, 1);
  if (total > MAX_COMBINATIONS) throw invalidArgument(`the sweep has ${total} combinations; the limit is ${MAX_COMBINATIONS}`);
  let combinations: string[][] = [[]];
  for (const values of choices) {
    const next: string[][] = [];
    for (const prefix of combinations) for (const value of values) next.push([...prefix, value]);
    combinations = next;
  }
  return combinations;
}
