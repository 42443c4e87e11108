import { test } from "node:test";
import assert from "node:assert/strict";
import { InputError, parseEnvLines, splitCommandLine, targetText } from "../../src/web/submit-input.js";
import { parseTarget, formatTarget } from "../../src/shared/targets.js";

test("a command line splits like a shell does for simple quoting", () => {
  assert.deepEqual(splitCommandLine("  echo   hello world "), ["echo", "hello", "world"]);
  assert.deepEqual(splitCommandLine(`sh -c 'echo "a b"; sleep 1'`), ["sh", "-c", 'echo "a b"; sleep 1']);
  assert.deepEqual(splitCommandLine(`echo "a \\"b\\" \\n"`), ["echo", "a \"b\" \\n"]);
  assert.deepEqual(splitCommandLine("echo a\\ b ''"), ["echo", "a b", ""]);
  assert.deepEqual(splitCommandLine("python train.py --lr span:{1..3}"), ["python", "train.py", "--lr", "span:{1..3}"]);
  assert.deepEqual(splitCommandLine(""), []);
});

test("unterminated quotes and a trailing backslash are refused", () => {
  assert.throws(() => splitCommandLine("echo 'oops"), InputError);
  assert.throws(() => splitCommandLine('echo "oops'), InputError);
  assert.throws(() => splitCommandLine("echo \\"), InputError);
});

test("env lines need NAME=VALUE; values keep their =", () => {
  assert.deepEqual(parseEnvLines("A=1\n\n B=x=y \n"), { A: "1", B: "x=y" });
  assert.throws(() => parseEnvLines("A=1\nnovalue"), /novalue/);
  assert.throws(() => parseEnvLines("=1"), InputError);
});

test("picked targets read back as the Host parses them", () => {
  for (const choice of [
    { node: "alpha", gpus: [] },
    { node: "alpha", numaNode: 1, gpus: [] },
    { node: "alpha", gpus: [2, 0] },
    { node: "alpha", numaNode: 0, gpus: [1] },
  ]) {
    const text = targetText(choice);
    const parsed = parseTarget(text);
    assert.equal(parsed.node, choice.node);
    assert.equal(parsed.numaNode, choice.numaNode ?? null);
    assert.deepEqual(parsed.gpus, [...choice.gpus].sort((a, b) => a - b));
    assert.equal(formatTarget(parsed), text);
  }
});
