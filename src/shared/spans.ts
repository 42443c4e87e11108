/**
 * Parameter sweeps: `span:{a..b}`, `span:{a..b..step}` (integers, inclusive,
 * descending when a > b) and `span:[x, y, z]` (trimmed strings). Expansion is
 * the Cartesian product in argument order, the last argument varying fastest,
 * as the original hakurun does. Other arguments pass through unchanged.
 */
import { invalidArgument } from "./errors.js";

const MAX_COMBINATIONS = 100_000;

/** The values one argument stands for (a plain argument stands for itself). */
export function expandArgument(arg: string): string[] {
  if (!arg.startsWith("span:")) return [arg];
  const body = arg.slice("span:".length);
  if (body.startsWith("{")) {
    if (!body.endsWith("}")) throw invalidArgument(`malformed span "${arg}": missing closing "}"`);
    const match = /^\{\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*(?:\.\.\s*(-?\d+)\s*)?\}$/.exec(body);
    if (!match) throw invalidArgument(`malformed span "${arg}": use span:{START..END} or span:{START..END..STEP} with integers`);
    const start = Number(match[1]);
    const end = Number(match[2]);
    const step = match[3] === undefined ? 1 : Math.abs(Number(match[3]));
    if (step === 0) throw invalidArgument(`malformed span "${arg}": the step cannot be 0`);
    const count = Math.floor(Math.abs(end - start) / step) + 1;
    if (count > MAX_COMBINATIONS) throw invalidArgument(`span "${arg}" has ${count} values; the limit is ${MAX_COMBINATIONS}`);
    const direction = end >= start ? 1 : -1;
    return Array.from({ length: count }, (_, i) => String(start + direction * i * step));
  }
  if (body.startsWith("[")) {
    if (!body.endsWith("]")) throw invalidArgument(`malformed span "${arg}": missing closing "]"`);
    const inner = body.slice(1, -1);
    if (inner.includes("[") || inner.includes("]")) throw invalidArgument(`malformed span "${arg}": unbalanced brackets`);
    if (inner.trim() === "") return [];
    return inner.split(",").map((item) => item.trim());
  }
  if (body.includes("{") || body.includes("}") || body.includes("[") || body.includes("]")) {
    throw invalidArgument(`malformed span "${arg}": unbalanced brackets`);
  }
  return [body];
}

/** True when any argument is a span. */
export function hasSpans(argv: readonly string[]): boolean {
  return argv.some((arg) => arg.startsWith("span:"));
}

/**
 * Expands argv into every combination (the Cartesian product, last argument
 * fastest). An empty span list gives no combinations.
 */
export function expandSweep(argv: readonly string[]): string[][] {
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
