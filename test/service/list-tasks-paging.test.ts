/**
 * ListTasks pages: keyset paging by task id, newest first, with an opaque
 * page token; a page holds at most 1,000 tasks.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { inMemoryHost, type InMemoryHost } from "../helpers/in-memory-host.js";

let host: InMemoryHost;
let batchId = "";
let submitted: string[] = [];

before(async () => {
  host = await inMemoryHost();
  const response = await host.client.submitTask({ command: "echo", args: ["span:{1..2500}"], sweep: true, cores: 0 });
  batchId = response.batchId;
  submitted = response.tasks.map((t) => t.taskId);
});

after(async () => {
  await host.close();
});

const newestFirst = (ids: readonly string[]) => [...ids].sort((a, b) => Number(BigInt(b) - BigInt(a)));

test("2,500 tasks in pages of 1,000: three pages, newest first, no duplicates or gaps, no token after the last", async () => {
  const pages: string[][] = [];
  let pageToken = "";
  do {
    const page = await host.client.listTasks({ batchId, limit: 1000, pageToken });
    pages.push(page.tasks.map((t) => t.taskId));
    pageToken = page.nextPageToken;
    // A task submitted between pages is newer than every listed one: it never shifts a later page.
    if (pages.length === 1) await host.client.submitTask({ command: "true", cores: 0 });
  } while (pageToken !== "" && pages.length < 10);
  assert.deepEqual(pages.map((p) => p.length), [1000, 1000, 500]);
  assert.deepEqual(pages.flat(), newestFirst(submitted));
});

test("a limit of 0 gives pages of 200; a limit over 1,000 gives pages of 1,000", async () => {
  const first = await host.client.listTasks({ batchId });
  assert.equal(first.tasks.length, 200);
  assert.notEqual(first.nextPageToken, "");
  const second = await host.client.listTasks({ batchId, pageToken: first.nextPageToken });
  assert.deepEqual([...first.tasks, ...second.tasks].map((t) => t.taskId), newestFirst(submitted).slice(0, 400));
  const big = await host.client.listTasks({ batchId, limit: 100_000 });
  assert.equal(big.tasks.length, 1000);
  assert.notEqual(big.nextPageToken, "");
});

test("a list that fits one page has no next page token", async () => {
  const page = await host.client.listTasks({ batchId, limit: 1000, owner: "nobody" });
  assert.deepEqual([page.tasks.length, page.nextPageToken], [0, ""]);
  const exact = await host.client.listTasks({ batchId, limit: 1000, pageToken: (await host.client.listTasks({ batchId, limit: 1000 })).nextPageToken });
  const last = await host.client.listTasks({ batchId, limit: 1000, pageToken: exact.nextPageToken });
  assert.deepEqual([last.tasks.length, last.nextPageToken], [500, ""]);
});

test("a page token this Host did not give out is INVALID_ARGUMENT and says what to pass", async () => {
  const { nextPageToken } = await host.client.listTasks({ batchId, limit: 10 });
  for (const pageToken of ["garbage!", "Z2FyYmFnZQ", nextPageToken.slice(0, -2), Buffer.from("v1:-5").toString("base64url"), Buffer.from("v1:12abc").toString("base64url")]) {
    const error = await host.client.listTasks({ batchId, pageToken }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    assert.ok(error, `token ${pageToken} was accepted`);
    assert.equal(error.code, Code.InvalidArgument, pageToken);
    assert.match(error.rawMessage, /next_page_token/);
  }
});
