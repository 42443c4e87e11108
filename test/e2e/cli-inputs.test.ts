/**
 * End to end, the CLI as a user types it: values yargs used to misread
 * (`--memory -5G`), cores in use printed cleanly, and start-up database
 * errors that name the file.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TestCluster, runCli, submittedIds, waitUntil } from "../helpers/cluster.js";

const cluster = new TestCluster();
before(async () => {
  await cluster.startHost();
  await cluster.startRunner("inputs");
});
after(() => cluster.cleanup());

test("--memory -5G says what a size looks like, for task and vps submit", async () => {
  for (const args of [["task", "submit", "--memory", "-5G", "--", "true"], ["vps", "submit", "--memory", "-5G"], ["task", "submit", "--memory=-1.5G", "--", "true"], ["task", "submit", "--memory", "lots", "--", "true"]]) {
    const result = await cluster.cli(args);
    const value = args.find((a) => a.includes("-5G") || a.includes("lots") || a.includes("-1.5G"))!.replace("--memory=", "");
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`--memory must be a size like 512M or 4G, got ${value.replace(".", "\\.")}`), args.join(" "));
    assert.doesNotMatch(result.stderr, /Unknown arguments/);
  }
});

test("words after -- reach the task untouched, --memory -5 included", async () => {
  const result = await cluster.cli(["task", "submit", "--wait", "--json", "--container", "NULL", "--target", "inputs", "--memory", "64M", "--", "echo", "--memory", "-5"]);
  assert.equal(result.code, 0, result.stderr);
  const logs = await cluster.cli(["logs", submittedIds(result.stdout)[0]!]);
  assert.equal(logs.stdout, "--memory -5\n");
});

test("hakuriver nodes prints a sum of fractional cores cleanly (0.3, not 0.30000000000000004)", async () => {
  const ids: string[] = [];
  for (const cores of ["0.1", "0.2"]) {
    const result = await cluster.cli(["task", "submit", "--json", "--container", "NULL", "--target", "inputs", "--cores", cores, "--", "sleep", "60"]);
    assert.equal(result.code, 0, result.stderr);
    ids.push(...submittedIds(result.stdout));
  }
  let printed = "";
  await waitUntil(async () => {
    printed = (await cluster.cli(["nodes"])).stdout;
    return /inputs\s+online\s+0\.3\/\d+\s/.test(printed);
  }, 15_000, () => `nodes printed:\n${printed}`);
  assert.doesNotMatch(printed, /\d\.\d{3,}/);
  const json = JSON.parse((await cluster.cli(["nodes", "--json"])).stdout) as { name: string; coresInUse: number }[];
  assert.equal(json.find((n) => n.name === "inputs")?.coresInUse, 0.3);
  for (const id of ids) await cluster.cli(["task", "kill", id]);
});

test("a database path that cannot be opened is named in the start-up error", async () => {
  const dir = join(cluster.dir, "bad-dbs");
  mkdirSync(join(dir, "a-directory.db"), { recursive: true });
  writeFileSync(join(dir, "a-file"), "");
  writeFileSync(join(dir, "not-a-database.db"), "this is not an SQLite file, just some text long enough to be read\n".repeat(4));
  for (const db of [join(dir, "a-directory.db"), join(dir, "a-file", "x.db"), join(dir, "not-a-database.db")]) {
    const result = await runCli(["host", "--bind", "127.0.0.1", "--port", "0", "--ssh-proxy-port", "0", "--db", db, "--shared-dir", cluster.sharedDir], cluster.env, undefined, 20_000);
    assert.notEqual(result.code, 0, `host started with --db ${db}`);
    assert.ok(result.stderr.includes(`cannot open the database ${db}`), `--db ${db}: ${result.stderr}`);
  }
});
