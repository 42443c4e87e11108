import { test } from "node:test";
import assert from "node:assert/strict";
import { Role } from "../../gen/hakuriver/v1/auth_pb.js";
import { DomainError } from "../../src/shared/errors.js";
import { parseRole, roleName, ROLE_NAMES } from "../../src/shared/roles.js";

test("the four roles parse (any case) and print back", () => {
  assert.deepEqual(ROLE_NAMES, ["viewer", "user", "operator", "admin"]);
  assert.equal(parseRole("viewer"), Role.VIEWER);
  assert.equal(parseRole("Operator"), Role.OPERATOR);
  assert.equal(parseRole(" admin "), Role.ADMIN);
  for (const name of ROLE_NAMES) assert.equal(roleName(parseRole(name)), name);
  assert.equal(roleName(Role.UNSPECIFIED), "unknown");
});

test("an unknown role is INVALID_ARGUMENT that lists the roles", () => {
  for (const bad of ["nosuch", "", "root", "admins"]) {
    assert.throws(
      () => parseRole(bad),
      (error: unknown) => error instanceof DomainError && error.kind === "invalid_argument" && /viewer, user, operator, admin/.test(error.message),
      bad,
    );
  }
});
