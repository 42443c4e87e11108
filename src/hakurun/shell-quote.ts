/**
 * POSIX shell quoting, so `hakurun --dry-run` lines can be fed to `sh` or
 * `xargs` and reproduce the exact argv.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word, quoted only when it needs to be (single quotes; `'` as `'\''`). */
export function quoteWord(word: string): string {
  if (SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A whole command line: each word quoted, joined by spaces. */
export function quoteCommand(argv: readonly string[]): string {
  return argv.map(quoteWord).join(" ");
}
