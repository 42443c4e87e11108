/**
 * `hakuriver init config` writes the commented default configuration;
 * `hakuriver init service` writes systemd units for the Host and Runner.
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Argv } from "yargs";
import { defaultConfigPath, renderDefaultConfig } from "../../shared/config.js";
import { UsageError } from "../cli-error.js";
import { renderUnit, stableUnitPaths } from "../systemd-units.js";
import type { GlobalArgs } from "../context.js";

async function initConfig(args: GlobalArgs & { path?: string; force?: boolean }): Promise<number> {
  const path = args.path ?? args.config ?? defaultConfigPath();
  if (existsSync(path) && !args.force) throw new UsageError(`${path} already exists; pass --force to overwrite it`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderDefaultConfig());
  console.log(`Wrote ${path}`);
  return 0;
}

interface ServiceArgs extends GlobalArgs {
  which?: "host" | "runner" | "all";
  "output-dir"?: string;
  force?: boolean;
}

/** The real path of `path`, or undefined when nothing is there (any other failure is thrown). */
function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw error;
  }
}

async function initService(args: ServiceArgs): Promise<number> {
  const which = args.which ?? "all";
  const roles: ("host" | "runner")[] = which === "all" ? ["host", "runner"] : [which];
  const outputDir = resolve(args["output-dir"] ?? ".");
  const { cli, node, path: servicePath } = stableUnitPaths(fileURLToPath(new URL("../../bin/hakuriver.js", import.meta.url)), process.execPath, process.env.PATH ?? "/usr/bin:/bin", {
    realpath: realpathOrUndefined,
    tmpDir: tmpdir(),
  });
  mkdirSync(outputDir, { recursive: true });
  const written: string[] = [];
  for (const role of roles) {
    const path = join(outputDir, `hakuriver-${role}.service`);
    if (existsSync(path) && !args.force) throw new UsageError(`${path} already exists; pass --force to overwrite it`);
    const config = args.config ? resolve(args.config) : undefined;
    writeFileSync(path, renderUnit({ role, node, cli, config, workingDirectory: dirname(dirname(dirname(dirname(cli)))), path: servicePath }));
    written.push(path);
  }
  console.log(`Wrote ${written.join(", ")}`);
  console.log(`Install with: cp ${written.join(" ")} /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now ${roles.map((r) => `hakuriver-${r}`).join(" ")}`);
  return 0;
}

/** Registers `init`. */
export function initCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y.command("init", "write configuration files", (i) =>
    i
      .command(
        "config",
        "write a commented default config (~/.hakuriver/config.toml)",
        (s) => s.option("path", { type: "string", describe: "where to write it" }).option("force", { type: "boolean", describe: "overwrite an existing file" }),
        (a) => run(() => initConfig(a)),
      )
      .command(
        "service [which]",
        "write systemd units (hakuriver-host.service, hakuriver-runner.service) that run this installation",
        (s) =>
          s
            .positional("which", { choices: ["host", "runner", "all"] as const, default: "all" as const, describe: "which unit(s)" })
            .option("output-dir", { type: "string", describe: "where to write them (default: the current directory)" })
            .option("force", { type: "boolean", describe: "overwrite existing files" }),
        (a) => run(() => initService(a)),
      )
      .demandCommand(1, "name what to initialise: config or service"),
  );
}
