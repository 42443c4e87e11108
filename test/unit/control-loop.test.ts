/**
 * The runner's control loop on a manual clock: heartbeats and reconnect
 * backoff fire when the test advances time, never by sleeping; against a
 * scripted RunnerService (createRouterTransport) and against a real Host
 * over the in-memory transport, with a fake executor behind the supervisor.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport, type Transport } from "@connectrpc/connect";
import { pino } from "pino";
import { type ControlRequest, ControlResponseSchema, type OpenTunnel, RunnerService } from "../../gen/hakuriver/v1/runner_pb.js";
import { TaskStatus } from "../../gen/hakuriver/v1/types_pb.js";
import { ControlLoop, type TunnelService } from "../../src/runner/control-loop.js";
import { StateFile } from "../../src/runner/state-file.js";
import { Supervisor } from "../../src/runner/supervisor.js";
import { FakeExecutor } from "../helpers/fake-executor.js";
import { inMemoryHost } from "../helpers/in-memory-host.js";
import { bearerToken } from "../../src/shared/transport.js";
import { ManualClock } from "../helpers/manual-clock.js";

type Response = MessageInitShape<typeof ControlResponseSchema>;

/** One Control call as the scripted Host saw it. */
interface Call {
  readonly requests: ControlRequest[];
  /** Ends the call (the stream closes; with an error, it fails). */
  end(error?: Error): void;
}

/** Polls (in real time, briefly) until `predicate` holds. */
async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * A RunnerService whose Control answers per call: "fail" rejects at once;
 * "welcome" welcomes after the hello and stays open until the test ends it.
 */
function scriptedHost(plan: ("fail" | "welcome")[], heartbeatIntervalMs = 1000n): { transport: Transport; calls: Call[] } {
  const calls: Call[] = [];
  const transport = createRouterTransport(({ service }) => {
    service(RunnerService, {
      async *control(requests: AsyncIterable<ControlRequest>) {
        const step = plan[calls.length] ?? "fail";
        let endCall!: (error?: Error) => void;
        const ended = new Promise<Error | undefined>((resolve) => (endCall = resolve));
        const call: Call = { requests: [], end: (error) => endCall(error) };
        calls.push(call);
        if (step === "fail") throw new ConnectError("host is starting", Code.Unavailable);
        const reading = (async () => {
          for await (const request of requests) call.requests.push(request);
        })().catch(() => undefined);
        await until(() => call.requests.length > 0, "the hello");
        const welcome: Response = { message: { case: "welcome", value: { heartbeatIntervalMs } } };
        yield create(ControlResponseSchema, welcome);
        const error = await ended;
        void reading;
        if (error) throw error;
      },
    });
  });
  return { transport, calls };
}

interface LoopRig {
  readonly loop: ControlLoop;
  readonly clock: ManualClock;
  readonly executor: FakeExecutor;
  readonly done: Promise<void>;
  close(): Promise<void>;
}

