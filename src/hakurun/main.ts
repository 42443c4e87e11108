/**
 * `hakurun`: local parameter sweeps (placeholder until the sweep runner lands).
 */

/** Runs hakurun on argv; resolves with the exit code. */
export async function runHakurun(argv: readonly string[]): Promise<number> {
  console.error(`hakurun: not implemented yet (${argv.length} arguments)`);
  return 2;
}
