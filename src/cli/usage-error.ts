/**
 * The CLI's own usage error, in a file of its own so code that only checks
 * options (option-values.ts, loaded on every line) does not load the client
 * stack that cli-error.ts needs to describe the Host's errors.
 */

/** A usage error the CLI found itself (exit code 2). */
export class UsageError extends Error {}
