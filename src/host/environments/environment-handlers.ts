/**
 * The environment RPCs of ClientService (Docker containers on the Host and
 * their tarballs). Thin: validate, call the domain, map to messages.
 */
import { join } from "node:path";
import type Docker from "dockerode";
import type { Logger } from "pino";
import type { ServiceImpl } from "@connectrpc/connect";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import type { ShellRequest } from "../../../gen/hakuriver/v1/environments_pb.js";
import { atField, badField } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";
import { checkEnvironmentName } from "./docker-client.js";
import { createTarball } from "./create-tarball.js";
import { deleteEnvironment } from "./delete-environment.js";
import { HostContainers, type EnvContainerInfo } from "./host-containers.js";
import { runShell, type ShellInput } from "./shell-session.js";
import { deleteTarballs, listTarballs, type TarballFile } from "./tarballs.js";

/** The environment RPCs. */
export type EnvironmentHandlers = Pick<
  ServiceImpl<typeof ClientService>,
  "createContainer" | "listContainers" | "startContainer" | "stopContainer" | "deleteContainer" | "shell" | "createTarball" | "listTarballs" | "deleteTarball"
>;

/** What the environment handlers need. */
export interface EnvironmentDeps {
  /** The Host's Docker engine (createDockerClient() in production). */
  readonly docker: Docker;
  readonly sharedDir: string;
  /** Tarball directory name under the shared dir. */
  readonly containerDir: string;
  /** Default number of tarballs create-tar keeps per environment. */
  readonly keepTarballs: number;
  /** Hears what could not be cleaned up after a client left (a TTY shell that could not be hung up). */
  readonly log?: Pick<Logger, "warn">;
}

function containerMessage(c: EnvContainerInfo) {
  return { name: c.name, image: c.image, state: c.state, id: c.id, createdAt: timestampFromMs(c.createdAtMs) };
}

function tarballMessage(t: TarballFile) {
  return { name: t.name, timestamp: BigInt(t.timestamp), file: t.file, sizeBytes: BigInt(t.sizeBytes) };
}

async function* shellInput(rest: AsyncIterator<ShellRequest>): AsyncGenerator<ShellInput> {
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    const m = next.value.message;
    if (m.case === "stdin") yield { kind: "stdin", data: m.value };
    else if (m.case === "resize") yield { kind: "resize", rows: m.value.rows, cols: m.value.cols };
    else if (m.case === "eof") yield { kind: "eof" };
  }
}

/** Creates the environment RPCs over the injected Docker engine. */
export function environmentHandlers(deps: EnvironmentDeps): EnvironmentHandlers {
  const { docker } = deps;
  const containers = new HostContainers(docker);
  const dir = join(deps.sharedDir, deps.containerDir);
  return {
    async createContainer(request) {
      const result = await containers.create(request.image.trim(), request.name.trim());
      return { container: containerMessage(result.container), created: result.created };
    },
    async listContainers() {
      return { containers: (await containers.list()).map(containerMessage) };
    },
    async startContainer(request) {
      return { container: containerMessage(await containers.start(request.name.trim())) };
    },
    async stopContainer(request) {
      return { container: containerMessage(await containers.stop(request.name.trim())) };
    },
    async deleteContainer(request) {
      return deleteEnvironment(docker, containers, request.name.trim(), request.removeImage);
    },
    async *shell(requests, context) {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await iterator.next();
      if (first.done || first.value.message.case !== "start") throw badField("start", ErrorReason.INVALID_FIELD, "a shell stream must begin with a start message naming the container");
      const start = first.value.message.value;
      for await (const out of runShell(docker, containers, { name: start.name, command: start.command, tty: start.tty, rows: start.rows, cols: start.cols }, shellInput(iterator), context.signal, (error) =>
        deps.log?.warn({ container: start.name, err: error instanceof Error ? error.message : String(error) }, "a shell's client went away and its process could not be hung up; it may still run"),
      )) {
        if (out.kind === "exit") yield { message: { case: "exit", value: { code: out.code } } };
        else yield { message: { case: out.kind, value: out.data } };
      }
    },
    async *createTarball(request, context) {
      const name = request.name.trim();
      atField("name", ErrorReason.INVALID_ENVIRONMENT_NAME, () => checkEnvironmentName(name));
      if (request.keep < 0) throw badField("keep", ErrorReason.INVALID_FIELD, `keep must be 1 or more (0 = the configured ${deps.keepTarballs}), got ${request.keep}`);
      const keep = request.keep > 0 ? request.keep : deps.keepTarballs;
      for await (const event of createTarball({ docker, containers, dir, name, keep, signal: context.signal })) {
        if (event.kind === "done") yield { event: { case: "done", value: tarballMessage(event.tarball) } };
        else yield { event: { case: "progress", value: { phase: event.phase, bytes: BigInt(event.bytes), message: event.message, estimatedTotalBytes: BigInt(event.estimatedTotalBytes ?? 0), elapsedMs: BigInt(event.elapsedMs ?? 0) } } };
      }
    },
    async listTarballs(request) {
      const name = request.name.trim();
      if (name !== "") atField("name", ErrorReason.INVALID_ENVIRONMENT_NAME, () => checkEnvironmentName(name));
      const byName = new Map<string, TarballFile[]>();
      for (const t of listTarballs(dir, name === "" ? undefined : name)) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
      const environments = [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([envName, tarballs]) => ({ name: envName, tarballs: tarballs.map(tarballMessage) }));
      return { environments };
    },
    async deleteTarball(request) {
      const name = request.name.trim();
      atField("name", ErrorReason.INVALID_ENVIRONMENT_NAME, () => checkEnvironmentName(name));
      if (request.timestamp < 0n) throw badField("timestamp", ErrorReason.INVALID_FIELD, "timestamp must be a Unix time in seconds (or 0 for all)");
      return { deleted: deleteTarballs(dir, name, Number(request.timestamp)).map(tarballMessage) };
    },
  };
}
