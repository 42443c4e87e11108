/**
 * Which field of the submit form a Host error is about. The Host's
 * INVALID_ARGUMENT messages start with the words of the field they concern
 * (src/host/tasks/submit-spec.ts, src/shared/units.ts, src/shared/targets.ts,
 * src/shared/spans.ts, src/host/tasks/request-limits.ts,
 * src/host/scheduling/placement.ts), so one ordered table of patterns maps a
 * message to a field; anything else is a form-level error.
 *
 * DOM-free: unit-tested from test/unit/field-errors.test.ts.
 */

/** The submit form's fields that can carry an error, and "form" for the rest. */
export type SubmitField = "command" | "env" | "cores" | "memory" | "gpuCount" | "container" | "mounts" | "targets" | "noQueue" | "timeLimit" | "form";

/** First match wins, so the narrower patterns come first. */
const FIELD_PATTERNS: readonly (readonly [RegExp, SubmitField])[] = [
  // Placement: "node alpha has 4 cores, the task asks for 8" names a target but is about cores.
  [/has [\d.]+ cores, the task asks for/, "cores"],
  [/of memory, the task asks for/, "memory"],
  [/^not enough free cores/, "cores"],
  [/^not enough free memory/, "memory"],
  [/submitted with --no-queue/, "noQueue"],
  // GPUs by count: "gpu_count must be...", "node beta has no GPUs, the task asks for 1", "no node can ever fit ... and 5 GPUs".
  [/^gpu_count |GPUs?, the task asks for \d+$|and \d+ GPUs?:/, "gpuCount"],
  [/^(empty target|target "|unknown node |node \S+ has no |NUMA node |\d+ targets given)/, "targets"],
  [/^(empty command|malformed span|span "|the sweep |arguments ".*look like a span|the command |argument \d+ is )/, "command"],
  [/^cores must/, "cores"],
  [/^(invalid )?time limit "/, "timeLimit"],
  [/^(invalid )?memory size/, "memory"],
  [/^environment variable/, "env"],
  [/is not a valid environment name|^environment .* not found|^a VPS needs a container/, "container"],
  [/^(mount "|a mount is |\d+ mounts given)/, "mounts"],
];

/** The field a Host error message concerns, or "form" when no field claims it. */
export function fieldOfError(message: string): SubmitField {
  for (const [pattern, field] of FIELD_PATTERNS) if (pattern.test(message)) return field;
  return "form";
}
