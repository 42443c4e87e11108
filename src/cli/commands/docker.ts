/**
 * `hakuriver docker ...`: environment containers on the Host, an interactive
 * shell in them, and their tarballs on shared storage.
 */
import { basename } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Argv } from "yargs";
import type { ShellRequestSchema, Tarball } from "../../../gen/hakuriver/v1/environments_pb.js";
import { AsyncQueue } from "../../shared/async-queue.js";
import { formatBytes } from "../../shared/units.js";
import { UsageError } from "../cli-error.js";
import { processExitCode } from "../exit-codes.js";
import { clientContext, type GlobalArgs } from "../context.js";
import { containerJson, tarballJson } from "../json-shapes.js";
import { formatTime, table } from "../render.js";
import { statusColour } from "../colour.js";
import { formatSavedLine, formatSaveLine, SaveLinePacer, type SaveProgress } from "../tar-progress.js";

type Run = (fn: () => Promise<number>) => Promise<void>;
type NameArgs = GlobalArgs & { name: string };

function tarballTime(t: Tarball): string {
  return new Date(Number(t.timestamp) * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

async function createContainer(args: NameArgs & { image: string }): Promise<number> {
  const ctx = clientContext(args);
  const { container, created } = await ctx.client.createContainer({ image: args.image, name: args.name }, { timeoutMs: 300_000 });
  if (ctx.json) console.log(JSON.stringify({ created, container: container ? containerJson(container) : null }, null, 2));
  else if (created) console.log(`Created environment container ${args.name} from ${args.image} (running). Customise it with: hakuriver docker shell ${args.name}`);
  else console.log(`Environment container ${args.name} already exists (${container?.state}); nothing created`);
  return 0;
}

async function listContainers(args: GlobalArgs): Promise<number> {
  const ctx = clientContext(args);
  const { containers } = await ctx.client.listContainers({});
  if (ctx.json) console.log(JSON.stringify(containers.map(containerJson), null, 2));
  else if (containers.length === 0) console.log("No environment containers. Create one with: hakuriver docker create-container IMAGE NAME");
  else console.log(table(["NAME", "IMAGE", "STATE", "CREATED", "ID"], containers.map((c) => [c.name, c.image, statusColour(c.state), formatTime(c.createdAt), c.id.slice(0, 12)])));
  return 0;
}

/** Deletes the environment container and, with --image, its committed image; says what stays. */
async function deleteContainer(args: NameArgs & { image?: boolean }): Promise<number> {
  const ctx = clientContext(args);
  const outcome = await ctx.client.deleteContainer({ name: args.name, removeImage: args.image === true });
  if (ctx.json) {
    console.log(JSON.stringify({ deleted: args.name, containerDeleted: outcome.containerDeleted, image: outcome.image, imageRemoved: outcome.imageRemoved, imageKept: outcome.imageKept }));
    return 0;
  }
  const container = outcome.containerDeleted ? `Deleted environment container ${args.name}` : `There was no environment container ${args.name}`;
  const image = outcome.imageRemoved
    ? `; removed its image ${outcome.image}`
    : outcome.imageKept
      ? `; its image ${outcome.image} is kept (remove it with: hakuriver docker delete-container ${args.name} --image)`
      : "";
  console.log(`${container}${image}. Its tarballs stay (hakuriver docker list-tars; delete-tar ${args.name} removes them)`);
  return 0;
}

async function containerAction(action: "start" | "stop", args: NameArgs): Promise<number> {
  const ctx = clientContext(args);
  const response = action === "start" ? await ctx.client.startContainer({ name: args.name }) : await ctx.client.stopContainer({ name: args.name });
  if (ctx.json) console.log(JSON.stringify(response.container ? containerJson(response.container) : null, null, 2));
  else console.log(`Environment container ${args.name} is ${response.container?.state}`);
  return 0;
}

/**
 * Runs a shell. With a TTY on stdin: raw mode, resize on SIGWINCH. Without
 * one: stdin is piped through and stdout/stderr kept apart. Exits with the
 * remote command's exit code.
 */
async function shell(args: NameArgs & { command?: string[]; "--"?: string[] }): Promise<number> {
  const ctx = clientContext(args);
  const command = [...(args.command ?? []), ...(args["--"] ?? [])].map(String);
  const stdin = process.stdin;
  const tty = stdin.isTTY === true && process.stdout.isTTY === true;
  const requests = new AsyncQueue<MessageInitShape<typeof ShellRequestSchema>>();
  requests.push({ message: { case: "start", value: { name: args.name, command, tty, rows: process.stdout.rows ?? 0, cols: process.stdout.columns ?? 0 } } });
  const onData = (chunk: Buffer) => requests.push({ message: { case: "stdin", value: new Uint8Array(chunk) } });
  const onEnd = () => requests.push({ message: { case: "eof", value: {} } });
  const onResize = () => requests.push({ message: { case: "resize", value: { rows: process.stdout.rows, cols: process.stdout.columns } } });
  if (tty) {
    stdin.setRawMode(true);
    process.stdout.on("resize", onResize);
  }
  stdin.on("data", onData);
  stdin.once("end", onEnd);
  stdin.resume();
  let code = 1;
  try {
    for await (const response of ctx.client.shell(requests)) {
      const m = response.message;
      if (m.case === "stdout") {
        if (!process.stdout.write(m.value)) await new Promise((resolve) => process.stdout.once("drain", resolve));
      } else if (m.case === "stderr") process.stderr.write(m.value);
      else if (m.case === "exit") code = m.value.code;
    }
  } finally {
    requests.end();
    // The call is over, whatever connect-node still thinks of its request side
    // (see createHostConnection): an error that came back while stdin's eof was
    // being written used to leave the stream, and this process, hanging.
    ctx.close();
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.pause();
    if (tty) {
      stdin.setRawMode(false);
      process.stdout.off("resize", onResize);
    }
  }
  return processExitCode(code);
}

/**
 * Packs an environment, showing progress on stderr: a live line on a
 * terminal; off one, paced lines with the total and percent, then a final
 * `saved` line. The result goes to stdout (`--json`: the Tarball).
 */
async function createTar(args: NameArgs & { keep?: number }): Promise<number> {
  const ctx = clientContext(args);
  if (args.keep !== undefined && (!Number.isInteger(args.keep) || args.keep < 1)) throw new UsageError(`--keep must be a whole number of 1 or more, got ${args.keep}`);
  const live = process.stderr.isTTY === true && !ctx.json;
  const pacer = new SaveLinePacer();
  // `final`: the line stays (a terminal's live line is otherwise redrawn by the next one).
  const show = (line: string, final: boolean) => {
    if (live) process.stderr.write(`\r\x1b[K${line}${final ? "\n" : ""}`);
    else console.error(line);
  };
  // The save ends with the stream's done event (the tarball's exact size and file): the saved line is
  // printed then, before any later phase's lines (prune), which wait for it.
  let lastSave: SaveProgress | undefined;
  const afterSave: string[] = [];
  for await (const response of ctx.client.createTarball({ name: args.name, keep: args.keep ?? 0 }, { timeoutMs: 3_600_000 })) {
    const event = response.event;
    if (event.case === "progress") {
      const p = event.value;
      if (p.phase !== "save") {
        if (lastSave) afterSave.push(`${p.phase}: ${p.message}`);
        else show(`${p.phase}: ${p.message}`, true);
        continue;
      }
      const progress = { bytes: Number(p.bytes), estimatedTotalBytes: Number(p.estimatedTotalBytes), elapsedMs: Number(p.elapsedMs) };
      lastSave = progress;
      if (live) show(`save: ${formatSaveLine(p.message, progress, 20)}`, false);
      else if (pacer.shouldPrint(progress)) show(`save: ${formatSaveLine(p.message, progress)}`, true);
    } else if (event.case === "done") {
      const t = event.value;
      show(`save: ${formatSavedLine(basename(t.file), Number(t.sizeBytes), lastSave?.elapsedMs ?? 0)}`, true);
      for (const line of afterSave) show(line, true);
      if (ctx.json) console.log(JSON.stringify(tarballJson(t), null, 2));
      else console.log(`Created ${t.file} (${formatBytes(Number(t.sizeBytes))}); runners load it before the next task in environment ${t.name}`);
    }
  }
  return 0;
}

async function listTars(args: GlobalArgs & { name?: string }): Promise<number> {
  const ctx = clientContext(args);
  const { environments } = await ctx.client.listTarballs({ name: args.name ?? "" });
  if (ctx.json) {
    console.log(JSON.stringify(environments.map((e) => ({ name: e.name, tarballs: e.tarballs.map(tarballJson) })), null, 2));
    return 0;
  }
  const rows = environments.flatMap((e) => e.tarballs.map((t, i) => [e.name, String(t.timestamp), tarballTime(t), formatBytes(Number(t.sizeBytes)), i === 0 ? "newest" : "", t.file]));
  console.log(rows.length === 0 ? "No tarballs. Pack an environment with: hakuriver docker create-tar NAME" : table(["ENVIRONMENT", "TIMESTAMP", "TIME (UTC)", "SIZE", "", "FILE"], rows));
  return 0;
}

async function deleteTar(args: NameArgs & { timestamp?: number }): Promise<number> {
  const ctx = clientContext(args);
  const { deleted } = await ctx.client.deleteTarball({ name: args.name, timestamp: BigInt(args.timestamp ?? 0) });
  if (ctx.json) console.log(JSON.stringify(deleted.map(tarballJson), null, 2));
  else for (const t of deleted) console.log(`Deleted ${t.file}`);
  return 0;
}

/** Registers `docker ...` on the root command. */
export function dockerCommands(y: Argv<GlobalArgs>, run: Run): Argv<GlobalArgs> {
  const name = <T>(s: Argv<T>) => s.positional("name", { type: "string", demandOption: true, describe: "environment name" });
  return y.command("docker", "environments: containers on the Host, shells, tarballs", (d) =>
    d
      .command("create-container <image> <name>", "create and start an environment container from a local image", (s) => name(s.positional("image", { type: "string", demandOption: true })), (a) => run(() => createContainer(a)))
      .command("list-containers", "list HakuRiver's environment containers on the Host", (s) => s, (a) => run(() => listContainers(a)))
      .command("start-container <name>", "start a stopped environment container", name, (a) => run(() => containerAction("start", a)))
      .command("stop-container <name>", "stop an environment container", name, (a) => run(() => containerAction("stop", a)))
      .command(
        "delete-container <name>",
        "remove an environment container (its tarballs stay; --image also removes hakuriver/<name>:base)",
        (s) => name(s).option("image", { type: "boolean", default: false, describe: "also remove the environment's image hakuriver/<name>:base from the Host's engine (works when the container is already gone)" }),
        (a) => run(() => deleteContainer(a)),
      )
      .command("shell <name> [command..]", "open a shell in an environment container (or run COMMAND after --)", (s) => name(s).positional("command", { type: "string", array: true }), (a) => run(() => shell(a)))
      .command("create-tar <name>", "commit the container and save it as <name>-<unixts>.tar for the runners", (s) => name(s).option("keep", { type: "number", describe: "tarballs of this environment to keep (default docker.keep_tarballs on the Host)" }), (a) => run(() => createTar(a)))
      .command("list-tars [name]", "list environment tarballs on shared storage", (s) => s.positional("name", { type: "string" }), (a) => run(() => listTars(a)))
      .command("delete-tar <name>", "delete an environment's tarballs (one with --timestamp)", (s) => name(s).option("timestamp", { type: "number", describe: "Unix seconds of the one tarball to delete" }), (a) => run(() => deleteTar(a)))
      .demandCommand(1, "name a docker command (see hakuriver docker --help)"),
  );
}
