/**
 * Task targets: `node`, `node:NUMA`, `node::GPU[,GPU...]`, `node:NUMA::GPU[,GPU...]`.
 * Parsed in this one place; errors say exactly which part is wrong.
 */
import { invalidArgument } from "./errors.js";
import { NAME_PATTERN, NAME_RULE } from "./name-pattern.js";

/** A parsed target. */
export interface Target {
  readonly node: string;
  readonly numaNode: number | null;
  readonly gpus: readonly number[];
}

const NODE_NAME = new RegExp(`^${NAME_PATTERN}$`);

/** True when `name` is a valid node name (letters, digits, `.`, `_`, `-`). */
export function isValidNodeName(name: string): boolean {
  return NODE_NAME.test(name) && name.length <= 253;
}

/** The largest NUMA id or GPU index a target may name (they travel as int32). */
export const MAX_INDEX = 2 ** 31 - 1;

function parseIndex(text: string, what: string, target: string): number {
  if (!/^\d+$/.test(text)) throw invalidArgument(`target "${target}": ${what} "${text}" is not a non-negative integer`);
  const value = Number(text);
  if (value > MAX_INDEX) throw invalidArgument(`target "${target}": ${what} ${text} is out of range`);
  return value;
}

/** Parses one target; throws INVALID_ARGUMENT naming the bad part. */
export function parseTarget(text: string): Target {
  const target = text.trim();
  if (target === "") throw invalidArgument("empty target: use node, node:NUMA, node::GPU[,GPU] or node:NUMA::GPU");
  const [head = "", gpuPart, ...extra] = target.split("::");
  if (extra.length > 0) throw invalidArgument(`target "${target}" has more than one "::"`);
  const [node = "", numaPart, ...more] = head.split(":");
  if (more.length > 0) throw invalidArgument(`target "${target}" has too many ":" before the GPU list`);
  if (node === "") throw invalidArgument(`target "${target}" names no node: use node, node:NUMA, node::GPU[,GPU] or node:NUMA::GPU`);
  if (!isValidNodeName(node)) throw invalidArgument(`target "${target}": "${node}" is not a valid node name (${NAME_RULE})`);
  const numaNode = numaPart === undefined ? null : parseIndex(numaPart, "NUMA id", target);
  let gpus: number[] = [];
  if (gpuPart !== undefined) {
    if (gpuPart.trim() === "") throw invalidArgument(`target "${target}": empty GPU list after "::"`);
    gpus = gpuPart.split(",").map((g) => parseIndex(g.trim(), "GPU index", target));
    if (new Set(gpus).size !== gpus.length) throw invalidArgument(`target "${target}" names a GPU twice`);
  }
  return { node, numaNode, gpus };
}

/** Renders a target back to its text form. */
export function formatTarget(target: Target): string {
  const numa = target.numaNode === null ? "" : `:${target.numaNode}`;
  const gpus = target.gpus.length > 0 ? `::${target.gpus.join(",")}` : "";
  return `${target.node}${numa}${gpus}`;
}