function startLoop(transport: Transport, options: { tunnels?: TunnelService; name?: string } = {}): LoopRig {
  const dir = mkdtempSync(join(tmpdir(), "control-loop-"));
  const clock = new ManualClock();
  const executor = new FakeExecutor();
  const log = pino({ level: "silent" });
  const loop = new ControlLoop({
    hostAddress: "in-memory",
    name: options.name ?? "fake-runner",
    joinToken: "",
    version: "test",
    resources: async () => ({ cores: 2, memoryBytes: 1024n ** 3n }),
    supervisor: (reporter) => new Supervisor({ executorFor: () => executor, executors: [executor], sharedDir: dir, localTempDir: dir, state: new StateFile(dir, "unit"), log, reporter, clock }),
    log,
    clock,
    random: () => 0,
    transport,
    tunnels: options.tunnels,
  });
  const done = loop.run();
  return {
    loop,
    clock,
    executor,
    done,
    close: async () => {
      loop.stop();
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function heartbeats(call: Call): number {
  return call.requests.filter((r) => r.message.case === "heartbeat").length;
}

test("heartbeats go out at the welcomed interval as the clock advances", async () => {
  const host = scriptedHost(["welcome"], 1000n);
  const rig = startLoop(host.transport);
  try {
    await until(() => host.calls[0] !== undefined && heartbeats(host.calls[0]) === 1, "the first heartbeat");
    const call = host.calls[0]!;
    assert.equal(call.requests[0]!.message.case, "hello");
    await rig.clock.advance(999);
    assert.equal(heartbeats(call), 1, "no heartbeat before the interval");
    await rig.clock.advance(1);
    await until(() => heartbeats(call) === 2, "the second heartbeat");
    await rig.clock.advance(3000);
    await until(() => heartbeats(call) === 5, "three more heartbeats");
  } finally {
    await rig.close();
  }
});

test("reconnects back off exponentially on the clock, and start over only after a session that lasted", async () => {
  // Heartbeats every 1.5 s: no heartbeat timer is ever mistaken for a backoff delay.
  const host = scriptedHost(["fail", "fail", "welcome", "welcome", "fail"], 1500n);
  const rig = startLoop(host.transport);
  try {
    // random 0: each delay is half its ceiling (base 500 ms, doubling, max 10 s).
    assert.deepEqual(await rig.clock.waitForTimer(), [250]);
    await rig.clock.advance(249);
    assert.equal(host.calls.length, 1, "no retry before the delay");
    await rig.clock.advance(1);
    await until(() => host.calls.length === 2, "the second attempt");
    assert.deepEqual(await rig.clock.waitForTimer(), [500]);
    await rig.clock.advance(500);
    await until(() => host.calls.length === 3 && heartbeats(host.calls[2]!) === 1, "a welcomed session");
    // Dropped at once after the welcome: it counts as a failed attempt.
    host.calls[2]!.end();
    assert.deepEqual(await rig.clock.waitForTimer((d) => d.length === 1 && d[0] === 1000), [1000]);
    await rig.clock.advance(1000);
    await until(() => host.calls.length === 4 && heartbeats(host.calls[3]!) === 1, "a second welcomed session");
    // This one outlives the longest delay: the backoff starts over.
    await rig.clock.advance(10_000);
    host.calls[3]!.end(new ConnectError("host restarting", Code.Unavailable));
    assert.deepEqual(await rig.clock.waitForTimer((d) => d.length === 1 && d[0] === 250), [250]);
  } finally {
    await rig.close();
  }
});

test("open-tunnel commands go to the tunnels, and stop closes every tunnel", async () => {
  const opened: OpenTunnel[] = [];
  let closed = 0;
  const tunnels: TunnelService = { open: async (command) => void opened.push(command), closeAll: () => void (closed += 1) };
  const transport = createRouterTransport(({ service }) => {
    service(RunnerService, {
      async *control(requests: AsyncIterable<ControlRequest>) {
        const iterator = requests[Symbol.asyncIterator]();
        await iterator.next();
        yield create(ControlResponseSchema, { message: { case: "welcome", value: { heartbeatIntervalMs: 1000n } } });
        yield create(ControlResponseSchema, { message: { case: "openTunnel", value: { taskId: "7", tunnelId: "t1" } } });
        while (!(await iterator.next()).done);
      },
    });
  });
  const rig = startLoop(transport, { tunnels });
  await until(() => opened.length === 1, "the tunnel open");
  assert.equal(opened[0]!.tunnelId, "t1");
  assert.equal(closed, 0);
  await rig.close();
  assert.equal(closed, 1, "stop closed the tunnels");
});

test("against a real Host in memory: a task is run, reported and its output shipped", async () => {
  const host = await inMemoryHost();
  // The runner's transport sends the Host's join token, as createHostTransport does for a real runner.
  const transport = createRouterTransport(host.core.routes, { router: { interceptors: host.core.interceptors }, transport: { interceptors: [bearerToken(host.joinToken)] } });
  const rig = startLoop(transport, { name: "mem-runner" });
  try {
    let welcomed = false;
    rig.loop.onWelcome = () => void (welcomed = true);
    await until(() => welcomed, "the welcome");
    const { tasks } = await host.client.submitTask({ command: "echo", args: ["hi"], cores: 1, targets: ["mem-runner"] });
    const taskId = tasks[0]!.taskId;
    await until(() => rig.executor.tasks.has(taskId), "the task to start");
    const status = async () => (await host.client.getTask({ taskId })).task;
    for (let i = 0; (await status())?.status !== TaskStatus.RUNNING; i++) {
      assert.ok(i < 500, "running at the Host");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    rig.executor.task(taskId).sink.stdout(Buffer.from("hello\n"));
    rig.executor.task(taskId).end(0);
    for (let i = 0; (await status())?.status !== TaskStatus.COMPLETED; i++) {
      assert.ok(i < 500, "completed at the Host");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal((await status())?.exitCode, 0);
    let text = "";
    for await (const response of host.client.followLogs({ taskId, follow: true })) {
      if (response.event.case === "data") text += Buffer.from(response.event.value.data).toString();
    }
    assert.equal(text, "hello\n");
  } finally {
    await rig.close();
    await host.close();
  }
});
