/**
 * The exit codes a command passes on from a remote process or task: a
 * process can exit only with 0 to 255, so anything outside (-1 for "no
 * code", a value from a foreign engine) becomes 1.
 */

/** `code` when it is a process exit code (an integer 0 to 255), else 1. */
export function processExitCode(code: number): number {
  return Number.isInteger(code) && code >= 0 && code <= 255 ? code : 1;
}

/** The exit code of a task that did not complete: its own (1 to 255), else 1, so a failure never exits 0. */
export function failureExitCode(code: number | undefined): number {
  const clamped = processExitCode(code ?? 1);
  return clamped === 0 ? 1 : clamped;
}

/**
 * The exit code of `--wait` for a task that ended `timeout` (its time
 * limit reached): 124, as coreutils' `timeout` exits, whatever code the
 * stopped process had.
 */
export const TIMEOUT_EXIT_CODE = 124;
