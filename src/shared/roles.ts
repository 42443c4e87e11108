/**
 * The four roles as users type them, in order (each may do everything the
 * ones before it may), and their proto enum values: one table for the
 * CLI's parsing and printing and the Host's checks.
 */
import { Role } from "../../gen/hakuriver/v1/auth_pb.js";
import { invalidArgument } from "./errors.js";

/** A role's name as users type it. */
export type RoleName = "viewer" | "user" | "operator" | "admin";

/** Every role, lowest first. */
export const ROLE_NAMES: readonly RoleName[] = ["viewer", "user", "operator", "admin"];

const ENUM_OF: Record<RoleName, Role> = { viewer: Role.VIEWER, user: Role.USER, operator: Role.OPERATOR, admin: Role.ADMIN };

/**
 * The proto enum of a role typed by a user (case-insensitive). Throws an
 * INVALID_ARGUMENT DomainError that lists the roles for anything else, so a
 * typo is refused before any call is made.
 */
export function parseRole(text: string): Role {
  const name = text.trim().toLowerCase();
  const role = (ROLE_NAMES as readonly string[]).includes(name) ? ENUM_OF[name as RoleName] : undefined;
  if (role === undefined) throw invalidArgument(`"${text}" is not a role: use one of ${ROLE_NAMES.join(", ")} (lowest to highest)`);
  return role;
}

/** A role's name for people; `unknown` for a value this client does not know. */
export function roleName(role: Role): RoleName | "unknown" {
  return ROLE_NAMES.find((name) => ENUM_OF[name] === role) ?? "unknown";
}

/** Whether `role` may do what `needed` may. */
export function roleAtLeast(role: RoleName, needed: RoleName): boolean {
  return ROLE_NAMES.indexOf(role) >= ROLE_NAMES.indexOf(needed);
}

/** The proto enum of a role. */
export function roleEnum(role: RoleName): Role {
  return ENUM_OF[role];
}

/** The role a request names; INVALID_ARGUMENT (listing the roles) for none or an unknown one. */
export function roleFromEnum(value: Role): RoleName {
  const found = ROLE_NAMES.find((name) => ENUM_OF[name] === value);
  if (!found) throw invalidArgument(`${value === Role.UNSPECIFIED ? "no role given" : `${value} is not a role`}: use one of ${ROLE_NAMES.join(", ")}`);
  return found;
}

/** Whether a stored text is a role's name. */
export function isRoleName(text: string): text is RoleName {
  return (ROLE_NAMES as readonly string[]).includes(text);
}
