/**
 * Heartbeats kept in memory and written in batches: many heartbeats cost at
 * most one row per node per flush interval (counted at the repo), readers
 * see the newest heartbeat at once, a failed flush is retried, and a stop
 * writes what is left so a restarted registry reads the last values.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { ResourcesSchema, UsageSchema } from "../../gen/hakuriver/v1/types_pb.js";
import { NodeRegistry, type RunnerSession } from "../../src/host/runners/node-registry.js";
import { openDatabase, type OpenDatabase } from "../../src/host/store/open-db.js";
import { type HeartbeatRow, NodeRepo } from "../../src/host/store/node-repo.js";
import { ManualClock } from "../helpers/manual-clock.js";

/** A NodeRepo that counts what it writes for heartbeats (and can be told to fail). */
class CountingRepo extends NodeRepo {
  /** Rows written by batched flushes. */
  rows = 0;
  /** Batched flushes (transactions) that wrote at least one row. */
  transactions = 0;
  /** Single-heartbeat writes (the write-through path). */
  singles = 0;
  failNext: Error | undefined;

  override async heartbeats(entries: readonly HeartbeatRow[]): Promise<void> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    await super.heartbeats(entries);
    if (entries.length > 0) this.transactions++;
    this.rows += entries.length;
  }

  override async heartbeat(name: string, usage: unknown, at: number): Promise<void> {
    this.singles++;
    await super.heartbeat(name, usage, at);
  }
}

const session = (id: number): RunnerSession => ({ id, send: () => {}, welcome: () => {}, close: () => {} });

interface Rig {
  readonly db: OpenDatabase;
  readonly repo: CountingRepo;
  readonly registry: NodeRegistry;
  readonly clock: ManualClock;
  readonly errors: unknown[];
}

async function rig(flushMs: number, file = ":memory:"): Promise<Rig> {
  const db = await openDatabase(file);
  const repo = new CountingRepo(db.db);
  const clock = new ManualClock();
  const errors: unknown[] = [];
  const registry = new NodeRegistry(repo, undefined, { heartbeatFlushIntervalMs: flushMs, onFlushError: (error) => errors.push(error), clock });
  await registry.load();
  registry.start();
  return { db, repo, registry, clock, errors };
}

async function attach(r: Rig, names: string[]): Promise<void> {
  for (const [i, name] of names.entries()) await r.registry.attach(name, create(ResourcesSchema, { cores: 4 }), "test", session(i + 1), r.clock.now());
}

/** One heartbeat per node every `everyMs` for `forMs` of manual time; returns how many were sent. */
async function beat(r: Rig, names: string[], everyMs: number, forMs: number): Promise<number> {
  let sent = 0;
  for (let t = 0; t < forMs; t += everyMs) {
    await r.clock.advance(everyMs);
    for (const name of names) {
      await r.registry.heartbeat(name, create(UsageSchema, { cpuPercent: sent % 100 }), r.clock.now());
      sent++;
    }
  }
  return sent;
}

test("many heartbeats cost at most one row per node per flush interval, in one transaction per flush", async () => {
  const r = await rig(5000);
  const names = ["alpha", "beta", "gamma"];
  try {
    await attach(r, names);
    const sent = await beat(r, names, 200, 20_000);
    assert.equal(sent, 300);
    assert.equal(r.repo.singles, 0, "no heartbeat is written on its own");
    // 20 s at a 5 s interval: 4 flushes of 3 nodes.
    assert.ok(r.repo.transactions <= 4, `flushes: ${r.repo.transactions}`);
    assert.ok(r.repo.rows <= names.length * 4, `rows: ${r.repo.rows}`);
    assert.ok(r.repo.rows >= names.length, "the flush did write");
    assert.deepEqual(r.errors, []);
  } finally {
    await r.registry.stop();
    await r.db.close();
  }
});

test("with a flush interval of 0 every heartbeat is written as it arrives (the baseline)", async () => {
  const r = await rig(0);
  const names = ["alpha", "beta"];
  try {
    await attach(r, names);
    const sent = await beat(r, names, 200, 2000);
    assert.equal(r.repo.singles, sent);
    assert.equal(r.repo.rows, 0);
    const stored = await new NodeRepo(r.db.db).get("beta");
    assert.equal(stored?.lastHeartbeat, r.clock.now(), "the store has the last heartbeat at once");
  } finally {
    await r.registry.stop();
    await r.db.close();
  }
});

test("readers see the newest heartbeat at once, before it is stored", async () => {
  const r = await rig(60_000);
  try {
    await attach(r, ["alpha"]);
    await r.clock.advance(1234);
    await r.registry.heartbeat("alpha", create(UsageSchema, { cpuPercent: 42.5 }), r.clock.now());
    const state = r.registry.get("alpha");
    assert.equal(state?.lastHeartbeat, r.clock.now());
    assert.equal(state?.usage.cpuPercent, 42.5);
    assert.equal(r.registry.all()[0]?.usage.cpuPercent, 42.5);
    assert.equal(r.repo.rows, 0, "nothing written yet");
    const stored = await new NodeRepo(r.db.db).get("alpha");
    assert.notEqual(stored?.lastHeartbeat, r.clock.now(), "the store lags until the flush");
  } finally {
    await r.registry.stop();
    await r.db.close();
  }
});

test("a failed flush is reported and its nodes are written at the next one", async () => {
  const r = await rig(1000);
  try {
    await attach(r, ["alpha"]);
    await r.registry.heartbeat("alpha", create(UsageSchema, { cpuPercent: 7 }), r.clock.now());
    r.repo.failNext = new Error("disk full");
    await r.clock.advance(1000);
    assert.equal(r.errors.length, 1);
    assert.equal(r.repo.rows, 0);
    await r.clock.advance(1000);
    assert.equal(r.repo.rows, 1, "the dirty node was tried again");
    const stored = await new NodeRepo(r.db.db).get("alpha");
    assert.equal((stored?.usage as { cpuPercent?: number } | undefined)?.cpuPercent, 7);
  } finally {
    await r.registry.stop();
    await r.db.close();
  }
});

test("stop writes the heartbeats not stored yet: a restarted registry reads the last values", async () => {
  const dir = mkdtempSync(join(tmpdir(), "heartbeat-flush-"));
  const file = join(dir, "host.db");
  try {
    const first = await rig(60_000, file);
    await attach(first, ["alpha", "beta"]);
    await beat(first, ["alpha", "beta"], 1000, 10_000);
    await first.registry.heartbeat("beta", create(UsageSchema, { cpuPercent: 99 }), first.clock.now() + 1);
    const lastAlpha = first.registry.get("alpha")!.lastHeartbeat;
    assert.equal(first.repo.rows, 0, "no flush before the stop");
    await first.registry.stop();
    assert.equal(first.repo.rows, 2, "the stop wrote each node once");
    await first.db.close();

    const db = await openDatabase(file);
    try {
      const again = new NodeRegistry(new NodeRepo(db.db));
      await again.load();
      assert.equal(again.get("alpha")?.lastHeartbeat, lastAlpha);
      assert.equal(again.get("beta")?.lastHeartbeat, first.clock.now() + 1);
      assert.equal(again.get("beta")?.usage.cpuPercent, 99);
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a flush interval without an error handler is refused", async () => {
  const db = await openDatabase(":memory:");
  try {
    assert.throws(() => new NodeRegistry(new NodeRepo(db.db), undefined, { heartbeatFlushIntervalMs: 1000 }), /onFlushError/);
  } finally {
    await db.close();
  }
});
