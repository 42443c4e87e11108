/**
 * What `hakuriver top` shows, kept up to date from the Watch stream: the
 * nodes and the active tasks by id, and which task holds which GPU.
 */
import type { WatchResponse } from "../../gen/hakuriver/v1/client_pb.js";
import type { Gpu, Node, Task, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { isFinal, requestedStatusName, statusEnum, STATUS_NAMES } from "../shared/task-status.js";

/** The statuses top watches: every one that is not final (a task leaves the view when it ends). */
export const TOP_STATUSES: readonly TaskStatus[] = STATUS_NAMES.filter((name) => !isFinal(name)).map(statusEnum);

/** One GPU of a node as top lists it. */
export interface GpuRow {
  readonly node: string;
  readonly gpu: Gpu;
  /** Ids of the active tasks that hold it (usually one; empty = free). */
  readonly taskIds: readonly string[];
}

/** The cluster as the watch has shown it so far. */
export class TopState {
  private readonly nodesByName = new Map<string, Node>();
  private readonly tasksById = new Map<string, Task>();
  /** True once the watch's snapshot is complete: before that the view would show a partial cluster. */
  ready = false;

  /** Applies one Watch message: replaces nodes and tasks by id, drops removed (and ended) tasks. */
  apply(message: WatchResponse): void {
    for (const node of message.nodes) this.nodesByName.set(node.name, node);
    for (const task of message.tasks) {
      const name = requestedStatusName(task.status);
      // A change can carry a task's final state before its removal: it is no longer active.
      if (name !== undefined && isFinal(name)) this.tasksById.delete(task.taskId);
      else this.tasksById.set(task.taskId, task);
    }
    for (const taskId of message.removedTaskIds) this.tasksById.delete(taskId);
    if (message.snapshotComplete) this.ready = true;
  }

  /** Nodes by name. */
  nodes(): Node[] {
    return [...this.nodesByName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Active tasks: those holding a node first (running, paused, assigning), then the queue; newest first within each. */
  tasks(): Task[] {
    return [...this.tasksById.values()].sort((a, b) => queueRank(a) - queueRank(b) || newestFirst(a, b));
  }

  /** Every GPU of every node (the heartbeat's readings when there are any, else what the runner detected at join), with its holders. */
  gpus(): GpuRow[] {
    const holders = new Map<string, string[]>();
    for (const task of this.tasksById.values()) {
      if (!task.assignedNode) continue;
      for (const index of task.gpus) {
        const key = `${task.assignedNode}/${index}`;
        holders.set(key, [...(holders.get(key) ?? []), task.taskId]);
      }
    }
    return this.nodes().flatMap((node) => {
      const gpus = (node.usage?.gpus.length ?? 0) > 0 ? node.usage!.gpus : (node.resources?.gpus ?? []);
      return gpus.map((gpu) => ({ node: node.name, gpu, taskIds: holders.get(`${node.name}/${gpu.index}`) ?? [] }));
    });
  }
}

/** 0 for a task on a node, 1 for one still waiting for a place. */
function queueRank(task: Task): number {
  return requestedStatusName(task.status) === "pending" ? 1 : 0;
}

/** Newest first: task ids are decimal and grow with time. */
function newestFirst(a: Task, b: Task): number {
  return b.taskId.length - a.taskId.length || (a.taskId < b.taskId ? 1 : a.taskId > b.taskId ? -1 : 0);
}
