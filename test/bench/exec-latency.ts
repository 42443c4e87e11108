/**
 * Benchmark (on demand): the round trip of `hakuriver exec ID -- true`
 * (CLI start, ExecTask to the Host, OpenExec down the control stream, the
 * runner's docker exec and Exec stream back, exit code up) against
 * `docker exec CONTAINER true` on the same container, in the same run; and
 * the same call without process start-up on either side (an ExecTask from
 * a connected client against dockerode's exec of `true`), and the CLI's
 * floor (`hakuriver task status ID`: Node start-up plus one unary call).
 *
 *   node dist/test/bench/exec-latency.js
 *   BENCH_ROUNDS=21 node dist/test/bench/exec-latency.js
 *
 * Needs root's Docker engine and hakuriver-test/busybox:latest
 * (.ci/test-images.sh). Prints medians; asserts nothing.
 */
import { spawn } from "node:child_process";
import Docker from "dockerode";
import { CLI, TestCluster, waitUntil } from "../helpers/cluster.js";
import { sh } from "../helpers/netns.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const ENV = "benchexec";

function timed(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, [...args], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("close", (code) => {
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${err}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

async function timedAsync(run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  await sh("docker", ["tag", "hakuriver-test/busybox:latest", `hakuriver/${ENV}:base`]);
  const cluster = new TestCluster();
  const docker = new Docker();
  try {
    await cluster.startHost();
    await cluster.startRunner("benchexec");
    const submitted = await cluster.cli(["task", "submit", "--json", "--cores", "0", "--container", ENV, "--", "sleep", "3600"]);
    if (submitted.code !== 0) throw new Error(submitted.stderr);
    const taskId = (JSON.parse(submitted.stdout) as { tasks: { taskId: string }[] }).tasks[0]!.taskId;
    await waitUntil(async () => (await cluster.client.getTask({ taskId })).task?.status === 3, 60_000, () => "the task never ran");
    const container = `hakuriver-task-${taskId}`;
    const cliEnv = cluster.cliEnv();
    const viaCli: number[] = [];
    const viaDocker: number[] = [];
    const viaRpc: number[] = [];
    const viaDockerode: number[] = [];
    const cliFloor: number[] = [];
    const rpc = async () => {
      for await (const response of cluster.client.execTask((async function* () {
        yield { message: { case: "start" as const, value: { taskId, command: ["true"] } } };
      })())) {
        if (response.message.case === "exit" && response.message.value.code !== 0) throw new Error(`exit ${response.message.value.code}`);
      }
    };
    const dockerode = async () => {
      const exec = await docker.getContainer(container).exec({ Cmd: ["true"], AttachStdout: true, AttachStderr: true });
      const stream = (await exec.start({})) as NodeJS.ReadableStream;
      await new Promise<void>((resolve) => {
        stream.once("end", resolve);
        stream.once("close", resolve);
        stream.resume();
      });
      await exec.inspect();
    };
    // Warm-up: the first of each pays for caches and connections.
    await timed(process.execPath, [CLI, "exec", taskId, "--", "true"], cliEnv);
    await timed("docker", ["exec", container, "true"]);
    await rpc();
    await dockerode();
    for (let i = 0; i < ROUNDS; i++) {
      viaCli.push(await timed(process.execPath, [CLI, "exec", taskId, "--", "true"], cliEnv));
      viaDocker.push(await timed("docker", ["exec", container, "true"]));
      viaRpc.push(await timedAsync(rpc));
      viaDockerode.push(await timedAsync(dockerode));
      cliFloor.push(await timed(process.execPath, [CLI, "task", "status", taskId], cliEnv));
    }
    console.log(`exec round trip of true, median of ${ROUNDS} (one machine, loaded: read the ratios):`);
    console.log(`  command line: hakuriver exec ${median(viaCli).toFixed(0)} ms, docker exec ${median(viaDocker).toFixed(0)} ms, ratio ${(median(viaCli) / median(viaDocker)).toFixed(2)}`);
    console.log(`  the CLI's own floor, one unary call (hakuriver task status ID): ${median(cliFloor).toFixed(0)} ms; exec adds ${(median(viaCli) - median(cliFloor)).toFixed(0)} ms to it`);
    console.log(`  no process start: ExecTask call ${median(viaRpc).toFixed(1)} ms, dockerode exec ${median(viaDockerode).toFixed(1)} ms, ratio ${(median(viaRpc) / median(viaDockerode)).toFixed(2)}`);
    await cluster.cli(["task", "kill", taskId]);
  } finally {
    await cluster.cleanup();
    await sh("docker", ["rmi", `hakuriver/${ENV}:base`]).catch(() => "");
  }
}

await main();
