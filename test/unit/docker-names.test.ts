import { test } from "node:test";
import assert from "node:assert/strict";
import { checkEnvironmentName, checkImageReference, isEnvironmentName, isImageReference } from "../../src/shared/docker-names.js";
import { DomainError } from "../../src/shared/errors.js";

test("image references Docker accepts pass", () => {
  for (const ref of [
    "ubuntu",
    "ubuntu:22.04",
    "library/ubuntu:latest",
    "hakuriver-test/busybox:latest",
    "hakuriver/my_env:base",
    "registry.example.com:5000/team/image:v1.2-rc",
    "localhost/x__y",
    "[::1]:5000/a/b",
    `busybox@sha256:${"a".repeat(64)}`,
    `busybox:1@sha256:${"0".repeat(64)}`,
  ]) {
    assert.equal(isImageReference(ref), true, ref);
  }
});

test("references that could walk engine paths or are not Docker's are refused", () => {
  for (const ref of [
    "../../nosuchhost",
    "..",
    "a/../b",
    "/etc/passwd",
    "Ubuntu",
    "ubuntu:",
    "ubuntu::1",
    "ubuntu?x=1",
    "ubuntu#frag",
    "ubuntu%2f..",
    "ub untu",
    "a..b",
    "-a",
    "a-",
    "ubuntu:-tag",
    `x:${"t".repeat(129)}`,
    `${"a".repeat(256)}`,
    "",
  ]) {
    assert.equal(isImageReference(ref), false, ref);
  }
});

test("checkImageReference throws INVALID_ARGUMENT with an example", () => {
  assert.throws(() => checkImageReference("../../nosuchhost"), (error: unknown) => {
    assert.ok(error instanceof DomainError);
    assert.equal(error.kind, "invalid_argument");
    assert.match(error.message, /"\.\.\/\.\.\/nosuchhost" is not a valid Docker image reference/);
    assert.match(error.message, /ubuntu:22\.04/);
    return true;
  });
});

test("environment names: a container name and an image path component at once", () => {
  for (const name of ["myenv", "envt123", "my_env", "my-env", "a.b", "my--env", "ab"]) assert.equal(isEnvironmentName(name), true, name);
  for (const name of ["x", "NULL", "MyEnv", "../x", "a/b", "a..b", "_a", "a_", "a b", "a:b", "a".repeat(65), ""]) {
    assert.equal(isEnvironmentName(name), false, name);
  }
  assert.throws(() => checkEnvironmentName("../../x"), /not a valid environment name.*NULL is reserved/);
});
