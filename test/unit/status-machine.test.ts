import { test } from "node:test";
import assert from "node:assert/strict";
import { transition } from "../../src/shared/status-machine.js";
import { FINAL_STATUSES, isFinal, parseStatusName, statusEnum, statusName, type TaskStatusName } from "../../src/shared/task-status.js";

const ALL: TaskStatusName[] = ["pending", "assigning", "running", "paused", "completed", "failed", "killed", "killed_oom", "lost", "timeout", "stopped"];

test("a final status never changes", () => {
  for (const from of FINAL_STATUSES) {
    for (const to of ALL) {
      const result = transition(from, to);
      if (from === to) assert.equal(result.kind, "noop");
      else assert.equal(result.kind, "refuse", `${from} -> ${to}`);
    }
  }
});

test("the normal life cycle is allowed", () => {
  const path: TaskStatusName[] = ["pending", "assigning", "running", "paused", "running", "completed"];
  for (let i = 1; i < path.length; i++) assert.equal(transition(path[i - 1]!, path[i]!).kind, "apply", `${path[i - 1]} -> ${path[i]}`);
});

test("illegal moves are refused with a reason", () => {
  const result = transition("pending", "paused");
  assert.equal(result.kind, "refuse");
  assert.match((result as { reason: string }).reason, /pending to paused/);
  assert.equal(transition("running", "pending").kind, "refuse");
  assert.equal(transition("running", "assigning").kind, "refuse");
});

test("a paused task can be killed, and any active task can be lost", () => {
  assert.equal(transition("paused", "killed").kind, "apply");
  for (const from of ["assigning", "running", "paused"] as const) assert.equal(transition(from, "lost").kind, "apply");
});

test("status names round-trip through the enum", () => {
  for (const name of ALL) assert.equal(statusName(statusEnum(name)), name);
  assert.equal(parseStatusName("KILLED-OOM"), "killed_oom");
  assert.equal(parseStatusName("nope"), undefined);
  assert.deepEqual(ALL.filter(isFinal), ["completed", "failed", "killed", "killed_oom", "lost", "timeout"]);
  assert.equal(parseStatusName("TIMEOUT"), "timeout");
});

test("timeout is final and reached only from a status that has run (or may have)", () => {
  for (const from of ["assigning", "running", "paused"] as const) assert.equal(transition(from, "timeout").kind, "apply", `${from} -> timeout`);
  assert.equal(transition("pending", "timeout").kind, "refuse", "a queued task never ran, so it cannot run out of time");
  assert.equal(transition("timeout", "running").kind, "refuse");
  assert.equal(transition("timeout", "killed").kind, "refuse", "a kill after the timeout changes nothing");
  assert.ok(isFinal("timeout"));
});

test("stopped (VPS only) is neither final nor active, and comes back through the queue", () => {
  assert.equal(isFinal("stopped"), false);
  assert.equal(parseStatusName("STOPPED"), "stopped");
  for (const from of ["running", "paused"] as const) assert.equal(transition(from, "stopped").kind, "apply", `${from} -> stopped`);
  const back: TaskStatusName[] = ["stopped", "pending", "assigning", "running"];
  for (let i = 1; i < back.length; i++) assert.equal(transition(back[i - 1]!, back[i]!).kind, "apply", `${back[i - 1]} -> ${back[i]}`);
  assert.equal(transition("assigning", "stopped").kind, "apply", "a start the runner could not carry out leaves it stopped");
  assert.equal(transition("stopped", "killed").kind, "apply", "vps kill ends a stopped VPS for good");
  assert.equal(transition("stopped", "paused").kind, "refuse", "a stopped container cannot be frozen");
  assert.equal(transition("stopped", "completed").kind, "refuse");
  assert.equal(transition("killed", "stopped").kind, "refuse");
});
