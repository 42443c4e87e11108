/**
 * Which field of the VPS form a Host error is about, from its message (the
 * Host's texts in src/host/tasks/submit-spec.ts, request-limits.ts,
 * src/shared/targets.ts, units.ts, docker-names.ts and the scheduler).
 * Anything not matched is shown above the submit button.
 */

/** The VPS form's fields. */
export type VpsField = "publicKey" | "cores" | "memory" | "container" | "target" | "mounts" | "timeLimit" | "form";

/** First match wins; order matters ("target … node" before the environment's words). */
const RULES: readonly (readonly [RegExp, VpsField])[] = [
  [/public key/i, "publicKey"],
  [/^(invalid )?time limit "/, "timeLimit"],
  [/\bmounts?\b/i, "mounts"],
  [/\bmemory size\b/i, "memory"],
  [/\bcores must\b|no node can ever fit/i, "cores"],
  [/\btargets?\b|\bnode\b|\bGPU\b|\bNUMA\b/i, "target"],
  [/environment|--container|tarball|image/i, "container"],
  [/\bcores\b|\bmemory\b/i, "target"],
];

/** The field `message` belongs to. */
export function vpsFieldOf(message: string): VpsField {
  return RULES.find(([pattern]) => pattern.test(message))?.[1] ?? "form";
}
