/**
 * Client-service handlers for environments (Docker containers on the Host
 * and their tarballs). Merged into the ClientService implementation.
 */
import type { ServiceImpl } from "@connectrpc/connect";
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";

/** What the environment handlers need. */
export interface EnvironmentDeps {
  readonly sharedDir: string;
  readonly containerDir: string;
  readonly keepTarballs: number;
}

/** The environment RPCs (not implemented yet: Connect answers UNIMPLEMENTED). */
export function environmentHandlers(_deps: EnvironmentDeps): Partial<ServiceImpl<typeof ClientService>> {
  return {};
}
