/**
 * What an audited call acted on, read from its request (and response):
 * a task id, node, user, token or environment name, plus a short detail.
 */
import { ROLE_NAMES } from "../../shared/roles.js";

/** Fields that name what a request acts on, in the order they are looked for. */
const TARGET_FIELDS = ["taskId", "node", "name", "tokenId", "user"] as const;
const MAX_DETAIL = 200;

type Fields = Record<string, unknown>;

function asFields(value: unknown): Fields | undefined {
  return typeof value === "object" && value !== null ? (value as Fields) : undefined;
}

/** The first message's fields, looking inside a oneof's first case (`ShellRequest.start`). */
function fieldsOf(message: unknown): Fields | undefined {
  const fields = asFields(message);
  const oneof = asFields(fields?.["message"]);
  if (oneof && typeof oneof["case"] === "string") return asFields(oneof["value"]);
  return fields;
}

/** The target and detail of a call, for the audit trail. */
export function describeCall(method: string, request: unknown, response: unknown): { target: string; detail: string } {
  const fields = fieldsOf(request) ?? {};
  if (method === "SubmitTask") {
    const answer = asFields(response);
    const argv = [fields["command"], ...((fields["args"] as unknown[] | undefined) ?? [])].filter((w) => typeof w === "string" && w !== "").join(" ");
    const detail = [fields["kind"] === 2 ? "vps" : argv, fields["privileged"] === true ? "privileged" : "", (fields["mounts"] as unknown[] | undefined)?.length ? `mounts ${(fields["mounts"] as string[]).join(",")}` : ""]
      .filter(Boolean)
      .join("; ");
    return { target: typeof answer?.["batchId"] === "string" ? `batch ${answer["batchId"]}` : "", detail: detail.slice(0, MAX_DETAIL) };
  }
  for (const name of TARGET_FIELDS) {
    const value = fields[name];
    if (typeof value === "string" && value !== "") return { target: value, detail: detailOf(method, fields) };
  }
  if (typeof fields["container"] === "string") return { target: fields["container"], detail: detailOf(method, fields) };
  return { target: "", detail: detailOf(method, fields) };
}

function detailOf(method: string, fields: Fields): string {
  if (method === "AddUser" || method === "SetUserRole") return `role ${ROLE_NAMES[Number(fields["role"]) - 1] ?? String(fields["role"])}`;
  if (method === "ForwardPort") return `port ${String(fields["port"])}`;
  if (method === "CreateToken") return `${fields["kind"] === 2 ? "join" : "user"} token${fields["label"] ? ` "${String(fields["label"])}"` : ""}`.slice(0, MAX_DETAIL);
  return "";
}
