/**
 * Environment containers on the Host's Docker engine: created from a local
 * image and kept alive with `sleep infinity` so a person can shell in and
 * customise them. Only containers labelled as ours are listed or touched.
 */
import type Docker from "dockerode";
import { checkImageReference } from "../../shared/docker-names.js";
import { atField, badField, DomainError } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { checkEnvironmentName, dockerMessage, dockerStatus, engineError, ENV_LABEL, ROLE_ENVIRONMENT, ROLE_LABEL } from "./docker-client.js";

/** An environment container as the API shows it. */
export interface EnvContainerInfo {
  readonly name: string;
  readonly image: string;
  /** Docker's state: running, exited, paused, created. */
  readonly state: string;
  readonly id: string;
  readonly createdAtMs: number;
}

/** Label runners put on task and VPS containers; an environment container never has it. */
const TASK_ID_LABEL = "hakuriver.task_id";

/**
 * True when a container with these labels is one of our environment
 * containers. The role label alone is not proof: a committed environment
 * image carries it, so a task container made by an older runner (which did
 * not set its own role) inherits `environment`. An environment container is
 * also named after its environment and belongs to no task.
 */
export function isEnvironmentContainer(name: string, labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels?.[ROLE_LABEL] === ROLE_ENVIRONMENT && labels[ENV_LABEL] === name && labels[TASK_ID_LABEL] === undefined;
}

/** How long a pull may try before the image counts as unavailable (no registry here). */
const PULL_TIMEOUT_MS = 20_000;
/** Seconds `stop` waits before SIGKILL. */
const STOP_GRACE_S = 3;

/** Environment containers of one engine. */
export class HostContainers {
  constructor(private readonly docker: Docker) {}

  /** The container `name` if it is ours; NOT_FOUND otherwise (or FAILED_PRECONDITION when it is foreign). */
  async get(name: string): Promise<EnvContainerInfo> {
    atField("name", ErrorReason.INVALID_ENVIRONMENT_NAME, () => checkEnvironmentName(name));
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(name).inspect();
    } catch (error) {
      if (dockerStatus(error) === 404) {
        throw new DomainError("not_found", `there is no environment container "${name}" (create it with: hakuriver docker create-container IMAGE ${name})`, {
          reason: ErrorReason.CONTAINER_NOT_FOUND,
          resource: { type: RESOURCE_TYPE.container, name, description: "no environment container of this name is on the Host's engine (ListContainers shows them)" },
        });
      }
      throw engineError(error, `container ${name}`);
    }
    if (!isEnvironmentContainer(name, info.Config.Labels ?? undefined)) {
      throw new DomainError("failed_precondition", `the container "${name}" on the Host's engine is not a HakuRiver environment; pick another name`, {
        reason: ErrorReason.NOT_AN_ENVIRONMENT,
        resource: { type: RESOURCE_TYPE.container, name },
        preconditionViolations: [{ type: "CONTAINER_ROLE", subject: `container/${name}`, description: "the container has no HakuRiver environment label; pick another name" }],
      });
    }
    const state = info.State.Paused ? "paused" : info.State.Status;
    return { name, image: info.Config.Image, state, id: info.Id, createdAtMs: Date.parse(info.Created) };
  }

  /** Creates and starts `name` from the local image `image`; `created` is false when it already existed. */
  async create(image: string, name: string): Promise<{ container: EnvContainerInfo; created: boolean }> {
    atField("name", ErrorReason.INVALID_ENVIRONMENT_NAME, () => checkEnvironmentName(name));
    if (image.trim() === "") throw badField("image", ErrorReason.INVALID_FIELD, "name an image, for example: hakuriver docker create-container ubuntu:22.04 myenv");
    atField("image", ErrorReason.INVALID_FIELD, () => checkImageReference(image));
    try {
      return { container: await this.get(name), created: false };
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === "not_found")) throw error;
    }
    await this.ensureImage(image);
    try {
      const container = await this.docker.createContainer({
        name,
        Image: image,
        Cmd: ["sleep", "infinity"],
        Labels: { [ROLE_LABEL]: ROLE_ENVIRONMENT, [ENV_LABEL]: name },
        HostConfig: { Init: true },
      });
      await container.start();
    } catch (error) {
      throw engineError(error, `container ${name}`);
    }
    return { container: await this.get(name), created: true };
  }

  /** Our environment containers, sorted by name. */
  async list(): Promise<EnvContainerInfo[]> {
    let found: Docker.ContainerInfo[];
    try {
      found = await this.docker.listContainers({ all: true, filters: { label: [`${ROLE_LABEL}=${ROLE_ENVIRONMENT}`] } });
    } catch (error) {
      throw engineError(error, "containers");
    }
    return found
      .filter((c) => isEnvironmentContainer(containerName(c), c.Labels))
      .map((c) => ({ name: containerName(c), image: c.Image, state: c.State, id: c.Id, createdAtMs: c.Created * 1000 }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Starts (or unpauses) `name`; a running one stays as it is. */
  async start(name: string): Promise<EnvContainerInfo> {
    const current = await this.get(name);
    const container = this.docker.getContainer(current.id);
    try {
      if (current.state === "paused") await container.unpause();
      else if (current.state !== "running") await container.start();
    } catch (error) {
      if (dockerStatus(error) !== 304) throw engineError(error, `container ${name}`);
    }
    return this.get(name);
  }

  /** Stops `name`; a stopped one stays as it is. */
  async stop(name: string): Promise<EnvContainerInfo> {
    const current = await this.get(name);
    try {
      await this.docker.getContainer(current.id).stop({ t: STOP_GRACE_S });
    } catch (error) {
      if (dockerStatus(error) !== 304) throw engineError(error, `container ${name}`);
    }
    return this.get(name);
  }

  /** Removes `name` (running or not). Its tarballs stay. */
  async delete(name: string): Promise<void> {
    const current = await this.get(name);
    try {
      await this.docker.getContainer(current.id).remove({ force: true });
    } catch (error) {
      throw engineError(error, `container ${name}`);
    }
  }

  /** Makes sure `image` is on the engine: local first, then one bounded pull attempt. */
  private async ensureImage(image: string): Promise<void> {
    try {
      await this.docker.getImage(image).inspect();
      return;
    } catch (error) {
      if (dockerStatus(error) !== 404) throw engineError(error, `image ${image}`);
    }
    try {
      await this.pull(image);
    } catch (error) {
      throw new DomainError(
        "failed_precondition",
        `image "${image}" is not on the Host's Docker engine and could not be pulled (${dockerMessage(error)}). ` +
          `Load it (docker load -i FILE.tar), import it (docker import) or build it (docker build -t ${image} .) on the Host, then retry.`,
      );
    }
  }

  private async pull(image: string): Promise<void> {
    const stream = await this.docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        reject(new Error(`no answer from a registry within ${PULL_TIMEOUT_MS / 1000} s`));
      }, PULL_TIMEOUT_MS);
      this.docker.modem.followProgress(stream, (error: Error | null) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      });
    });
  }
}

function containerName(c: Docker.ContainerInfo): string {
  return (c.Names[0] ?? c.Id).replace(/^\//, "");
}
