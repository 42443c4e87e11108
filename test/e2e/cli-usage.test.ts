/**
 * Usage errors as a user types them: exactly one line on stderr, exit code
 * 2, and a hint (the `--` a task's own options need).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cluster.js";

const HOST = { HAKURIVER_HOST: "127.0.0.1:1" };

async function usageError(args: string[]): Promise<string> {
  const result = await runCli(args, HOST);
  assert.equal(result.code, 2, `hakuriver ${args.join(" ")}: ${result.stderr}`);
  assert.equal(result.stdout, "");
  const lines = result.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `one line, got: ${result.stderr}`);
  assert.match(lines[0]!, /^error: /);
  return lines[0]!;
}

test("task submit with the command's options but no -- says to put -- before the command", async () => {
  const line = await usageError(["task", "submit", "--wait", "ls", "-la"]);
  assert.equal(line, "error: unknown options l, a: put -- before the command, as in: hakuriver task submit --wait -- ls -la");
  const withValue = await usageError(["task", "submit", "--container", "NULL", "ls", "--color"]);
  assert.match(withValue, /as in: hakuriver task submit --container NULL -- ls --color$/);
});

test("other usage errors are one line that names the command's --help", async () => {
  assert.match(await usageError(["user", "add", "bob"]), /Missing required argument: role \(see hakuriver user add --help\)$/);
  assert.match(await usageError(["task"]), /name a task command.*\(see hakuriver task --help\)$/);
  assert.match(await usageError(["task", "list", "--bogus"]), /Unknown argument: bogus/);
  assert.match(await usageError(["tsk"]), /unknown command "tsk": did you mean task\?/);
});
