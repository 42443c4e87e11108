/**
 * The grammar of node names (a target's node, a runner's hello): one
 * pattern, so a name one part accepts is never refused by another.
 * Environment names follow Docker's stricter grammar (`docker-names.ts`).
 */

/**
 * Regular-expression source of a name: a letter or digit, then letters,
 * digits, `.`, `_` or `-`. Unanchored, to be embedded in larger patterns.
 */
export const NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]*";

/** The same rule in words, for error messages. */
export const NAME_RULE = "letters, digits, . _ -";
