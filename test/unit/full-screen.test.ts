/**
 * The full-screen session gives the terminal back on every way out: its
 * own restore, a signal, the process's exit and a crash (then one line and
 * exit 1), once each, over fake streams and a fake process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { enterFullScreen, LEAVE_FULL_SCREEN, type FullScreenIo, type FullScreenSignal } from "../../src/cli/full-screen.js";

/** A terminal and a process that record what a session did to them. */
function fakeTerminal() {
  const stdin = Object.assign(new EventEmitter(), { isTTY: true, raw: false, paused: true, setRawMode(on: boolean) { stdin.raw = on; return stdin; }, resume() { stdin.paused = false; return stdin; }, pause() { stdin.paused = true; return stdin; } });
  const written: string[] = [];
  const stdout = Object.assign(new EventEmitter(), { isTTY: true, columns: 90, rows: 30, write: (text: string) => written.push(text) > 0 });
  const errors: string[] = [];
  const stderr = { write: (text: string) => errors.push(text) > 0 };
  const exits: number[] = [];
  const proc = Object.assign(new EventEmitter(), { exit: (code: number) => void exits.push(code) });
  const io = { stdin, stdout, stderr, process: proc } as unknown as FullScreenIo;
  const events = { keys: [] as string[], resizes: 0, signals: [] as FullScreenSignal[] };
  const handlers = { onKeys: (k: string) => void events.keys.push(k), onResize: () => void events.resizes++, onSignal: (s: FullScreenSignal) => void events.signals.push(s) };
  const listening = () => ["exit", "SIGINT", "SIGTERM", "SIGHUP", "uncaughtException", "unhandledRejection"].map((e) => proc.listenerCount(e));
  const leaves = () => written.filter((w) => w === LEAVE_FULL_SCREEN).length;
  return { stdin, stdout, proc, io, events, handlers, written, errors, exits, listening, leaves };
}

test("a session enters the alternate screen in raw mode, passes keys and resizes, draws, and restores once", () => {
  const t = fakeTerminal();
  const screen = enterFullScreen(t.handlers, t.io);
  assert.ok(t.written[0]!.startsWith("\x1b[?1049h\x1b[?25l"));
  assert.deepEqual([t.stdin.raw, t.stdin.paused], [true, false]);
  assert.deepEqual(t.listening(), [1, 1, 1, 1, 1, 1]);
  t.stdin.emit("data", Buffer.from("q"));
  t.stdout.emit("resize");
  assert.deepEqual([t.events.keys, t.events.resizes], [["q"], 1]);
  assert.deepEqual(screen.size(), { columns: 90, rows: 30 });
  screen.draw(["a", "b"]);
  assert.equal(t.written.at(-1), "\x1b[Ha\x1b[K\r\nb\x1b[K\x1b[J");
  screen.restore();
  screen.restore();
  assert.equal(t.leaves(), 1);
  assert.equal(t.written.at(-1), LEAVE_FULL_SCREEN);
  assert.deepEqual([t.stdin.raw, t.stdin.paused], [false, true]);
  assert.deepEqual(t.listening(), [0, 0, 0, 0, 0, 0], "no listener left behind");
  screen.draw(["late"]);
  assert.equal(t.written.at(-1), LEAVE_FULL_SCREEN, "nothing drawn after the restore");
});

test("a signal restores the terminal before the owner hears of it", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const t = fakeTerminal();
    let restoredFirst = false;
    enterFullScreen({ ...t.handlers, onSignal: () => void (restoredFirst = t.leaves() === 1 && !t.stdin.raw) }, t.io);
    t.proc.emit(signal);
    assert.ok(restoredFirst, signal);
  }
});

test("the process's exit restores the terminal", () => {
  const t = fakeTerminal();
  enterFullScreen(t.handlers, t.io);
  t.proc.emit("exit", 0);
  assert.equal(t.leaves(), 1);
  assert.equal(t.stdin.raw, false);
});

test("an uncaught error or rejection restores the terminal, prints one line and exits 1", () => {
  for (const event of ["uncaughtException", "unhandledRejection"]) {
    const t = fakeTerminal();
    enterFullScreen(t.handlers, t.io);
    t.proc.emit(event, new Error("render broke"));
    assert.equal(t.leaves(), 1, event);
    assert.equal(t.stdin.raw, false);
    assert.deepEqual(t.errors, ["error: render broke\n"]);
    assert.deepEqual(t.exits, [1]);
    assert.ok(t.written.indexOf(LEAVE_FULL_SCREEN) >= 0);
  }
});

test("stdin that is not a terminal is read without raw mode", () => {
  const t = fakeTerminal();
  t.stdin.isTTY = false;
  const screen = enterFullScreen(t.handlers, t.io);
  assert.equal(t.stdin.raw, false);
  screen.restore();
  assert.equal(t.leaves(), 1);
});
