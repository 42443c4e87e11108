/**
 * Every task a ListTasks filter matches, page after page (a page holds at
 * most 1,000), newest first.
 */
import type { Client } from "@connectrpc/connect";
import type { ClientService } from "../../gen/hakuriver/v1/client_pb.js";
import type { Task, TaskKind, TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";

/** The filter fields of a ListTasksRequest. */
export interface ListFilter {
  readonly kind?: TaskKind;
  readonly batchId?: string;
  readonly statuses?: TaskStatus[];
  readonly node?: string;
  readonly owner?: string;
  readonly mine?: boolean;
}

/** Lists all matching tasks by following next_page_token. */
export async function listAllTasks(client: Client<typeof ClientService>, request: ListFilter = {}): Promise<Task[]> {
  const all: Task[] = [];
  let pageToken = "";
  do {
    const page = await client.listTasks({ ...request, limit: 1000, pageToken });
    all.push(...page.tasks);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return all;
}
