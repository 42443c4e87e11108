/**
 * systemd unit files for the Host and the Runner (`hakuriver init service`).
 */
import { dirname } from "node:path";
import { UsageError } from "./cli-error.js";

/** What a unit needs to start HakuRiver the same way this shell would. */
export interface UnitInput {
  readonly role: "host" | "runner";
  /** Absolute path of the node binary. */
  readonly node: string;
  /** Absolute path of the hakuriver CLI entry. */
  readonly cli: string;
  /** Absolute path of the config file, or undefined for the default lookup. */
  readonly config: string | undefined;
  readonly workingDirectory: string;
  readonly path: string;
}

function quote(arg: string): string {
  // systemd's ExecStart splits on spaces and understands double quotes.
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, "\\$1")}"`;
}

/** The unit file text for one role. */
export function renderUnit(input: UnitInput): string {
  const exec = [input.node, input.cli, input.role, ...(input.config ? ["--config", input.config] : [])].map(quote).join(" ");
  const what = input.role === "host" ? "HakuRiver Host (API, scheduler, SSH proxy)" : "HakuRiver Runner (executes tasks on this node)";
  return [
    "[Unit]",
    `Description=${what}`,
    "After=network-online.target" + (input.role === "runner" ? " docker.service" : ""),
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `WorkingDirectory=${input.workingDirectory}`,
    `Environment=${quote(`PATH=${input.path}`)}`,
    `ExecStart=${exec}`,
    "Restart=on-failure",
    "RestartSec=5",
    // The runner's task containers outlive it; only its own process is stopped.
    ...(input.role === "runner" ? ["KillMode=process"] : []),
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** What `stableUnitPaths` reads from the machine (injected so tests need no npx cache). */
export interface UnitPathProbes {
  /** The real path of `path` (symlinks resolved), or undefined when it does not exist. */
  readonly realpath: (path: string) => string | undefined;
  /** The machine's temp dir (`os.tmpdir()`). */
  readonly tmpDir: string;
}

/** The paths a unit names: the CLI entry, the node binary, and the service's PATH. */
export interface StableUnitPaths {
  readonly cli: string;
  readonly node: string;
  readonly path: string;
}

/** Why a path cannot go into a unit file, or undefined when it is stable. */
export function unstableReason(path: string, tmpDir: string): string | undefined {
  if (path.includes("/_npx/")) return "is in npx's cache, which npm may clear at any time";
  const tmp = tmpDir.replace(/\/+$/, "");
  if (path === tmp || path.startsWith(`${tmp}/`)) return "is under a temp dir";
  return undefined;
}

/**
 * The CLI entry, node binary and PATH for a unit, wherever the command was
 * started from: never a path under npx's cache or a temp dir, so the unit
 * still starts after npm clears its cache or the machine reboots.
 * `runningCli` is this process's entry script; when it is not stable, the
 * `hakuriver` on the (filtered) PATH is used instead. PATH keeps the caller's
 * stable entries (npx's `node_modules/.bin` folders dropped) and starts with
 * the node binary's folder, so `#!/usr/bin/env node` finds the same node.
 * @throws UnstablePathError when no stable CLI or node binary can be named.
 */
export function stableUnitPaths(runningCli: string, execPath: string, pathEnv: string, probes: UnitPathProbes): StableUnitPaths {
  // process.execPath as it is (a versioned install's symlink keeps working across upgrades), unless it or its target is unstable.
  const node = execPath;
  const nodeProblem = unstableReason(node, probes.tmpDir) ?? unstableReason(probes.realpath(execPath) ?? execPath, probes.tmpDir);
  if (nodeProblem) throw new UnstablePathError(`the node binary ${node} ${nodeProblem}; run hakuriver init service with an installed node`);
  const entries = pathEnv.split(":").filter((dir) => dir.startsWith("/") && !dir.includes("/node_modules/.bin") && unstableReason(dir, probes.tmpDir) === undefined);
  const path = [...new Set([dirname(node), ...entries])].join(":");
  const running = probes.realpath(runningCli) ?? runningCli;
  const runningProblem = unstableReason(running, probes.tmpDir);
  if (!runningProblem) return { cli: running, node, path };
  for (const dir of entries) {
    const found = probes.realpath(`${dir}/hakuriver`);
    if (found && unstableReason(found, probes.tmpDir) === undefined) return { cli: found, node, path };
  }
  throw new UnstablePathError(
    `this hakuriver (${running}) ${runningProblem}, and no installed hakuriver is on PATH: install it first (bash .ci/setup.sh in a clone puts it in /usr/local/bin), then run hakuriver init service`,
  );
}

/** No stable path could be named for a unit (the message says which and what to do). */
export class UnstablePathError extends UsageError {}
