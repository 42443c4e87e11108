/**
 * `hakuriver init config`: writes the commented default configuration.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Argv } from "yargs";
import { defaultConfigPath, renderDefaultConfig } from "../../shared/config.js";
import { UsageError } from "../cli-error.js";
import type { GlobalArgs } from "../context.js";

async function initConfig(args: GlobalArgs & { path?: string; force?: boolean }): Promise<number> {
  const path = args.path ?? args.config ?? defaultConfigPath();
  if (existsSync(path) && !args.force) throw new UsageError(`${path} already exists; pass --force to overwrite it`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderDefaultConfig());
  console.log(`Wrote ${path}`);
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
      .demandCommand(1, "name what to initialise: config"),
  );
}
