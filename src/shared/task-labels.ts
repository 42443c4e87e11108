/**
 * Task names, labels and name globs: the rules the Host checks at submit
 * and list, and the CLI's parsing of `--label KEY=VALUE`, in one place so
 * a name the CLI accepts is never refused by the Host for another reason.
 *
 * Each check throws an INVALID_ARGUMENT DomainError naming the request
 * field (`name`, `labels`, `name_glob`), with the rule in the violation.
 */
import { badField } from "./errors.js";
import { ErrorReason } from "./error-reasons.js";

/** Most characters (code points) of a task name. */
export const MAX_NAME_CHARS = 128;
/** Most characters of a ListTasks name glob. */
export const MAX_NAME_GLOB_CHARS = 256;
/** Most labels on one task. */
export const MAX_LABELS = 64;
/** Most characters of a label key. */
export const MAX_LABEL_KEY_CHARS = 63;
/** Most characters of a label value. */
export const MAX_LABEL_VALUE_CHARS = 256;

/**
 * Characters a name, glob or label value may not hold: control characters
 * (C0, DEL, C1), lone surrogates, line and paragraph separators, and the
 * bidirectional overrides and isolates (they make a table print out of order).
 */
const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/** A label key: like a Kubernetes label key, letters, digits, `-`, `_`, `.` and `/`. */
const LABEL_KEY = /^[A-Za-z0-9._/-]+$/;

/** The rule for names, in words. */
export const NAME_RULE = `1 to ${MAX_NAME_CHARS} printable characters (no control characters or line breaks)`;
/** The rule for label keys, in words. */
export const LABEL_KEY_RULE = `1 to ${MAX_LABEL_KEY_CHARS} letters, digits, "-", "_", "." or "/"`;

function chars(text: string): number {
  return [...text].length;
}

/** A short, printable quotation of user text for an error message. */
function quoted(text: string): string {
  return JSON.stringify([...text].slice(0, 64).join(""));
}

/**
 * The name to store for a requested `name`: trimmed; "" for none.
 * @throws DomainError INVALID_ARGUMENT (field `name`) past {@link MAX_NAME_CHARS} or with an unprintable character.
 */
export function checkTaskName(name: string): string {
  const trimmed = name.trim();
  if (UNPRINTABLE.test(trimmed)) {
    throw badField("name", ErrorReason.INVALID_NAME, `task name ${quoted(trimmed)} holds a control character or line break`, NAME_RULE);
  }
  if (chars(trimmed) > MAX_NAME_CHARS) {
    throw badField("name", ErrorReason.INVALID_NAME, `task name is ${chars(trimmed)} characters; the limit is ${MAX_NAME_CHARS}`, NAME_RULE, { limit: String(MAX_NAME_CHARS) });
  }
  return trimmed;
}

/**
 * Checks labels of a submission or a list filter.
 * @throws DomainError INVALID_ARGUMENT (field `labels`) for more than {@link MAX_LABELS}, a bad key or a bad value.
 */
export function checkLabels(labels: Readonly<Record<string, string>>): void {
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) {
    throw badField("labels", ErrorReason.INVALID_LABEL, `${entries.length} labels given; the limit is ${MAX_LABELS}`, `at most ${MAX_LABELS} labels`, { limit: String(MAX_LABELS) });
  }
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key) || key.length > MAX_LABEL_KEY_CHARS) {
      throw badField("labels", ErrorReason.INVALID_LABEL, `label key ${quoted(key)} is not valid: use ${LABEL_KEY_RULE}`, `key ${quoted(key)}: ${LABEL_KEY_RULE}`, { key: key.slice(0, 256) });
    }
    if (UNPRINTABLE.test(value) || chars(value) > MAX_LABEL_VALUE_CHARS) {
      const why = UNPRINTABLE.test(value) ? "holds a control character or line break" : `is ${chars(value)} characters; the limit is ${MAX_LABEL_VALUE_CHARS}`;
      throw badField("labels", ErrorReason.INVALID_LABEL, `the value of label ${key} ${why}`, `value of ${key}: at most ${MAX_LABEL_VALUE_CHARS} printable characters`, { key });
    }
  }
}

/**
 * Parses repeated `KEY=VALUE` words (`--label`) into labels and checks
 * them; the value may be empty and may hold further `=`. A later word
 * with the same key wins.
 * @throws DomainError INVALID_ARGUMENT (field `labels`) for a word without `=` or with an empty key, and as {@link checkLabels}.
 */
export function parseLabelPairs(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw badField("labels", ErrorReason.INVALID_LABEL, `label ${quoted(pair)} must look like KEY=VALUE (for example --label project=vision)`, "each label is KEY=VALUE");
    }
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  checkLabels(labels);
  return labels;
}

/**
 * Checks a name glob and returns it (untrimmed: spaces are part of a name's
 * middle, and the ends of a stored name never have them).
 * @throws DomainError INVALID_ARGUMENT (field `name_glob`) past {@link MAX_NAME_GLOB_CHARS} or with an unprintable character.
 */
export function checkNameGlob(glob: string): string {
  if (UNPRINTABLE.test(glob) || chars(glob) > MAX_NAME_GLOB_CHARS) {
    throw badField("name_glob", ErrorReason.INVALID_FIELD, `name glob ${quoted(glob)} must be at most ${MAX_NAME_GLOB_CHARS} printable characters`, `at most ${MAX_NAME_GLOB_CHARS} printable characters; * and ? are wildcards`);
  }
  return glob;
}

/**
 * The glob as SQLite's GLOB operator reads it: `*` and `?` stay wildcards,
 * and `[` (SQLite's character class, which our globs do not have) is
 * written `[[]` so it matches itself. GLOB is case-sensitive, as ours is.
 */
export function sqliteGlobOf(glob: string): string {
  return glob.replaceAll("[", "[[]");
}

/** Globs compiled lately: a watcher tests every changed task against the same one. */
const compiledGlobs = new Map<string, RegExp>();
const MAX_COMPILED_GLOBS = 256;

/** A regular expression that matches a whole name exactly when the glob does (same rules as {@link sqliteGlobOf} in SQLite). */
export function globRegExp(glob: string): RegExp {
  const known = compiledGlobs.get(glob);
  if (known) return known;
  if (compiledGlobs.size >= MAX_COMPILED_GLOBS) compiledGlobs.clear();
  const compiled = compileGlob(glob);
  compiledGlobs.set(glob, compiled);
  return compiled;
}

function compileGlob(glob: string): RegExp {
  let source = "";
  for (const char of glob) {
    if (char === "*") source += "[\\s\\S]*";
    else if (char === "?") source += "[\\s\\S]";
    else source += char.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "u");
}

/** Whether `labels` holds every pair of `wanted` (AND; an empty `wanted` always matches). */
export function hasLabels(labels: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): boolean {
  return Object.entries(wanted).every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
}
