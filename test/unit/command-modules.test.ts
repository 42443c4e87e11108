/**
 * The table of command files (src/cli/command-modules.ts): each file's words
 * are exactly the top-level commands it registers, and a line picks the file
 * of its command (all of them when it names none it knows).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import yargs from "yargs";
import { COMMAND_MODULES, commandWord, modulesFor } from "../../src/cli/command-modules.js";

/** The top-level command words `register` adds to a fresh parser. */
async function wordsRegisteredBy(module: (typeof COMMAND_MODULES)[number]): Promise<string[]> {
  const parser = yargs([]);
  (await module.load())(parser, async () => {});
  const internal = parser as unknown as { getInternalMethods(): { getCommandInstance(): { getCommands(): string[] } } };
  return internal.getInternalMethods().getCommandInstance().getCommands();
}

test("each command file's words are the top-level commands it registers", async () => {
  for (const module of COMMAND_MODULES) {
    assert.deepEqual((await wordsRegisteredBy(module)).sort(), [...module.words].sort());
  }
});

test("a line loads the file of its command; --version none; --help, a typo or completion all", () => {
  const names = (argv: string[]) => modulesFor(argv).map((m) => m.words[0]);
  assert.deepEqual(names(["task", "status", "7"]), ["task"]);
  assert.deepEqual(names(["--host", "10.0.0.1:8000", "--json", "nodes"]), ["nodes"]);
  assert.deepEqual(names(["ssh-config", "7"]), ["ssh"]);
  assert.deepEqual(names(["--version"]), []);
  assert.deepEqual(names(["help", "task"]), []);
  assert.equal(names(["--help"]).length, COMMAND_MODULES.length);
  assert.equal(names(["tsak", "list"]).length, COMMAND_MODULES.length);
  assert.equal(names([]).length, COMMAND_MODULES.length);
  assert.equal(names(["--get-yargs-completions", "task", ""]).length, COMMAND_MODULES.length);
  assert.equal(commandWord(["--config", "task", "vps"]), "vps");
  assert.equal(commandWord(["--", "task"]), undefined);
});
