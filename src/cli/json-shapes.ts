/**
 * The one JSON shape of each noun the CLI prints with `--json`: a task, a
 * batch (what a submit returns), a node, the cluster's health, a user, a
 * token, an audit event, an environment container and a tarball. Every
 * shape is the message's proto JSON (camelCase field names) with three
 * rules on top, the same for every command:
 *
 * - every field is present: zero values are printed (`0`, `""`, `false`,
 *   `[]`, `{}`), and a field that is unset (an optional exit code, a time
 *   not reached yet, an absent sub-message) is `null`;
 * - enum values are lower-case words without their type prefix
 *   (`running`, `killed_oom`, `online`, `stdout`, `admin`, `join`);
 *   `unspecified` for the zero value;
 * - as in proto JSON, ids and 64-bit integers (byte counts, sizes,
 *   offsets) are decimal strings, times are ISO 8601 strings (UTC), bytes
 *   are base64.
 *
 * Log output has its own records (see `log-json.ts`).
 */
import { toJson, type DescField, type DescMessage, type JsonObject, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { AuditEventSchema, TokenInfoSchema, UserSchema, type AuditEvent, type TokenInfo, type User } from "../../gen/hakuriver/v1/auth_pb.js";
import { HealthResponseSchema, type HealthResponse } from "../../gen/hakuriver/v1/client_pb.js";
import { EnvContainerSchema, TarballSchema, type EnvContainer, type Tarball } from "../../gen/hakuriver/v1/environments_pb.js";
import { NodeSchema, TaskSchema, type Node, type Task } from "../../gen/hakuriver/v1/types_pb.js";

/** The enum word of a proto JSON enum name: `TASK_STATUS_KILLED_OOM` → `killed_oom`. */
function enumWord(field: { enum: { sharedPrefix?: string | undefined; values: readonly { name: string }[] } }, value: JsonValue): JsonValue {
  if (typeof value !== "string") return value; // A number the schema does not know: kept as proto JSON prints it.
  const prefix = field.enum.sharedPrefix ?? "";
  return value.toUpperCase().startsWith(prefix.toUpperCase()) ? value.slice(prefix.length).toLowerCase() : value.toLowerCase();
}

/** Well-known types (Timestamp, Duration, Struct...) keep their own proto JSON form. */
function isWellKnown(message: DescMessage): boolean {
  return message.typeName.startsWith("google.protobuf.");
}

/** One field's value after the rules above. */
function fieldValue(field: DescField, value: JsonValue | undefined): JsonValue {
  if (value === undefined || value === null) return null;
  switch (field.fieldKind) {
    case "enum":
      return enumWord(field, value);
    case "message":
      return isWellKnown(field.message) ? value : withRules(field.message, value as JsonObject);
    case "list":
      if (field.listKind === "enum") return (value as JsonValue[]).map((v) => enumWord(field, v));
      if (field.listKind === "message" && !isWellKnown(field.message)) return (value as JsonObject[]).map((v) => withRules(field.message, v));
      return value;
    case "map":
      if (field.mapKind === "enum") return Object.fromEntries(Object.entries(value as JsonObject).map(([k, v]) => [k, enumWord(field, v)]));
      if (field.mapKind === "message" && !isWellKnown(field.message)) {
        return Object.fromEntries(Object.entries(value as JsonObject).map(([k, v]) => [k, withRules(field.message, v as JsonObject)]));
      }
      return value;
    default:
      return value;
  }
}

function withRules(schema: DescMessage, json: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const field of schema.fields) out[field.jsonName] = fieldValue(field, json[field.jsonName]);
  return out;
}

/**
 * Any message in the CLI's JSON form: proto JSON with every field present
 * (unset ones `null`) and enums as lower-case words. Field order follows
 * the .proto file.
 */
export function messageJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): JsonObject {
  return withRules(schema, toJson(schema, message, { alwaysEmitImplicit: true }) as JsonObject);
}

/** A task (command or VPS): `taskId`, `batchId`, `kind`, `status`, `exitCode` (null until known), times, resources... */
export function taskJson(task: Task): JsonObject {
  return messageJson(TaskSchema, task);
}

/** What every submit prints (`task submit`, `vps submit`, with or without `--wait`): the batch id and its tasks. */
export function batchJson(batchId: string, tasks: readonly Task[]): JsonObject {
  return { batchId, tasks: tasks.map(taskJson) };
}

/** A node: `name`, `status` (`online`/`offline`), `drained`, resources, usage, what is in use. */
export function nodeJson(node: Node): JsonObject {
  return messageJson(NodeSchema, node);
}

/** The cluster's health: `aggregate`, `nodes`, `history` (one sample a second). */
export function healthJson(health: HealthResponse): JsonObject {
  return messageJson(HealthResponseSchema, health);
}

/** A user: `name`, `role` (`viewer`, `user`, `operator`, `admin`), `tokenCount`, `createdAt`. */
export function userJson(user: User): JsonObject {
  return messageJson(UserSchema, user);
}

/** A token's record (never its secret): `tokenId`, `kind` (`user`/`join`), `user`, `label`, times. */
export function tokenJson(token: TokenInfo): JsonObject {
  return messageJson(TokenInfoSchema, token);
}

/** An audit event: `at`, `actor`, `action`, `target`, `outcome`, `address`, `detail`. */
export function auditJson(event: AuditEvent): JsonObject {
  return messageJson(AuditEventSchema, event);
}

/** An environment container on the Host: `name`, `image`, `state`, `createdAt`, `id`. */
export function containerJson(container: EnvContainer): JsonObject {
  return messageJson(EnvContainerSchema, container);
}

/** An environment tarball on shared storage: `name`, `timestamp`, `file`, `sizeBytes`. */
export function tarballJson(tarball: Tarball): JsonObject {
  return messageJson(TarballSchema, tarball);
}

/** Prints `value` on stdout as indented JSON (the form every `--json` command but the streaming ones uses). */
export function printJson(value: JsonValue): void {
  console.log(JSON.stringify(value, null, 2));
}
