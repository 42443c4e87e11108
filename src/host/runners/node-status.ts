/**
 * Node statuses, named the way task statuses are (a union and one table),
 * and their one mapping to the wire's NodeStatus.
 *
 * | status       | meaning                                                         | wire    |
 * |--------------|-----------------------------------------------------------------|---------|
 * | connected    | its runner holds a control stream; placement may use the node  | ONLINE  |
 * | disconnected | the stream is gone, the heartbeat timeout has not passed: its   | OFFLINE |
 * |              | tasks are kept, and a reconnecting runner reconciles them       |         |
 * | lost         | no heartbeat for interval × factor: its active tasks are `lost` | OFFLINE |
 *
 *   connected ──stream ends──▶ disconnected ──timeout──▶ lost
 *       ▲                          │                       │
 *       └──────── hello ───────────┴───────────────────────┘
 *
 * A node a restarted Host loads from its database starts disconnected; the
 * timeout counts from the Host's start.
 */
import { NodeStatus } from "../../../gen/hakuriver/v1/types_pb.js";

/** A node's status on the Host. */
export type NodeStatusName = "connected" | "disconnected" | "lost";

const WIRE: Record<NodeStatusName, NodeStatus> = {
  connected: NodeStatus.ONLINE,
  disconnected: NodeStatus.OFFLINE,
  lost: NodeStatus.OFFLINE,
};

/** The wire enum of a node status (ONLINE only while connected). */
export function nodeStatusEnum(status: NodeStatusName): NodeStatus {
  return WIRE[status];
}
