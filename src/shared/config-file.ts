/**
 * Loads the layered configuration from disk and the environment.
 */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { defaultConfigPath, resolveConfig, toConfig, type SettingFlags, type Settings } from "./config.js";
import { invalidArgument } from "./errors.js";
import { ENVIRONMENT_ONLY, type Config } from "./config-schema.js";

/**
 * Loads settings: the file at `explicitPath` (which must exist), else
 * `HAKURIVER_CONFIG`, else `~/.hakuriver/config.toml` when present; then the
 * environment and the given flags on top.
 */
export function loadSettings(explicitPath: string | undefined, flags: SettingFlags, env: NodeJS.ProcessEnv = process.env): Settings {
  const chosen = explicitPath ?? env[ENVIRONMENT_ONLY.config.name];
  const path = chosen ?? defaultConfigPath();
  let file: Record<string, unknown> | undefined;
  if (existsSync(path)) {
    try {
      file = parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    } catch (error) {
      throw invalidArgument(`cannot read config file ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else if (chosen !== undefined) {
    throw invalidArgument(`config file ${path} does not exist (run "hakuriver init config" to write one)`);
  }
  return resolveConfig({ file, fileName: path, env, flags });
}

/** {@link loadSettings}, as the typed {@link Config} (units converted, paths expanded). */
export function loadConfig(explicitPath: string | undefined, flags: SettingFlags, env: NodeJS.ProcessEnv = process.env): Config {
  return toConfig(loadSettings(explicitPath, flags, env));
}
