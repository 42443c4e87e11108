/**
 * Hangs up a Docker exec whose client went away. Closing the attach
 * connection ends a plain exec's stdin (its process reads EOF and exits),
 * but a TTY exec's pty stays open: an interactive shell would run on with no
 * one at it. So its process gets SIGHUP, as from a terminal that hung up.
 * Docker has no call to signal an exec, so a one-off exec in the same
 * container sends it, to the process's pid in the container, read from
 * /proc/<host pid>/status (`NSpid`: the Host shares a machine with its engine).
 */
import { readFile } from "node:fs/promises";
import type Docker from "dockerode";

/** The process's pid in its innermost PID namespace, from /proc/<hostPid>/status. */
export async function containerPidOf(hostPid: number): Promise<number> {
  const status = await readFile(`/proc/${hostPid}/status`, "utf8");
  const pid = Number(/^NSpid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/).at(-1));
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`/proc/${hostPid}/status names no pid in the container's namespace`);
  return pid;
}

/** Sends SIGHUP to the exec's process if it still runs; resolves once the signal was sent. */
export async function hangUpExec(docker: Docker, containerId: string, exec: Docker.Exec): Promise<void> {
  const info = await exec.inspect();
  if (!info.Running || !info.Pid) return;
  const pid = await containerPidOf(info.Pid);
  const killer = await docker.getContainer(containerId).exec({ Cmd: ["/bin/sh", "-c", `kill -HUP ${pid}`], AttachStdout: true, AttachStderr: true });
  // Read the (empty) output to its end: that is the exec finishing, and it frees the engine connection.
  const output = (await killer.start({})) as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) => {
    output.once("end", resolve);
    output.once("close", resolve);
    output.once("error", reject);
    output.resume();
  });
  const { ExitCode } = await killer.inspect();
  if (ExitCode !== 0) throw new Error(`kill -HUP ${pid} in the container exited with ${ExitCode}`);
}
