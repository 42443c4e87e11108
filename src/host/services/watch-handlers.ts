/**
 * The Watch RPC of ClientService (placeholder until the watch lands).
 */
import type { ServiceImpl } from "@connectrpc/connect";
import type { ClientService } from "../../../gen/hakuriver/v1/client_pb.js";
import { DomainError } from "../../shared/errors.js";

/** The watch RPC. */
export type WatchHandlers = Pick<ServiceImpl<typeof ClientService>, "watch">;

/** Creates the watch RPC. */
export function watchHandlers(): WatchHandlers {
  return {
    async *watch() {
      throw new DomainError("unavailable", "Watch is not built yet");
    },
  };
}
