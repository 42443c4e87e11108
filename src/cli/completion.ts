/**
 * Shell completion (`hakuriver completion` prints yargs's bash or zsh
 * script; the shell then runs `hakuriver --get-yargs-completions WORDS...`
 * at each TAB). Commands and options complete from the command tree as
 * yargs knows it; a task id where a command takes one (`task status`,
 * `task kill`, `logs`, `vps ssh`...) completes from the Host's newest
 * tasks, when the Host answers within 300 ms. Completion never prints an
 * error and never hangs the shell: a Host that is slow, away or refuses
 * the credential gives no ids.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import type { ClientService, ListTasksRequestSchema } from "../../gen/hakuriver/v1/client_pb.js";
import { TaskKind, TaskStatus, type Task } from "../../gen/hakuriver/v1/types_pb.js";
import { ENVIRONMENT_ONLY } from "../shared/config-schema.js";
import { clientContext, type ClientContext, type GlobalArgs } from "./context.js";
import { commandLine, statusText } from "./render.js";

/** How long completion waits for the Host before it offers no ids (HAKURIVER_COMPLETION_TIMEOUT_MS overrides it, for a slow link). */
export const TASK_ID_COMPLETION_TIMEOUT_MS = 300;

/** The wait for the Host: the environment's, when it is a positive number of ms, else the default. */
export function completionTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env[ENVIRONMENT_ONLY.completionTimeout.name]);
  return Number.isFinite(value) && value > 0 ? value : TASK_ID_COMPLETION_TIMEOUT_MS;
}
/** Ids offered at most (the newest). */
const MAX_IDS = 100;

type IdQuery = Pick<MessageInitShape<typeof ListTasksRequestSchema>, "kind" | "statuses">;
const ACTIVE = [TaskStatus.PENDING, TaskStatus.ASSIGNING, TaskStatus.RUNNING, TaskStatus.PAUSED];

/** The commands whose first positional is a task id, and which tasks make sense there. */
const TASK_ID_SLOTS: ReadonlyMap<string, IdQuery> = new Map([
  ["task status", { kind: TaskKind.COMMAND }],
  ["task kill", { kind: TaskKind.COMMAND, statuses: ACTIVE }],
  ["task pause", { kind: TaskKind.COMMAND, statuses: [TaskStatus.RUNNING] }],
  ["task resume", { kind: TaskKind.COMMAND, statuses: [TaskStatus.PAUSED] }],
  ["logs", {}],
  ["vps status", { kind: TaskKind.VPS }],
  ["vps kill", { kind: TaskKind.VPS, statuses: [...ACTIVE, TaskStatus.STOPPED] }],
  ["vps pause", { kind: TaskKind.VPS, statuses: [TaskStatus.RUNNING] }],
  ["vps resume", { kind: TaskKind.VPS, statuses: [TaskStatus.PAUSED] }],
  ["vps stop", { kind: TaskKind.VPS, statuses: [TaskStatus.RUNNING, TaskStatus.PAUSED] }],
  ["vps start", { kind: TaskKind.VPS, statuses: [TaskStatus.STOPPED] }],
  ["vps restart", { kind: TaskKind.VPS, statuses: [TaskStatus.RUNNING, TaskStatus.PAUSED, TaskStatus.STOPPED] }],
  ["vps snapshot", { kind: TaskKind.VPS, statuses: [TaskStatus.RUNNING, TaskStatus.PAUSED, TaskStatus.STOPPED] }],
  ["ssh", { kind: TaskKind.VPS, statuses: [TaskStatus.RUNNING] }],
]);

/**
 * Which tasks to offer for the word being completed, or undefined when it
 * is not a task id. `words` are the positional words of the line (the
 * program's name first, as the shell passes them), `current` the word under
 * the cursor.
 */
export function taskIdSlot(words: readonly string[], current: string): IdQuery | undefined {
  if (current.startsWith("-")) return undefined;
  const typed = words.slice(1);
  // The word under the cursor is the last positional unless it is empty and the parser dropped it.
  if (typed.length > 0 && typed.at(-1) === current) typed.pop();
  return TASK_ID_SLOTS.get(typed.join(" "));
}

/** Whether the shell asking is zsh (as yargs decides it), whose completions carry a description after a colon. */
function zshAsking(): boolean {
  return /zsh/.test(process.env.SHELL ?? "") || /zsh/.test(process.env.ZSH_NAME ?? "");
}

/** One completion for a task: its id (with its status and command for zsh, which shows them). */
function taskCompletion(task: Task, zsh: boolean): string {
  if (!zsh) return task.taskId;
  return `${task.taskId}:${statusText(task.status)} ${commandLine(task)}`.replace(/\s+/g, " ");
}

/**
 * The ids of the newest tasks `query` matches, or none when the Host does
 * not answer within `timeoutMs` (the call is abandoned; nothing waits on it).
 */
export async function taskIdCompletions(client: Client<typeof ClientService>, query: IdQuery, timeoutMs = TASK_ID_COMPLETION_TIMEOUT_MS, zsh = false): Promise<string[]> {
  const abandon = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  const answer = client
    .listTasks({ ...query, limit: MAX_IDS }, { signal: abandon.signal, timeoutMs })
    .then((response) => response.tasks.map((task) => taskCompletion(task, zsh)))
    // Completion output goes into the user's command line: an error can only be dropped here.
    .catch(() => []);
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
    abandon.abort();
  }
}

/**
 * yargs's custom completion (the four-argument form): task ids where a
 * command takes one, else yargs's own completion of commands and options.
 */
export function completeLine(current: string, argv: GlobalArgs & { _: (string | number)[] }, yargsCompletion: () => void, done: (completions: string[]) => void): void {
  const query = taskIdSlot(argv._.map(String), current);
  if (!query) {
    yargsCompletion();
    return;
  }
  void completeTaskIds(argv, query).then(done);
}

async function completeTaskIds(args: GlobalArgs, query: IdQuery): Promise<string[]> {
  let ctx: ClientContext;
  try {
    ctx = clientContext(args);
  } catch {
    // No config, no Host address, an unreadable credential: nothing to offer, and nothing to print into a command line.
    return [];
  }
  try {
    return await taskIdCompletions(ctx.client, query, completionTimeoutMs(), zshAsking());
  } finally {
    ctx.close();
  }
}
