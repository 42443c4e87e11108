import { test } from "node:test";
import assert from "node:assert/strict";
import { DomainError } from "../../src/shared/errors.js";
import { expandArgument, expandSweep, hasSpans, MAX_COMBINATIONS } from "../../src/shared/spans.js";
import { combinationsOf } from "../../src/hakurun/combination.js";
import { parseOptions } from "../../src/hakurun/options.js";
import { quoteCommand } from "../../src/hakurun/shell-quote.js";

/** Asserts that `fn` throws an invalid_argument DomainError whose message matches. */
function assertInvalid(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DomainError, `expected a DomainError, got ${String(error)}`);
    assert.equal(error.kind, "invalid_argument");
    assert.match(error.message, message);
    return true;
  });
}

test("ranges are inclusive integers, ascending or descending, with steps", () => {
  assert.deepEqual(expandArgument("span:{1..3}"), ["1", "2", "3"]);
  assert.deepEqual(expandArgument("span:{3..1}"), ["3", "2", "1"]);
  assert.deepEqual(expandArgument("span:{-2..1}"), ["-2", "-1", "0", "1"]);
  assert.deepEqual(expandArgument("span:{5..5}"), ["5"]);
  assert.deepEqual(expandArgument("span:{0..10..5}"), ["0", "5", "10"]);
  assert.deepEqual(expandArgument("span:{1..10..4}"), ["1", "5", "9"], "the end is not reached when the step overshoots it");
  assert.deepEqual(expandArgument("span:{10..1..3}"), ["10", "7", "4", "1"]);
  assert.deepEqual(expandArgument("span:{10..1..-3}"), ["10", "7", "4", "1"], "the sign of the step does not matter");
  assert.deepEqual(expandArgument("span:{ 1 .. 2 }"), ["1", "2"]);
});

test("lists are trimmed strings; an empty list has no values", () => {
  assert.deepEqual(expandArgument("span:[a, b ,c]"), ["a", "b", "c"]);
  assert.deepEqual(expandArgument("span:[0.1,1e-3]"), ["0.1", "1e-3"]);
  assert.deepEqual(expandArgument("span:[one item]"), ["one item"]);
  assert.deepEqual(expandArgument("span:[]"), []);
  assert.deepEqual(expandArgument("span:[  ]"), []);
  assert.deepEqual(expandSweep(["echo", "span:[]", "span:{1..3}"]), [], "an empty list empties the whole sweep");
});

test("plain arguments and literal spans pass through", () => {
  assert.deepEqual(expandArgument("--lr"), ["--lr"]);
  assert.deepEqual(expandArgument("{1..3}"), ["{1..3}"], "no span: prefix, no expansion");
  assert.deepEqual(expandArgument("span:text"), ["text"]);
  assert.deepEqual(expandSweep(["python", "train.py", "--epochs", "3"]), [["python", "train.py", "--epochs", "3"]]);
  assert.equal(hasSpans(["python", "train.py"]), false);
  assert.equal(hasSpans(["python", "span:[a]"]), true);
});

test("the product is in argument order, the last argument fastest", () => {
  assert.deepEqual(expandSweep(["run", "span:{1..2}", "x", "span:[a,b,c]"]), [
    ["run", "1", "x", "a"],
    ["run", "1", "x", "b"],
    ["run", "1", "x", "c"],
    ["run", "2", "x", "a"],
    ["run", "2", "x", "b"],
    ["run", "2", "x", "c"],
  ]);
  assert.deepEqual(expandSweep(["span:[python,pypy]", "x.py"]), [["python", "x.py"], ["pypy", "x.py"]], "the command itself may be swept");
});

test("malformed spans are invalid_argument errors that say what is wrong", () => {
  assertInvalid(() => expandArgument("span:{1..x}"), /malformed span "span:\{1\.\.x\}".*integers/);
  assertInvalid(() => expandArgument("span:{1.5..3}"), /integers/);
  assertInvalid(() => expandArgument("span:{1..3"), /missing closing "\}"/);
  assertInvalid(() => expandArgument("span:{1..3}}"), /unexpected text after "\}"/);
  assertInvalid(() => expandArgument("span:[a,b"), /missing closing "\]"/);
  assertInvalid(() => expandArgument("span:[a,[b]"), /unbalanced brackets/);
  assertInvalid(() => expandArgument("span:[a]b]"), /unexpected text after "\]"/);
  assertInvalid(() => expandArgument("span:a]"), /unbalanced brackets/);
  assertInvalid(() => expandArgument("span:1..3}"), /unbalanced brackets/);
  assertInvalid(() => expandArgument("span:{1..3..0}"), /step cannot be 0/);
  assertInvalid(() => expandArgument("span:{1..99999999999999999999}"), /too large/);
  assertInvalid(() => expandArgument(`span:{1..${MAX_COMBINATIONS + 1}}`), /limit/);
  assertInvalid(() => expandSweep(["x", "span:{1..1000}", "span:{1..1000}"]), /1000000 combinations/);
  assertInvalid(() => expandSweep(["echo", "ok", "span:[1,2"]), /missing closing/);
});

test("spans a shell already brace-expanded are refused with the quoted form", () => {
  assertInvalid(() => expandSweep(["python", "s.py", "span:1", "span:2", "span:3"]), /'span:\{1\.\.3\}'/);
  assertInvalid(() => expandSweep(["python", "span:0", "span:5", "span:10"]), /'span:\{0\.\.10\.\.5\}'/);
  assertInvalid(() => expandSweep(["python", "span:a", "span:b"]), /'span:\[a,b\]'/);
  assert.deepEqual(expandSweep(["echo", "span:1", "x", "span:2"]), [["echo", "1", "x", "2"]], "separate literal spans are fine");
});

test("combinations are labelled with their span values, named after a preceding option", () => {
  const combos = combinationsOf(["python", "train.py", "--seed", "span:{1..2}", "span:[a,b]", "-q"]);
  assert.deepEqual(
    combos.map((c) => c.label),
    ["[seed=1 a]", "[seed=1 b]", "[seed=2 a]", "[seed=2 b]"],
  );
  assert.deepEqual(combos[3]!.argv, ["python", "train.py", "--seed", "2", "b", "-q"]);
  assert.deepEqual(combinationsOf(["echo", "hi"]).map((c) => c.label), ["[]"]);
});

test("hakurun options come only before CMD", () => {
  const parsed = parseOptions(["--parallel", "2", "--dry-run", "python", "x.py", "--parallel", "span:{1..3}"]);
  assert.equal(parsed.concurrency, 2);
  assert.equal(parsed.dryRun, true);
  assert.deepEqual(parsed.command, ["python", "x.py", "--parallel", "span:{1..3}"]);
  assert.ok(parseOptions(["--parallel", "python"]).concurrency >= 1, "--parallel without N uses the cores");
  assert.equal(parseOptions(["--parallel=3", "echo"]).concurrency, 3);
  assert.equal(parseOptions(["echo"]).concurrency, 1, "sequential by default");
  assert.deepEqual(parseOptions(["--", "--weird", "a"]).command, ["--weird", "a"]);
  assertInvalid(() => parseOptions(["--parallel", "0", "echo"]), /1 or more/);
  assertInvalid(() => parseOptions(["--nope", "echo"]), /unknown option "--nope"/);
  assertInvalid(() => parseOptions(["--dry-run"]), /no command/);
});

test("dry-run lines are shell-quoted only where needed", () => {
  assert.equal(quoteCommand(["python", "x.py", "--lr=0.1", "a b", "it's", "", "$HOME"]), `python x.py --lr=0.1 'a b' 'it'\\''s' '' '$HOME'`);
});
