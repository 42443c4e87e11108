/**
 * Deletes an environment from the Host's engine: its container and, when
 * asked, its committed image `hakuriver/<name>:base`. Tarballs on shared
 * storage and the images runners loaded from them are left alone (delete-tar
 * removes the tarballs). The image is removed without force, so one still
 * used by a container (a task on a runner sharing this engine) is refused,
 * not pulled from under it.
 */
import type Docker from "dockerode";
import { DomainError } from "../../shared/errors.js";
import { ErrorReason, RESOURCE_TYPE } from "../../shared/error-reasons.js";
import { dockerMessage, dockerStatus, engineError, environmentImage } from "./docker-client.js";
import type { HostContainers } from "./host-containers.js";

/** What {@link deleteEnvironment} did. */
export interface DeleteOutcome {
  /** The environment's image reference, `hakuriver/<name>:base`. */
  readonly image: string;
  /** False when there was no container (only the image was removed). */
  readonly containerDeleted: boolean;
  /** True when the image was removed by this call. */
  readonly imageRemoved: boolean;
  /** True when the image stays on the engine (it was not asked to go). */
  readonly imageKept: boolean;
}

/**
 * Removes the environment container `name`; with `removeImage` also its
 * image, even when the container is already gone. NOT_FOUND when there is
 * nothing to delete; FAILED_PRECONDITION when a container still uses the image.
 */
export async function deleteEnvironment(docker: Docker, containers: HostContainers, name: string, removeImage: boolean): Promise<DeleteOutcome> {
  const image = environmentImage(name);
  let containerDeleted = true;
  try {
    await containers.delete(name);
  } catch (error) {
    if (!(removeImage && error instanceof DomainError && error.kind === "not_found")) throw error;
    containerDeleted = false;
  }
  const exists = await imageExists(docker, image);
  if (!removeImage) return { image, containerDeleted, imageRemoved: false, imageKept: exists };
  if (!exists) {
    if (containerDeleted) return { image, containerDeleted, imageRemoved: false, imageKept: false };
    throw new DomainError("not_found", `there is neither an environment container "${name}" nor an image ${image} on the Host's engine (hakuriver docker list-containers lists them)`, {
      reason: ErrorReason.CONTAINER_NOT_FOUND,
      resource: { type: RESOURCE_TYPE.container, name, description: "no environment container and no committed image of this name" },
    });
  }
  try {
    await docker.getImage(image).remove();
  } catch (error) {
    if (dockerStatus(error) !== 409) throw engineError(error, `image ${image}`);
    const done = containerDeleted ? `deleted the environment container "${name}", but ` : "";
    throw new DomainError("failed_precondition", `${done}the image ${image} is still used by a container (${dockerMessage(error)}); remove that container, then retry with --image`, {
      reason: ErrorReason.IMAGE_IN_USE,
      preconditionViolations: [{ type: "IMAGE_IN_USE", subject: `image/${image}`, description: "a container on the Host's engine still uses the image" }],
    });
  }
  return { image, containerDeleted, imageRemoved: true, imageKept: false };
}

async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    if (dockerStatus(error) === 404) return false;
    throw engineError(error, `image ${image}`);
  }
}
