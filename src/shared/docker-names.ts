/**
 * Docker's own grammar for the names we hand to the engine: image
 * references (distribution/reference) and environment names (which become
 * both a container name and the path component of `hakuriver/<name>:base`).
 * Every name is checked here before it reaches an engine, because the
 * engine API puts names into URL paths: `../../host` would otherwise walk
 * out of `/images/` and make the engine answer with a redirect.
 */
import { DomainError } from "./errors.js";

const ALNUM = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|-+)";
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[a-fA-F0-9]{32,}";
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::${TAG})?(?:@${DIGEST})?$`);
/**
 * Regular-expression source of an environment name (unanchored, to embed in
 * larger patterns such as tarball file names): one image path component.
 */
export const ENVIRONMENT_NAME_PATTERN = PATH_COMPONENT;
const ENVIRONMENT = new RegExp(`^${PATH_COMPONENT}$`);

/** Docker's limit on the name part of a reference (characters). */
export const MAX_IMAGE_NAME_CHARS = 255;
/** Our limit on environment names (characters); Docker's container names need at least 2. */
export const MAX_ENVIRONMENT_NAME_CHARS = 64;

/** True when `ref` is a valid Docker image reference (`name[:tag][@digest]`). */
export function isImageReference(ref: string): boolean {
  const match = REFERENCE.exec(ref);
  return match !== null && match[1]!.length <= MAX_IMAGE_NAME_CHARS;
}

/** Throws INVALID_ARGUMENT unless `ref` is a valid Docker image reference. */
export function checkImageReference(ref: string): void {
  if (isImageReference(ref)) return;
  const shown = JSON.stringify(ref.length > 80 ? `${ref.slice(0, 80)}…` : ref);
  throw new DomainError(
    "invalid_argument",
    `${shown} is not a valid Docker image reference: use [registry/]name[:tag][@digest], with a lowercase name ` +
      `(letters, digits and single . _ or - between them), for example ubuntu:22.04 or hakuriver-test/busybox:latest`,
  );
}

/** True when `name` can name an environment (container name and image path component alike). */
export function isEnvironmentName(name: string): boolean {
  return name.length >= 2 && name.length <= MAX_ENVIRONMENT_NAME_CHARS && ENVIRONMENT.test(name);
}

/** Throws INVALID_ARGUMENT unless `name` can name an environment (NULL, reserved for native tasks, cannot). */
export function checkEnvironmentName(name: string): void {
  if (isEnvironmentName(name)) return;
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  throw new DomainError(
    "invalid_argument",
    `${shown} is not a valid environment name: use 2 to ${MAX_ENVIRONMENT_NAME_CHARS} lowercase letters and digits, ` +
      `with single ".", "_" or "-" between them (NULL is reserved for native tasks)`,
  );
}
