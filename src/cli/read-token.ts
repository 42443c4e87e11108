/**
 * Where `hakuriver login` gets the token: `--token`, `--token-file`, or one
 * line of stdin (asked for on stderr, without echo, when stdin is a
 * terminal), so a token need not appear in the shell's history.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { UsageError } from "./cli-error.js";

/** The token's sources among login's options. */
export interface TokenOptions {
  readonly token?: string;
  readonly "token-file"?: string;
}

/** The first line of `text`, trimmed. */
function firstLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? "").trim();
}

/**
 * The token to log in with. Refuses both flags at once, an empty token, and
 * text that is not shaped like a token (`hkr_<id>_<secret>`), naming where
 * it came from.
 */
export async function readToken(options: TokenOptions, prompt: string): Promise<string> {
  if (options.token !== undefined && options["token-file"] !== undefined) throw new UsageError("give --token or --token-file, not both");
  let token: string;
  let origin: string;
  if (options.token !== undefined) {
    token = options.token.trim();
    origin = "--token";
  } else if (options["token-file"] !== undefined) {
    const file = options["token-file"];
    try {
      token = firstLine(readFileSync(file, "utf8"));
    } catch (error) {
      throw new UsageError(`cannot read the token file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    origin = `the token file ${file}`;
  } else {
    token = process.stdin.isTTY ? await readHidden(prompt) : firstLine(await readLine());
    origin = "stdin";
  }
  if (token === "") throw new UsageError(`no token in ${origin}: give --token-file FILE, --token TOKEN, or the token on stdin`);
  if (!/^hkr_[^_\s]+_\S+$/.test(token)) throw new UsageError(`the text in ${origin} is not a HakuRiver token (tokens look like hkr_<id>_<secret>)`);
  return token;
}

/** One line of a piped stdin (empty when it ends first). */
function readLine(): Promise<string> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin, terminal: false });
    let line = "";
    lines.once("line", (text) => {
      line = text;
      lines.close();
    });
    lines.once("close", () => resolve(line));
  });
}

/** One line typed at the terminal, not echoed; Ctrl-C or Ctrl-D gives up. */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (error?: Error) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed.trim());
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "\u0003" || char === "\u0004") return finish(new UsageError("login cancelled"));
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on("data", onData);
  });
}
