/**
 * `hakuriver key add|list|remove`: SSH public keys registered for a user,
 * which the Host's jump host lets through to that user's VPS
 * (`ssh -J jump@HOST:PORT root@vps-ID`), besides the key each VPS was
 * submitted with. A user manages their own keys; an admin anyone's.
 */
import { readFileSync } from "node:fs";
import type { Argv } from "yargs";
import { SshKeySchema, type SshKey } from "../../../gen/hakuriver/v1/ssh_keys_pb.js";
import { UsageError } from "../cli-error.js";
import { clientContext, type GlobalArgs } from "../context.js";
import { messageJson, printJson } from "../json-shapes.js";
import { formatTime, table } from "../render.js";

interface AddArgs extends GlobalArgs {
  file: string;
  user?: string;
}

/** The key lines of a .pub or authorized_keys file (`-` = stdin); never sends a private key. */
export function keyLinesOf(file: string, text: string): string[] {
  if (/PRIVATE KEY-----/.test(text)) throw new UsageError(`${file} holds a private key: give the public key (the .pub file beside it); nothing was sent`);
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
  if (lines.length === 0) throw new UsageError(`${file} holds no key: give an OpenSSH public key file such as ~/.ssh/id_ed25519.pub`);
  return lines;
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? `${file} does not exist` : `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** One line per key: `key_ab12cd34  SHA256:...  ssh-ed25519  alice@laptop`. */
function keyLine(key: SshKey): string {
  return [key.keyId, key.fingerprint, key.type, key.comment].filter((part) => part !== "").join("  ");
}

async function add(args: AddArgs): Promise<number> {
  const file = String(args.file);
  const lines = keyLinesOf(file, readKeyFile(file));
  const ctx = clientContext(args);
  try {
    const added: SshKey[] = [];
    for (const line of lines) {
      const { key } = await ctx.client.addSshKey({ publicKey: line, user: args.user ?? "" });
      if (key) added.push(key);
    }
    if (ctx.json) printJson(added.map((key) => messageJson(SshKeySchema, key)));
    else for (const key of added) console.log(`Added key ${keyLine(key)}${key.user ? ` for ${key.user}` : ""}: the jump host lets it through to ${key.user ? `${key.user}'s` : "every"} VPS`);
    return 0;
  } finally {
    ctx.close();
  }
}

async function list(args: GlobalArgs & { user?: string }): Promise<number> {
  const ctx = clientContext(args);
  try {
    const { keys } = await ctx.client.listSshKeys({ user: args.user ?? "" });
    if (ctx.json) printJson(keys.map((key) => messageJson(SshKeySchema, key)));
    else if (keys.length === 0) console.log("No SSH keys registered (hakuriver key add ~/.ssh/id_ed25519.pub adds one).");
    else console.log(table(["ID", "USER", "TYPE", "FINGERPRINT", "COMMENT", "ADDED"], keys.map((k) => [k.keyId, k.user || "-", k.type, k.fingerprint, k.comment || "-", formatTime(k.createdAt)])));
    return 0;
  } finally {
    ctx.close();
  }
}

async function remove(args: GlobalArgs & { id: string }): Promise<number> {
  const ctx = clientContext(args);
  try {
    const { key } = await ctx.client.removeSshKey({ keyId: String(args.id) });
    if (ctx.json) printJson(key ? messageJson(SshKeySchema, key) : null);
    else console.log(`Removed key ${key ? keyLine(key) : args.id}: the jump host refuses it from the next login on`);
    return 0;
  } finally {
    ctx.close();
  }
}

/** Registers `key ...` on the root command. */
export function keyCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y.command("key", "register SSH public keys for the Host's jump host (ssh -J)", (k) =>
    k
      .command(
        "add <file>",
        "register the public key(s) in FILE (a .pub file; - reads stdin): yours, or another user's (--user, admin)",
        (s) => s.positional("file", { type: "string", demandOption: true }).option("user", { type: "string", describe: "whose key (default: yours)" }),
        (a) => run(() => add(a)),
      )
      .command("list", "list registered keys (yours; an admin sees everyone's)", (s) => s.option("user", { type: "string", describe: "only this user's keys" }), (a) => run(() => list(a)))
      .command("remove <id>", "remove a key by its id (or its SHA256: fingerprint)", (s) => s.positional("id", { type: "string", demandOption: true }), (a) => run(() => remove(a)))
      .demandCommand(1, "name a key command: add, list or remove"),
  );
}
