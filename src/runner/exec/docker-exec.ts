/**
 * A command in a running container (a command task's or a VPS's), as
 * `docker exec` runs it: dockerode's exec with a hijacked stream, stdin
 * attached, a TTY when asked (then resize applies, and all output is
 * stdout), else stdout and stderr demultiplexed. Its exit code is read
 * from the exec's inspect once the stream ended. A kill signals the exec's
 * process tree on this machine (Docker has no call to signal an exec).
 */
import type { Duplex } from "node:stream";
import { Writable } from "node:stream";
import type Docker from "dockerode";
import { engineMessage, engineStatus } from "../../shared/docker-errors.js";
import { ExecStartError, type ExecEnd, type ExecProcess, type ExecSink, type ExecSpec } from "./exec-process.js";
import { signalTree } from "./process-tree.js";

/** Tries (20 ms apart) to read an exec's exit code after its stream ended. */
const EXIT_READS = 100;

function sinkOf(write: (data: Uint8Array) => boolean, onPause: () => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!write(chunk)) onPause();
      done();
    },
  });
}

async function exitOf(exec: Docker.Exec): Promise<ExecEnd> {
  for (let attempt = 0; attempt < EXIT_READS; attempt += 1) {
    const info = await exec.inspect().catch(() => undefined);
    if (!info) return { code: -1, message: "the exec vanished before its exit code could be read" };
    if (!info.Running && info.ExitCode !== null) return { code: info.ExitCode, message: "" };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { code: -1, message: "Docker reported no exit code for the exec" };
}

/**
 * Starts `spec` in container `ref` (id or name). Rejects with an
 * ExecStartError when the container is not running (`taskNotRunning`) or
 * the exec cannot be created.
 */
export async function startDockerExec(docker: Docker, ref: string, spec: ExecSpec, sink: ExecSink): Promise<ExecProcess> {
  const container = docker.getContainer(ref);
  let info: Docker.ContainerInspectInfo;
  try {
    info = await container.inspect();
  } catch (error) {
    if (engineStatus(error) === 404) throw new ExecStartError("its container is gone", true);
    throw new ExecStartError(`cannot inspect its container: ${engineMessage(error)}`);
  }
  if (!info.State.Running || info.State.Paused) throw new ExecStartError(`its container is ${info.State.Paused ? "paused" : info.State.Status}`, true);
  let exec: Docker.Exec;
  let stream: Duplex;
  try {
    exec = await container.exec({
      Cmd: [...spec.command],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: spec.tty,
      Env: spec.tty ? ["TERM=xterm-256color"] : [],
      ...(spec.user !== "" ? { User: spec.user } : {}),
      ...(spec.workdir !== "" ? { WorkingDir: spec.workdir } : {}),
    });
    stream = (await exec.start({ hijack: true, stdin: true, Tty: spec.tty })) as Duplex;
  } catch (error) {
    throw new ExecStartError(engineMessage(error));
  }
  const resume = () => stream.resume();
  const pause = () => stream.pause();
  if (spec.tty) stream.on("data", (chunk: Buffer) => void (sink.stdout(chunk) || pause()));
  else docker.modem.demuxStream(stream, sinkOf((d) => sink.stdout(d), pause), sinkOf((d) => sink.stderr(d), pause));
  stream.on("error", () => undefined);
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      ended = true;
      resolve();
    };
    stream.once("end", done);
    stream.once("close", done);
  }).then(() => exitOf(exec));
  const resize = async (rows: number, cols: number) => {
    if (spec.tty && rows > 0 && cols > 0 && !ended) await exec.resize({ h: rows, w: cols }).catch(() => undefined);
  };
  await resize(spec.rows, spec.cols);
  let inputClosed = false;
  return {
    write: (data) => {
      if (!inputClosed && !ended) stream.write(data);
    },
    endInput: () => {
      if (inputClosed) return;
      inputClosed = true;
      // A half-close of the hijacked connection is the exec's stdin EOF.
      if (!ended) stream.end();
    },
    resize,
    resumeOutput: resume,
    exited,
    kill: async () => {
      if (ended) return;
      const state = await exec.inspect().catch(() => undefined);
      if (state?.Running && state.Pid) signalTree(state.Pid, "SIGKILL");
      stream.destroy();
    },
  };
}
