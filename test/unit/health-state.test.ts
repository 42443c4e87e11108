/**
 * The health state behind grpc.health.v1: statuses, one-way shutdown, and
 * the Watch sequence (current status, then each change, coalesced; the end
 * on shutdown or abort).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { HealthState, ServingStatus, WHOLE_SERVER, watchStatus } from "../../src/host/health-state.js";

const { SERVING, NOT_SERVING, SERVICE_UNKNOWN } = ServingStatus;

/**
 * A reader of a watch that can look for a value without losing it: a
 * `next()` still waiting after `pendingOrNext` is the one the following
 * `next()` resolves with.
 */
function reader<T>(iterator: AsyncIterator<T>) {
  let waiting: Promise<IteratorResult<T>> | undefined;
  const take = () => {
    const result = waiting ?? iterator.next();
    waiting = undefined;
    return result;
  };
  return {
    next: take,
    /** "pending" when no value comes within a few turns of the event loop (the value is kept for `next`). */
    async pendingOrNext(): Promise<IteratorResult<T> | "pending"> {
      waiting ??= iterator.next();
      const later = new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), 20));
      const result = await Promise.race([waiting, later]);
      if (result !== "pending") waiting = undefined;
      return result;
    },
    return: () => iterator.return?.(undefined),
  };
}

test("the whole server and each given service start SERVING; an unknown name has no status", () => {
  const state = new HealthState(["a.v1.A", "b.v1.B"]);
  assert.equal(state.status(WHOLE_SERVER), SERVING);
  assert.equal(state.status("a.v1.A"), SERVING);
  assert.equal(state.status("b.v1.B"), SERVING);
  assert.equal(state.status("c.v1.C"), undefined);
  assert.deepEqual([...state.list()], [["", SERVING], ["a.v1.A", SERVING], ["b.v1.B", SERVING]]);
});

test("set changes one service, tells its listeners only on a real change, and can add a name", () => {
  const state = new HealthState(["a.v1.A"]);
  const heard: ServingStatus[] = [];
  const stop = state.onChange("a.v1.A", (status) => heard.push(status));
  assert.equal(state.set("a.v1.A", NOT_SERVING), true);
  state.set("a.v1.A", NOT_SERVING);
  state.set("a.v1.A", SERVING);
  stop();
  state.set("a.v1.A", NOT_SERVING);
  assert.deepEqual(heard, [NOT_SERVING, SERVING]);
  assert.equal(state.status(WHOLE_SERVER), SERVING, "the other names are untouched");
  state.set("new.v1.N", SERVING);
  assert.equal(state.status("new.v1.N"), SERVING);
  assert.equal(state.watcherCount, 0);
});

test("shutdown turns every service NOT_SERVING for good: a later set is refused", () => {
  const state = new HealthState(["a.v1.A"]);
  const heard: string[] = [];
  state.onChange(WHOLE_SERVER, (status) => heard.push(`whole ${status}`));
  state.onShutdown(() => heard.push("shutdown"));
  state.shutdown();
  state.shutdown();
  assert.equal(state.shuttingDown, true);
  assert.deepEqual([...state.list().values()], [NOT_SERVING, NOT_SERVING]);
  assert.deepEqual(heard, [`whole ${NOT_SERVING}`, "shutdown"], "statuses change before the shutdown listeners run, once");
  assert.equal(state.set("a.v1.A", SERVING), false);
  assert.equal(state.status("a.v1.A"), NOT_SERVING);
});

test("a watch yields the current status, then each change; flips while the reader is away are coalesced", async () => {
  const state = new HealthState(["a.v1.A"]);
  const watch = reader(watchStatus(state, "a.v1.A", new AbortController().signal));
  assert.deepEqual(await watch.next(), { done: false, value: SERVING });
  assert.equal(await watch.pendingOrNext(), "pending", "nothing changed: the watch waits");
  state.set("a.v1.A", NOT_SERVING);
  assert.deepEqual(await watch.next(), { done: false, value: NOT_SERVING });
  // Away: NOT_SERVING → SERVING → NOT_SERVING ends where it was, so nothing is reported.
  state.set("a.v1.A", SERVING);
  state.set("a.v1.A", NOT_SERVING);
  assert.equal(await watch.pendingOrNext(), "pending");
  state.set("a.v1.A", SERVING);
  assert.deepEqual(await watch.next(), { done: false, value: SERVING });
  await watch.return();
  assert.equal(state.watcherCount, 0, "a finished watch unsubscribes");
});

test("a watch of an unknown name says SERVICE_UNKNOWN, then reports the name once it appears", async () => {
  const state = new HealthState([]);
  const watch = reader(watchStatus(state, "late.v1.L", new AbortController().signal));
  assert.deepEqual(await watch.next(), { done: false, value: SERVICE_UNKNOWN });
  assert.equal(await watch.pendingOrNext(), "pending");
  state.set("late.v1.L", SERVING);
  assert.deepEqual(await watch.next(), { done: false, value: SERVING });
  await watch.return();
});

test("shutdown gives open watches NOT_SERVING and then ends them; a watch of an unknown name just ends", async () => {
  const state = new HealthState(["a.v1.A"]);
  const signal = new AbortController().signal;
  const whole = watchStatus(state, WHOLE_SERVER, signal);
  const unknown = watchStatus(state, "no.such.Service", signal);
  assert.deepEqual(await whole.next(), { done: false, value: SERVING });
  assert.deepEqual(await unknown.next(), { done: false, value: SERVICE_UNKNOWN });
  const waiting = unknown.next();
  state.shutdown();
  assert.deepEqual(await whole.next(), { done: false, value: NOT_SERVING });
  assert.deepEqual(await whole.next(), { done: true, value: undefined });
  assert.deepEqual(await waiting, { done: true, value: undefined });
  assert.equal(state.watcherCount, 0);
  // A watch begun after shutdown reports the final status and ends.
  const late = watchStatus(state, "a.v1.A", signal);
  assert.deepEqual(await late.next(), { done: false, value: NOT_SERVING });
  assert.deepEqual(await late.next(), { done: true, value: undefined });
});

test("an aborted watch ends, whether it was waiting or the abort came while the reader was away", async () => {
  const state = new HealthState(["a.v1.A"]);
  const waitingAbort = new AbortController();
  const waiting = watchStatus(state, "a.v1.A", waitingAbort.signal);
  await waiting.next();
  const next = waiting.next();
  waitingAbort.abort();
  assert.deepEqual(await next, { done: true, value: undefined });

  const awayAbort = new AbortController();
  const away = watchStatus(state, "a.v1.A", awayAbort.signal);
  await away.next();
  awayAbort.abort();
  state.set("a.v1.A", NOT_SERVING);
  assert.deepEqual(await away.next(), { done: true, value: undefined }, "a change after the abort is not reported");
  assert.equal(state.watcherCount, 0);
});
