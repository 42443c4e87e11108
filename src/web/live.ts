/**
 * The live picture of the cluster: one Watch stream for the whole
 * dashboard (a snapshot of tasks and nodes, then every change), kept in
 * plain Maps with a version signal that every page reads, so a change
 * re-renders what shows it and nothing polls. The stream reconnects by
 * itself; each reconnect starts from a fresh snapshot.
 */
import { signal } from "@preact/signals";
import type { Node, Task } from "../../gen/hakuriver/v1/types_pb.js";
import { api, describeError, isAbort } from "./api.js";
import { NodeStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { refusal } from "./session.js";

/** Newest tasks the dashboard keeps (the Host's watch cap is 100,000). */
export const WATCHED_TASKS = 20_000;
/** Seconds of usage history the overview charts show. */
export const HISTORY_SECONDS = 60;

/** Every watched task by id. Read {@link version} first so a change re-renders. */
export const tasks = new Map<string, Task>();
/** Every node by name. */
export const nodes = new Map<string, Node>();
/** Bumped on every applied message. */
export const version = signal(0);
/** "connecting" until the first snapshot is complete, "live" after, "lost" while reconnecting (with the reason). */
export const connection = signal<{ readonly state: "connecting" | "live" | "lost"; readonly reason?: string }>({ state: "connecting" });
/** When the page last applied a change (performance.now()), for the latency benchmark. */
export const lastAppliedAt = signal(0);

/** One usage reading of a node. */
export interface UsagePoint {
  readonly at: number;
  readonly cpuPercent: number;
  readonly memoryPercent: number;
}

/** The last {@link HISTORY_SECONDS} of each node's usage, oldest first. */
export const history = new Map<string, UsagePoint[]>();

function remember(name: string, point: UsagePoint): void {
  const points = history.get(name) ?? [];
  if (points.length > 0 && point.at - points[points.length - 1]!.at < 500) points[points.length - 1] = point;
  else points.push(point);
  const oldest = point.at - HISTORY_SECONDS * 1000;
  while (points.length > 0 && points[0]!.at < oldest) points.shift();
  history.set(name, points);
}

function recordUsage(node: Node, at: number): void {
  if (node.status !== NodeStatus.ONLINE || !node.usage) return;
  const total = Number(node.usage.memoryTotalBytes);
  remember(node.name, { at, cpuPercent: node.usage.cpuPercent, memoryPercent: total > 0 ? (Number(node.usage.memoryUsedBytes) / total) * 100 : 0 });
}

async function seedHistory(signal: AbortSignal): Promise<void> {
  const health = await api.health({}, { signal });
  for (const sample of health.history) {
    const at = sample.at ? Number(sample.at.seconds) * 1000 + Math.floor(sample.at.nanos / 1e6) : Date.now();
    for (const node of sample.nodes) {
      if (node.status === NodeStatus.ONLINE) remember(node.name, { at, cpuPercent: node.cpuPercent, memoryPercent: node.memoryPercent });
    }
  }
}

async function watchOnce(signal: AbortSignal): Promise<void> {
  let fresh = true;
  for await (const message of api.watch({ tasks: true, nodes: true, taskFilter: { limit: WATCHED_TASKS } }, { signal })) {
    if (message.snapshot && fresh) {
      tasks.clear();
      nodes.clear();
      fresh = false;
    }
    const now = Date.now();
    for (const task of message.tasks) tasks.set(task.taskId, task);
    for (const id of message.removedTaskIds) tasks.delete(id);
    for (const node of message.nodes) {
      nodes.set(node.name, node);
      recordUsage(node, now);
    }
    if (message.snapshotComplete) connection.value = { state: "live" };
    if (!message.snapshot || message.snapshotComplete) {
      version.value += 1;
      lastAppliedAt.value = performance.now();
    }
  }
}

let running: AbortController | undefined;

/** Starts (or restarts, after a new token) the watch; retries with a growing pause after it breaks. */
export function startWatching(): void {
  running?.abort();
  const controller = new AbortController();
  running = controller;
  void (async () => {
    let pauseMs = 500;
    seedHistory(controller.signal).catch((error: unknown) => {
      if (!isAbort(error)) console.warn("usage history unavailable:", describeError(error));
    });
    while (!controller.signal.aborted) {
      try {
        await watchOnce(controller.signal);
        pauseMs = 500;
      } catch (error) {
        if (controller.signal.aborted) return;
        connection.value = { state: "lost", reason: describeError(error) };
        if (refusal.peek() !== "") return;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, 5000);
    }
  })();
}

/** Stops the watch (signing out). */
export function stopWatching(): void {
  running?.abort();
  running = undefined;
}
