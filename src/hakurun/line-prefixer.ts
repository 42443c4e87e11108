/**
 * Prefixes every line a child writes, so the output of parallel runs can be
 * told apart. Works on bytes: a multi-byte character split across chunks is
 * never broken, and a line is written whole, so runs interleave by line.
 */
import type { Readable, Writable } from "node:stream";

const NEWLINE = 0x0a;

/**
 * Copies `input` to `output` with `prefix` before each line; a last line
 * without a newline gets one. Resolves when `input` has ended.
 */
export function pipePrefixed(input: Readable, output: Writable, prefix: string): Promise<void> {
  const head = Buffer.from(prefix);
  let pending: Buffer = Buffer.alloc(0);
  return new Promise((resolve) => {
    input.on("data", (chunk: Buffer) => {
      let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let newline = data.indexOf(NEWLINE);
      while (newline !== -1) {
        output.write(Buffer.concat([head, data.subarray(0, newline + 1)]));
        data = data.subarray(newline + 1);
        newline = data.indexOf(NEWLINE);
      }
      pending = Buffer.from(data);
    });
    const finish = (): void => {
      if (pending.length > 0) output.write(Buffer.concat([head, pending, Buffer.from("\n")]));
      pending = Buffer.alloc(0);
      resolve();
    };
    input.once("end", finish);
    input.once("error", finish);
  });
}
