/**
 * The four roles, in order: each may do everything the ones before it may.
 * One table maps names, proto enum values and ranks.
 */
import { Role } from "../../../gen/hakuriver/v1/auth_pb.js";
import { invalidArgument } from "../../shared/errors.js";

/** A role's name as users type it. */
export type RoleName = "viewer" | "user" | "operator" | "admin";

/** Every role, lowest first. */
export const ROLE_NAMES: readonly RoleName[] = ["viewer", "user", "operator", "admin"];

const ENUM_OF: Record<RoleName, Role> = { viewer: Role.VIEWER, user: Role.USER, operator: Role.OPERATOR, admin: Role.ADMIN };

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

/** Parses a stored role name (the database holds only valid ones). */
export function isRoleName(text: string): text is RoleName {
  return (ROLE_NAMES as readonly string[]).includes(text);
}
