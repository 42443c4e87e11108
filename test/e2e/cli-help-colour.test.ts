/**
 * What a person reads at a terminal, as typed: every command's offline
 * help (walked from `hakuriver --help` down, each exits 0 with its
 * description and examples whose options exist), `hakuriver help COMMAND`,
 * and status colours in tables only on a terminal without NO_COLOR, never
 * in `--json` (a terminal made with `script`, against a real Host).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CLI, TestCluster, runCli } from "../helpers/cluster.js";

const NO_HOST = { HAKURIVER_HOST: "127.0.0.1:1" };

/** Commands a help text lists: [path words, description]. */
function listedCommands(help: string): [string[], string][] {
  const section = help.split("\n\n").find((part) => part.startsWith("Commands:"));
  if (!section) return [];
  const found: [string[], string][] = [];
  for (const line of section.split("\n").slice(1)) {
    const match = /^ {2}hakuriver ((?:[a-z][\w-]* ?)+?)(?: [<[].*?)?\s{2,}(\S.*)$/.exec(line);
    if (match) found.push([match[1]!.trim().split(" "), match[2]!]);
  }
  return found;
}

/** The option words (`--name`) an example line uses before its `--`. */
function optionsOf(example: string): string[] {
  const beforeDashes = example.split(" -- ")[0]!;
  return [...beforeDashes.matchAll(/ (--[a-z][\w-]*)/g)].map((m) => m[1]!.replace(/^--no-/, "--"));
}

test("every command and subcommand has --help that exits 0 with its description and examples using real options", async () => {
  const top = await runCli(["--help"], NO_HOST);
  assert.equal(top.code, 0, top.stderr);
  const queue = listedCommands(top.stdout);
  assert.ok(queue.length >= 15, `top-level commands: ${queue.map(([p]) => p.join(" ")).join(", ")}`);
  const seen: string[] = [];
  const checkOne = async ([path, description]: [string[], string]): Promise<[string[], string][]> => {
    const help = await runCli([...path, "--help"], NO_HOST);
    const name = path.join(" ");
    seen.push(name);
    assert.equal(help.code, 0, `${name} --help: ${help.stderr}`);
    assert.equal(help.stderr, "", `${name} --help wrote to stderr`);
    assert.ok(help.stdout.includes(description.split(" ").slice(0, 4).join(" ")), `${name} --help lacks its description "${description}":\n${help.stdout}`);
    const examples = help.stdout.split("Examples:\n")[1];
    assert.ok(examples, `${name} --help has no examples:\n${help.stdout}`);
    for (const line of examples.split("\n").filter((l) => l.startsWith("  hakuriver "))) {
      for (const option of optionsOf(line)) {
        assert.ok(help.stdout.includes(`${option} `) || help.stdout.includes(`${option}\n`), `${name}: example "${line.trim()}" uses ${option}, which ${name} --help does not list`);
      }
    }
    return listedCommands(help.stdout).filter(([childPath]) => childPath.length > path.length);
  };
  while (queue.length > 0) {
    const level = queue.splice(0, 6);
    for (const children of await Promise.all(level.map(checkOne))) queue.push(...children);
  }
  for (const expected of ["task submit", "vps submit", "docker create-tar", "node drain", "user set-role", "token revoke", "init service", "help"]) {
    assert.ok(seen.includes(expected), `${expected} was not reached from hakuriver --help; reached: ${seen.join(", ")}`);
  }
});

test("hakuriver help COMMAND prints that command's help; an unknown one is a one-line usage error", async () => {
  const viaHelp = await runCli(["help", "task", "submit"], NO_HOST);
  const viaFlag = await runCli(["task", "submit", "--help"], NO_HOST);
  assert.equal(viaHelp.code, 0, viaHelp.stderr);
  assert.equal(viaHelp.stdout, viaFlag.stdout);
  assert.match(viaHelp.stdout, /Examples:\n {2}hakuriver task submit --wait -- echo hello/);
  const unknown = await runCli(["help", "nosuch"], NO_HOST);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, "");
  assert.equal(unknown.stderr, 'error: unknown command "nosuch" (see hakuriver --help)\n');
});

const cluster = new TestCluster();
before(async () => {
  await cluster.startHost();
  await cluster.startRunner("painter");
  const done = await cluster.cli(["task", "submit", "--wait", "--container", "NULL", "--", "true"]);
  assert.equal(done.code, 0, done.stderr);
});
after(() => cluster.cleanup());

const ESC = "\u001b[";

/** Runs the CLI with stdout on a terminal (`script`), with extra environment. */
async function inTerminal(args: string[], env: Record<string, string | undefined>): Promise<string> {
  const line = [process.execPath, CLI, ...args].map((w) => `'${w}'`).join(" ");
  const merged: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm-256color", ...cluster.cliEnv(), ...env, COLUMNS: "200" };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  const { stdout } = await promisify(execFile)("script", ["-qec", line, "/dev/null"], { env: merged });
  return stdout;
}

test("on a terminal, status words in tables are coloured and columns still line up", async () => {
  const tasks = await inTerminal(["task", "list"], { NO_COLOR: undefined });
  assert.ok(tasks.includes(`${ESC}32mcompleted${ESC}39m`), `no green "completed" in:\n${JSON.stringify(tasks)}`);
  const nodes = await inTerminal(["nodes"], { NO_COLOR: undefined });
  assert.ok(nodes.includes(`${ESC}32monline${ESC}39m`), `no green "online" in:\n${JSON.stringify(nodes)}`);
  const plain = tasks.replace(/\u001b\[\d+m/g, "").split(/\r?\n/).filter((l) => l !== "");
  const [header, row] = plain;
  assert.equal(header!.indexOf("NODE"), row!.indexOf("painter"), `columns misaligned:\n${plain.join("\n")}`);
});

test("a terminal without TERM is still coloured; TERM=dumb, NO_COLOR, --json and a pipe print no colour", async () => {
  assert.ok((await inTerminal(["task", "list"], { NO_COLOR: undefined, TERM: undefined })).includes(`${ESC}32mcompleted`), "unset TERM lost colour");
  assert.ok(!(await inTerminal(["task", "list"], { NO_COLOR: undefined, TERM: "dumb" })).includes(ESC), "TERM=dumb still coloured");
  assert.ok(!(await inTerminal(["task", "list"], { NO_COLOR: "1" })).includes(ESC), "NO_COLOR=1 still coloured");
  assert.ok(!(await inTerminal(["task", "list", "--json"], { NO_COLOR: undefined })).includes(ESC), "--json coloured");
  const piped = await cluster.cli(["task", "list"]);
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stdout, /completed/);
  assert.ok(!piped.stdout.includes(ESC), "a pipe got colour");
});
