/**
 * Which file registers which top-level command, so a command line loads only
 * the file of its own command: `hakuriver task status 7` never loads the
 * code of `docker`, `ssh` or `top`, and `hakuriver --version` none of them.
 * A line whose command is not known here (no command, a typo, `--help` of the
 * whole CLI, the shell asking for completions) registers them all, in this
 * order, which is the order of the top-level help.
 */
import type { Argv } from "yargs";
import type { GlobalArgs } from "./context.js";

/** The runner a command's handler is wrapped in (see runCli in src/main.ts). */
export type RunHandler = (fn: () => Promise<number>) => Promise<void>;

/** Registers a file's commands on the parser. */
type Register = (y: Argv<GlobalArgs>, run: RunHandler) => Argv<GlobalArgs>;

/** A command file: the top-level words it registers, and how to load its register function. */
interface CommandModule {
  readonly words: readonly string[];
  readonly load: () => Promise<Register>;
}

/** Every command file, in the order of the top-level help. */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { words: ["host", "runner"], load: async () => (await import("./commands/servers.js")).serverCommands },
  { words: ["task"], load: async () => (await import("./commands/task.js")).taskCommands },
  { words: ["vps"], load: async () => (await import("./commands/vps.js")).vpsCommands },
  { words: ["ssh", "ssh-proxy", "ssh-config"], load: async () => (await import("./commands/ssh.js")).sshCommands },
  { words: ["forward"], load: async () => (await import("./commands/forward.js")).forwardCommand },
  { words: ["exec"], load: async () => (await import("./commands/exec.js")).execCommand },
  { words: ["logs"], load: async () => (await import("./commands/logs.js")).logsCommand },
  { words: ["nodes", "health", "node"], load: async () => (await import("./commands/nodes.js")).nodeCommands },
  { words: ["docker"], load: async () => (await import("./commands/docker.js")).dockerCommands },
  { words: ["init"], load: async () => (await import("./commands/init.js")).initCommands },
  { words: ["login", "logout", "whoami"], load: async () => (await import("./commands/auth.js")).authCommands },
  { words: ["user"], load: async () => (await import("./commands/users.js")).userCommands },
  { words: ["token"], load: async () => (await import("./commands/tokens.js")).tokenCommands },
  { words: ["key"], load: async () => (await import("./commands/keys.js")).keyCommands },
  { words: ["audit"], load: async () => (await import("./commands/audit.js")).auditCommand },
  { words: ["top"], load: async () => (await import("./commands/top.js")).topCommand },
];

/** Commands src/main.ts registers itself; a line naming one of them needs no command file. */
const OWN_COMMANDS = new Set(["completion", "help"]);

/** Global options that take a value (the word after them is no command). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(["--config", "--host", "--ca", "--tls-fingerprint"]);

/** The first word of `argv` that is no option nor a global option's value, if any. */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") return undefined;
    if (word.startsWith("-")) {
      if (GLOBAL_OPTIONS_WITH_VALUE.has(word)) i++;
      continue;
    }
    return word;
  }
  return undefined;
}

/**
 * The command files the line `argv` needs: the one registering its command;
 * none for `--version` alone or a command of main.ts's own; else all.
 */
export function modulesFor(argv: readonly string[]): readonly CommandModule[] {
  if (argv.includes("--get-yargs-completions")) return COMMAND_MODULES;
  const word = commandWord(argv);
  if (word === undefined) return argv.includes("--version") && !argv.includes("--help") && !argv.includes("-h") ? [] : COMMAND_MODULES;
  if (OWN_COMMANDS.has(word)) return [];
  const owner = COMMAND_MODULES.find((m) => m.words.includes(word));
  return owner ? [owner] : COMMAND_MODULES;
}

/** Loads and registers the command files the line `argv` needs (see {@link modulesFor}). */
export async function registerCommands(parser: Argv<GlobalArgs>, run: RunHandler, argv: readonly string[]): Promise<void> {
  const registers = await Promise.all(modulesFor(argv).map((m) => m.load()));
  for (const register of registers) register(parser, run);
}
