/**
 * A command beside a running native task: a process in the task's own
 * cgroups (so its limits cover the exec too), started in the task's working
 * directory with the task's environment, both read from the task's main
 * process in /proc. With a TTY it runs under util-linux `script`, which
 * gives it a pseudo-terminal; the terminal's size is set before the
 * command starts (`stty` inside it) and on each resize (`stty -F` on its
 * pty, which signals SIGWINCH to the command).
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { constants } from "node:os";
import { promisify } from "node:util";
import type { CgroupLayout } from "../limits/cgroup-layout.js";
import { joinCgroupArgv, taskCgroupName } from "../limits/cgroups.js";
import { ExecStartError, type ExecEnd, type ExecProcess, type ExecSink, type ExecSpec } from "./exec-process.js";
import { processTree, signalTree } from "./process-tree.js";

const run = promisify(execFile);

/** One word for `sh`, single-quoted (`'` as `'\\''`). */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The environment of a live process, from /proc/PID/environ. */
function environmentOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const at = entry.indexOf("=");
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

/** The procs files of the task's cgroups that exist now (none when it runs without one). */
export function taskProcsFiles(taskId: string, layout: CgroupLayout): string[] {
  const parents = [...new Set([layout.v2, layout.v1Cpu, layout.v1Memory].filter((dir): dir is string => dir !== undefined))];
  return parents.map((parent) => join(parent, taskCgroupName(taskId), "cgroup.procs")).filter((file) => existsSync(file));
}

/** uid and gid of `user` ("name", "uid", "name:group", "uid:gid") from /etc/passwd and /etc/group. */
export function resolveUser(user: string, passwd = "/etc/passwd", group = "/etc/group"): { uid: number; gid: number } {
  const [who = "", grp] = user.split(":", 2);
  const lines = (file: string) => {
    try {
      return readFileSync(file, "utf8").split("\n").map((line) => line.split(":"));
    } catch {
      return [];
    }
  };
  const entry = lines(passwd).find((f) => f[0] === who || f[2] === who);
  const uid = entry ? Number(entry[2]) : /^\d+$/.test(who) ? Number(who) : NaN;
  if (!Number.isInteger(uid)) throw new ExecStartError(`no user "${who}" on this node`);
  let gid = entry ? Number(entry[3]) : uid;
  if (grp !== undefined && grp !== "") {
    const found = lines(group).find((f) => f[0] === grp || f[2] === grp);
    gid = found ? Number(found[2]) : /^\d+$/.test(grp) ? Number(grp) : NaN;
    if (!Number.isInteger(gid)) throw new ExecStartError(`no group "${grp}" on this node`);
  }
  return { uid, gid };
}

/** The pty a process of `root`'s tree holds as its controlling terminal, if any yet. */
function ptyOf(root: number): string | undefined {
  for (const pid of processTree(root)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/0`);
      if (target.startsWith("/dev/pts/")) return target;
    } catch {
      // gone, or no stdin
    }
  }
  return undefined;
}

/**
 * Starts `spec` beside native task `taskId`, whose main process is `pid`.
 * Rejects with an ExecStartError when the task's process is gone
 * (`taskNotRunning`), the user or directory is unknown, or nothing could start.
 */
export async function startNativeExec(taskId: string, pid: number, spec: ExecSpec, sink: ExecSink, layout: CgroupLayout): Promise<ExecProcess> {
  let env: Record<string, string>;
  let cwd: string;
  try {
    env = environmentOf(pid);
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    throw new ExecStartError("its process is gone", true);
  }
  if (spec.workdir !== "") cwd = spec.workdir;
  if (!existsSync(cwd)) throw new ExecStartError(`no directory ${cwd} on this node`);
  const ids = spec.user === "" ? {} : resolveUser(spec.user);
  let argv = [...spec.command];
  if (spec.tty) {
    const size = spec.rows > 0 && spec.cols > 0 ? `stty rows ${spec.rows} cols ${spec.cols} 2>/dev/null; ` : "";
    const shell = env.SHELL === undefined ? "unset SHELL; " : `SHELL=${shellQuote(env.SHELL)}; export SHELL; `;
    argv = ["script", "-q", "-e", "-c", `${size}${shell}exec ${argv.map(shellQuote).join(" ")}`, "/dev/null"];
    env = { ...env, SHELL: "/bin/sh", TERM: env.TERM ?? "xterm-256color" };
  }
  const procs = taskProcsFiles(taskId, layout);
  if (procs.length > 0) argv = joinCgroupArgv(procs, argv);
  const [file, ...args] = argv;
  const child = spawn(file!, args, { cwd, env, ...ids, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.on("error", () => undefined);
  const failed = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", (error) => resolve(error));
  });
  if (failed) {
    const missing = (failed as NodeJS.ErrnoException).code === "ENOENT";
    throw new ExecStartError(missing ? (spec.tty ? "a TTY exec on a native task needs `script` (util-linux) on the node" : `command not found: ${spec.command[0]}`) : failed.message);
  }
  const pause = () => {
    child.stdout.pause();
    child.stderr.pause();
  };
  child.stdout.on("data", (chunk: Buffer) => void (sink.stdout(chunk) || pause()));
  child.stderr.on("data", (chunk: Buffer) => void (sink.stderr(chunk) || pause()));
  let ended = false;
  const exited = new Promise<ExecEnd>((resolve) => {
    child.once("close", (code, signal) => {
      ended = true;
      if (signal) resolve({ code: 128 + (constants.signals[signal] ?? 0), message: `killed by ${signal}` });
      else resolve({ code: code ?? -1, message: "" });
    });
  });
  const childPid = child.pid!;
  return {
    write: (data) => {
      if (!child.stdin.writableEnded) child.stdin.write(data);
    },
    endInput: () => {
      if (!child.stdin.writableEnded) child.stdin.end();
    },
    resize: async (rows, cols) => {
      if (!spec.tty || rows <= 0 || cols <= 0 || ended) return;
      const pty = ptyOf(childPid);
      if (pty) await run("stty", ["-F", pty, "rows", String(rows), "cols", String(cols)]).catch(() => undefined);
    },
    resumeOutput: () => {
      child.stdout.resume();
      child.stderr.resume();
    },
    exited,
    kill: async () => {
      if (!ended) signalTree(childPid, "SIGKILL");
    },
  };
}
