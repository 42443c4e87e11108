/**
 * Error details: each part of a DomainError's details lands in its standard
 * google.rpc message, placement errors name what holds a GPU, and the CLI
 * prints field violations under the error line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { SubmitTaskRequestSchema } from "../../gen/hakuriver/v1/client_pb.js";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  PreconditionFailureSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { toConnectError } from "../../src/shared/connect-errors.js";
import { atField, DomainError, invalidArgument } from "../../src/shared/errors.js";
import { ERROR_DOMAIN, ErrorReason, RESOURCE_TYPE } from "../../src/shared/error-reasons.js";
import { parseSize } from "../../src/shared/units.js";
import { planSubmission } from "../../src/host/tasks/submit-spec.js";
import { busyError, neverFitsError } from "../../src/host/scheduling/admission-errors.js";
import { buildLedger, type Demand, type NodeCapacity } from "../../src/host/scheduling/placement.js";
import { describeError, exitCodeOf } from "../../src/cli/cli-error.js";

const DEFAULTS = { container: "NULL", privileged: false, mounts: [], queue: true };

/** The DomainError `fn` throws (fails the test when it throws none or another kind of error). */
function domainErrorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainError, `expected a DomainError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected an error");
}

function submitError(init: Parameters<typeof create<typeof SubmitTaskRequestSchema>>[1]): DomainError {
  return domainErrorOf(() => planSubmission(create(SubmitTaskRequestSchema, init), DEFAULTS));
}

const GPU_NODE: NodeCapacity = { name: "alpha", online: true, drained: false, cores: 8, memoryBytes: 16e9, numaNodes: [{ id: 0, cores: 8, memoryBytes: 16e9 }], gpus: [0, 1] };
const GPU_DEMAND: Demand = { cores: 1, memoryBytes: 0, node: "alpha", numaNode: null, gpus: [1] };

test("a reason becomes ErrorInfo in the hakuriver.dev domain, with the metadata", () => {
  const error = toConnectError(new DomainError("not_found", "task 7 not found", { reason: ErrorReason.TASK_NOT_FOUND, metadata: { task_id: "7" } }));
  assert.equal(error.code, Code.NotFound);
  assert.equal(error.rawMessage, "task 7 not found");
  const [info, ...more] = error.findDetails(ErrorInfoSchema);
  assert.equal(more.length, 0);
  assert.deepEqual([info?.reason, info?.domain, info?.metadata], ["TASK_NOT_FOUND", ERROR_DOMAIN, { task_id: "7" }]);
});

test("field violations become one BadRequest, each violation with its field, description and the reason", () => {
  const error = toConnectError(
    invalidArgument("two bad fields", {
      reason: ErrorReason.INVALID_CORES,
      fieldViolations: [{ field: "cores", description: "zero or more" }, { field: "targets[1]", description: "use node::GPU" }],
    }),
  );
  assert.equal(error.code, Code.InvalidArgument);
  const requests = error.findDetails(BadRequestSchema);
  assert.equal(requests.length, 1);
  assert.deepEqual(requests[0]!.fieldViolations.map((v) => [v.field, v.description, v.reason]), [
    ["cores", "zero or more", "INVALID_CORES"],
    ["targets[1]", "use node::GPU", "INVALID_CORES"],
  ]);
});

test("a resource becomes ResourceInfo; preconditions become PreconditionFailure", () => {
  const error = toConnectError(
    new DomainError("failed_precondition", "task 9 is already completed", {
      reason: ErrorReason.TASK_ALREADY_FINISHED,
      resource: { type: RESOURCE_TYPE.task, name: "9", owner: "alice" },
      preconditionViolations: [{ type: "TASK_STATUS", subject: "task/9", description: "the task is completed" }],
    }),
  );
  assert.equal(error.code, Code.FailedPrecondition);
  const [resource] = error.findDetails(ResourceInfoSchema);
  assert.deepEqual([resource?.resourceType, resource?.resourceName, resource?.owner, resource?.description], ["hakuriver.v1.Task", "9", "alice", ""]);
  const [failure] = error.findDetails(PreconditionFailureSchema);
  assert.deepEqual(failure?.violations.map((v) => [v.type, v.subject, v.description]), [["TASK_STATUS", "task/9", "the task is completed"]]);
  assert.equal(error.findDetails(BadRequestSchema).length, 0, "no empty BadRequest is attached");
});

test("a retry delay becomes RetryInfo with seconds and nanos", () => {
  const error = toConnectError(new DomainError("resource_exhausted", "locked out", { reason: ErrorReason.LOGIN_THROTTLED, retryDelayMs: 61_500 }));
  assert.equal(error.code, Code.ResourceExhausted);
  const [retry] = error.findDetails(RetryInfoSchema);
  assert.equal(retry?.retryDelay?.seconds, 61n);
  assert.equal(retry?.retryDelay?.nanos, 500_000_000);
});

test("a DomainError without details carries no details; a ConnectError passes unchanged", () => {
  const plain = toConnectError(new DomainError("unavailable", "try later"));
  assert.equal(plain.code, Code.Unavailable);
  assert.equal(plain.details.length, 0);
  const connect = new ConnectError("as is", Code.Aborted);
  assert.equal(toConnectError(connect), connect);
});

test("a plain Error becomes INTERNAL with its message only: no stack, no details", () => {
  const bug = new TypeError("cannot read properties of undefined");
  assert.match(bug.stack ?? "", /\n\s+at /, "the thrown error has a stack to leak");
  const error = toConnectError(bug);
  assert.equal(error.code, Code.Internal);
  assert.equal(error.rawMessage, "internal error: cannot read properties of undefined");
  assert.doesNotMatch(error.rawMessage, /\bat .*:\d+/);
  assert.equal(error.details.length, 0);
  assert.equal(toConnectError("a string").rawMessage, "internal error: a string");
});

test("parseSize names the accepted forms; atField places them at the request field", () => {
  const raw = domainErrorOf(() => parseSize("lots"));
  assert.equal(raw.details.reason, ErrorReason.INVALID_MEMORY_SIZE);
  assert.equal(raw.details.fieldViolations?.[0]?.field, "");
  const placed = domainErrorOf(() => atField("memory", ErrorReason.INVALID_FIELD, () => parseSize("lots")));
  assert.equal(placed.message, raw.message, "the message is unchanged");
  assert.equal(placed.details.reason, ErrorReason.INVALID_MEMORY_SIZE, "the inner reason wins over the fallback");
  assert.equal(placed.details.fieldViolations?.[0]?.field, "memory");
  assert.match(placed.details.fieldViolations?.[0]?.description ?? "", /512M, 4G, 1\.5G or 256Mi/);
  const nested = domainErrorOf(() => atField("spec", ErrorReason.INVALID_FIELD, () => {
    throw invalidArgument("bad", { fieldViolations: [{ field: "cores", description: "d" }] });
  }));
  assert.equal(nested.details.fieldViolations?.[0]?.field, "spec.cores");
  assert.equal(nested.details.reason, ErrorReason.INVALID_FIELD, "the fallback applies when the error has no reason");
});

test("each invalid SubmitTask field is named, with its reason", () => {
  const cases: [Parameters<typeof submitError>[0], string, string][] = [
    [{ command: "true", memory: "lots" }, "memory", ErrorReason.INVALID_MEMORY_SIZE],
    [{ command: "  " }, "command", ErrorReason.EMPTY_COMMAND],
    [{ command: "true", cores: -1 }, "cores", ErrorReason.INVALID_CORES],
    [{ command: "true", env: { "1BAD": "x" } }, "env", ErrorReason.INVALID_ENV_NAME],
    [{ command: "true", container: "Bad Name!" }, "container", ErrorReason.INVALID_ENVIRONMENT_NAME],
    [{ command: "true", mounts: ["/ok:/ok", "nocolon"] }, "mounts[1]", ErrorReason.INVALID_MOUNT],
    [{ command: "true", targets: ["alpha", "alpha::"] }, "targets[1]", ErrorReason.INVALID_TARGET],
    [{ command: "echo", args: ["span:{1..}"], sweep: true }, "args", ErrorReason.INVALID_SWEEP],
    [{ command: "true", targets: Array.from({ length: 1025 }, (_, i) => `n${i}`) }, "targets", ErrorReason.TOO_MANY_TARGETS],
    [{ command: "x".repeat(200_000) }, "command", ErrorReason.ARGUMENT_TOO_LARGE],
    [{ kind: 2, container: "NULL", publicKey: "ssh-ed25519 AAAA" }, "container", ErrorReason.VPS_NEEDS_CONTAINER],
    [{ kind: 2, container: "env", publicKey: "not a key" }, "public_key", ErrorReason.INVALID_PUBLIC_KEY],
    [{ command: "true", timeLimit: "2x" }, "time_limit", ErrorReason.INVALID_TIME_LIMIT],
    [{ command: "true", timeLimit: "-1h" }, "time_limit", ErrorReason.INVALID_TIME_LIMIT],
    [{ command: "true", timeLimit: "0s" }, "time_limit", ErrorReason.INVALID_TIME_LIMIT],
    [{ command: "true", timeLimit: "10" }, "time_limit", ErrorReason.INVALID_TIME_LIMIT],
  ];
  for (const [init, field, reason] of cases) {
    const error = submitError(init);
    assert.equal(error.kind, "invalid_argument", field);
    assert.equal(error.details.reason, reason, `${field}: ${error.message}`);
    assert.deepEqual(error.details.fieldViolations?.map((v) => v.field), [field], `${reason}: ${error.message}`);
  }
  const tooMany = submitError({ command: "echo", args: ["span:{1..60000}"], sweep: true, targets: ["a", "b"] });
  assert.equal(tooMany.details.reason, ErrorReason.TOO_MANY_TASKS, tooMany.message);
  assert.deepEqual(tooMany.details.fieldViolations?.map((v) => v.field), ["args"]);
  assert.deepEqual([tooMany.details.metadata?.tasks, tooMany.details.metadata?.limit], ["120000", "100000"]);
});

test("a GPU held by a task is named in ResourceInfo and metadata; a GPU the node lacks is a field violation at targets", () => {
  const ledger = buildLedger([{ node: "alpha", cores: 1, memoryBytes: 0, gpus: [1], taskId: "4242" }]);
  const busy = busyError("GPU 1 of alpha in use by task 4242 (submitted with --no-queue; drop it to queue instead)", GPU_DEMAND, GPU_NODE, ledger.get("alpha"));
  assert.equal(busy.kind, "resource_exhausted");
  assert.equal(busy.details.reason, ErrorReason.GPU_IN_USE);
  assert.deepEqual(busy.details.resource, { type: RESOURCE_TYPE.task, name: "4242", description: "holds GPU 1 of alpha" });
  assert.deepEqual(busy.details.metadata, { node: "alpha", gpus: "1", held_by: "4242" });
  const free = busyError("no room", { ...GPU_DEMAND, gpus: [] }, GPU_NODE, ledger.get("alpha"));
  assert.equal(free.details.reason, ErrorReason.NO_CAPACITY_NOW);

  const missing = neverFitsError(GPU_NODE, { ...GPU_DEMAND, gpus: [0, 5] }, "node alpha has no GPU 5 (GPUs: 0, 1)", "alpha::0,5");
  assert.equal(missing.kind, "invalid_argument");
  assert.equal(missing.details.reason, ErrorReason.NO_SUCH_GPU);
  assert.deepEqual(missing.details.fieldViolations, [{ field: "targets", description: "node alpha has GPUs: 0,1" }]);
  assert.equal(missing.details.metadata?.gpus, "5");
  const tooBig = neverFitsError(GPU_NODE, { ...GPU_DEMAND, gpus: [], cores: 64 }, "node alpha has 8 cores, the task asks for 64", "alpha");
  assert.equal(tooBig.details.reason, ErrorReason.EXCEEDS_NODE_CAPACITY);
  assert.deepEqual(tooBig.details.fieldViolations?.map((v) => v.field), ["cores"]);
});

test("every reason is its own UPPER_SNAKE_CASE name", () => {
  const entries = Object.entries(ErrorReason);
  assert.ok(entries.length >= 40, `${entries.length} reasons`);
  for (const [key, value] of entries) {
    assert.equal(value, key);
    assert.match(value, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  }
});

test("the CLI prints field violations under the error line, with the same exit code", () => {
  const wire = toConnectError(submitError({ command: "true", memory: "lots" }));
  const text = describeError(wire);
  const [line, ...fields] = text.split("\n");
  assert.equal(line, `error (invalid argument): ${wire.rawMessage}`);
  assert.equal(fields.length, 1);
  assert.match(fields[0]!, /^ {2}memory: use a number with an optional unit, such as 512M/);
  assert.equal(exitCodeOf(wire), 2);
  assert.doesNotMatch(text, /\n\s+at /, "no stack trace");
  const local = describeError(submitError({ command: "true", cores: -2 }));
  assert.deepEqual(local.split("\n"), ["error: cores must be zero or more, got -2", "  cores: zero (no limit) or more cores; fractions such as 0.5 are allowed"]);
  const none = describeError(new ConnectError("task 1 not found", Code.NotFound));
  assert.equal(none, "error (not found): task 1 not found", "an error without field violations stays one line");
});

test("the CLI blames the Host's address only when the Host cannot be reached", () => {
  const down = describeError(new ConnectError("connect ECONNREFUSED 127.0.0.1:8000", Code.Unavailable), "127.0.0.1:8000");
  assert.match(down, /^error: cannot reach the Host at 127\.0\.0\.1:8000/);
  // The Host answered: its own UNAVAILABLE (a node offline) is passed on as it is.
  const offline = describeError(new ConnectError("node alpha is offline; try again when its runner reconnects", Code.Unavailable), "127.0.0.1:8000");
  assert.equal(offline, "error (unavailable): node alpha is offline; try again when its runner reconnects");
});
