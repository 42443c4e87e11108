/**
 * The Host's Docker engine client, and the translation of engine failures
 * into the one error vocabulary (so a missing container reads NOT_FOUND and
 * a stopped engine reads UNAVAILABLE, with a hint a person can act on).
 */
import type Docker from "dockerode";
import { lazyEngineClient } from "../../shared/docker-engine.js";
import { engineMessage as dockerMessage, engineStatus as dockerStatus } from "../../shared/docker-errors.js";
import { DomainError } from "../../shared/errors.js";
import { ErrorReason } from "../../shared/error-reasons.js";

/** Label every environment container carries; list-containers filters on it. */
export const ROLE_LABEL = "hakuriver.role";
/** Value of {@link ROLE_LABEL} for environment containers. */
export const ROLE_ENVIRONMENT = "environment";
/** Label naming the environment of a container. */
export const ENV_LABEL = "hakuriver.env";

export { environmentImage } from "../../shared/tarballs.js";

export { checkEnvironmentName } from "../../shared/docker-names.js";

/** Creates a client for `DOCKER_HOST` or the default socket, loaded at its first call. */
export function createDockerClient(): Docker {
  return lazyEngineClient();
}

export { engineStatus as dockerStatus, engineMessage as dockerMessage } from "../../shared/docker-errors.js";

/**
 * Maps an engine failure to a DomainError; `what` names the object for a 404.
 * DomainErrors pass through unchanged.
 */
export function engineError(error: unknown, what: string): DomainError {
  if (error instanceof DomainError) return error;
  const status = dockerStatus(error);
  const message = dockerMessage(error);
  if (status === 404) return new DomainError("not_found", `${what} not found (${message})`);
  if (status === 409) return new DomainError("failed_precondition", `${what}: ${message}`);
  if (status === undefined && /ECONNREFUSED|ENOENT|EACCES|socket/i.test(message)) {
    return new DomainError("unavailable", `the Host's Docker engine does not answer (${message}): is dockerd running, and may this user use its socket?`, {
      reason: ErrorReason.DOCKER_UNAVAILABLE,
    });
  }
  return new DomainError("internal", `Docker engine error for ${what}: ${message}`);
}
