/**
 * The access policy: one row per RPC of every service the Host serves (ours,
 * and the standard health and reflection services), saying who may call
 * it and whether it is audited. The table is the documentation of the
 * policy; a new RPC without a row fails to compile (and the policy test).
 * Rows marked `owned` let a user act on their own work only: the handler
 * checks the owner (see ownership.ts); operators and admins act on anyone's.
 */
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import type { RunnerService } from "../../../gen/hakuriver/v1/runner_pb.js";
import type { Health } from "../../../gen/grpc/health/v1/health_pb.js";
import type { ServerReflection as ServerReflectionV1 } from "../../../gen/grpc/reflection/v1/reflection_pb.js";
import type { ServerReflection as ServerReflectionV1alpha } from "../../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import type { RoleName } from "../../shared/roles.js";

/** Who may call an RPC: a least role, a runner (join token), or anyone (no credential). */
export type Access = RoleName | "runner" | "open";

/** One RPC's row. */
export interface Rule {
  readonly access: Access;
  /** Recorded in the audit trail (calls that change something). */
  readonly audited: boolean;
  /** A user may act only on work they own (checked in the handler). */
  readonly owned?: boolean;
  /** Tokens: anyone may manage their own; someone else's (or join tokens) needs admin (checked in the handler). */
  readonly selfOrAdmin?: boolean;
}

type Methods<S extends { method: Record<string, unknown> }> = keyof S["method"];

/** ClientService, by method's local name. */
export const CLIENT_POLICY = {
  describeCluster: { access: "open", audited: false },
  whoAmI: { access: "viewer", audited: false },
  getTask: { access: "viewer", audited: false },
  listTasks: { access: "viewer", audited: false },
  followLogs: { access: "viewer", audited: false },
  listNodes: { access: "viewer", audited: false },
  health: { access: "viewer", audited: false },
  watch: { access: "viewer", audited: false },
  listContainers: { access: "viewer", audited: false },
  listTarballs: { access: "viewer", audited: false },
  submitTask: { access: "user", audited: true },
  resubmitTask: { access: "user", audited: true, owned: true },
  killTask: { access: "user", audited: true, owned: true },
  pauseTask: { access: "user", audited: true, owned: true },
  resumeTask: { access: "user", audited: true, owned: true },
  forwardPort: { access: "user", audited: true, owned: true },
  execTask: { access: "user", audited: true, owned: true },
  drainNode: { access: "operator", audited: true },
  undrainNode: { access: "operator", audited: true },
  createContainer: { access: "operator", audited: true },
  startContainer: { access: "operator", audited: true },
  stopContainer: { access: "operator", audited: true },
  deleteContainer: { access: "operator", audited: true },
  shell: { access: "operator", audited: true },
  createTarball: { access: "operator", audited: true },
  deleteTarball: { access: "operator", audited: true },
  listAudit: { access: "operator", audited: false },
  createToken: { access: "viewer", audited: true, selfOrAdmin: true },
  listTokens: { access: "viewer", audited: false, selfOrAdmin: true },
  revokeToken: { access: "viewer", audited: true, selfOrAdmin: true },
  addUser: { access: "admin", audited: true },
  listUsers: { access: "admin", audited: false },
  removeUser: { access: "admin", audited: true },
  setUserRole: { access: "admin", audited: true },
  stopVps: { access: "user", audited: true, owned: true },
  startVps: { access: "user", audited: true, owned: true },
  restartVps: { access: "user", audited: true, owned: true },
  snapshotVps: { access: "user", audited: true, owned: true },
  listSnapshots: { access: "viewer", audited: false },
  deleteSnapshot: { access: "user", audited: true, owned: true },
  addSshKey: { access: "user", audited: true, selfOrAdmin: true },
  listSshKeys: { access: "user", audited: false, selfOrAdmin: true },
  removeSshKey: { access: "user", audited: true, selfOrAdmin: true },
} as const satisfies Record<Methods<typeof ClientService>, Rule>;

/** RunnerService, by method's local name: join tokens only. */
export const RUNNER_POLICY = {
  control: { access: "runner", audited: false },
  tunnel: { access: "runner", audited: false },
  exec: { access: "runner", audited: false },
} as const satisfies Record<Methods<typeof RunnerService>, Rule>;

/**
 * grpc.health.v1.Health: open, as load balancers, Kubernetes probes and
 * grpc_health_probe call it with no credential. It tells only whether the
 * Host serves, nothing about the cluster.
 */
export const HEALTH_POLICY = {
  check: { access: "open", audited: false },
  list: { access: "open", audited: false },
  watch: { access: "open", audited: false },
} as const satisfies Record<Methods<typeof Health>, Rule>;

/** grpc.reflection (v1 and v1alpha): the API's shape is for signed-in people and tools, not for anyone who can reach the port. */
export const REFLECTION_POLICY = {
  serverReflectionInfo: { access: "viewer", audited: false },
} as const satisfies Record<Methods<typeof ServerReflectionV1>, Rule> & Record<Methods<typeof ServerReflectionV1alpha>, Rule>;

/** Policies by service type name. */
export const POLICIES: Readonly<Record<string, Readonly<Record<string, Rule>>>> = {
  "hakuriver.v1.ClientService": CLIENT_POLICY,
  "hakuriver.v1.RunnerService": RUNNER_POLICY,
  "grpc.health.v1.Health": HEALTH_POLICY,
  "grpc.reflection.v1.ServerReflection": REFLECTION_POLICY,
  "grpc.reflection.v1alpha.ServerReflection": REFLECTION_POLICY,
};

/** The row of an RPC, or undefined (the interceptor then refuses it: fail closed). */
export function ruleOf(serviceTypeName: string, methodLocalName: string): Rule | undefined {
  return POLICIES[serviceTypeName]?.[methodLocalName];
}
