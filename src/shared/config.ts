/**
 * Configuration: a typed object layered by one pure function,
 * defaults → TOML file → `HAKURIVER_*` environment → flags.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { ENVIRONMENT_ONLY, SETTINGS, type Config, type SettingName, type SettingSpec } from "./config-schema.js";
import { invalidArgument } from "./errors.js";

/** The table, each row seen as a plain {@link SettingSpec}. */
const SPECS: readonly SettingSpec[] = SETTINGS;

/** A setting's value. */
export type SettingValue = string | number | boolean | readonly string[];

/** Settings by `section.key` (for example `network.host_port`), as the file spells them. */
export type Settings = Readonly<Record<string, SettingValue>>;

/** Flag values by setting name; undefined means "not given". */
export type SettingFlags = Readonly<Partial<Record<SettingName, SettingValue | undefined>>>;

/** The inputs of {@link resolveConfig}; every layer is optional. */
export interface ConfigLayers {
  /** Parsed TOML document (sections of keys). */
  readonly file?: Record<string, unknown>;
  /** Where the file came from, for error messages. */
  readonly fileName?: string;
  /** Process environment; only `HAKURIVER_SECTION_KEY` names are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flag values by `section.key`; undefined means "not given". */
  readonly flags?: SettingFlags;
}

/** The environment variable that overrides a setting: `HAKURIVER_NETWORK_HOST_PORT`. */
export function envNameOf(spec: SettingSpec): string {
  return `HAKURIVER_${spec.section}_${spec.key}`.toUpperCase();
}

function coerce(spec: SettingSpec, raw: unknown, origin: string): SettingValue {
  const where = `${spec.section}.${spec.key} (${origin})`;
  switch (spec.type) {
    case "number": {
      const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw invalidArgument(`${where} must be a number, got ${JSON.stringify(raw)}`);
      }
      return value;
    }
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      if (typeof raw === "string" && /^(true|1|yes|on)$/i.test(raw)) return true;
      if (typeof raw === "string" && /^(false|0|no|off)$/i.test(raw)) return false;
      throw invalidArgument(`${where} must be true or false, got ${JSON.stringify(raw)}`);
    }
    case "string[]": {
      if (typeof raw === "string") return raw.split(",").map((s) => s.trim()).filter(Boolean);
      if (Array.isArray(raw) && raw.every((item) => typeof item === "string")) return raw as string[];
      throw invalidArgument(`${where} must be a list of strings, got ${JSON.stringify(raw)}`);
    }
    default:
      if (typeof raw === "string") return raw;
      if (typeof raw === "number") return String(raw);
      throw invalidArgument(`${where} must be a string, got ${JSON.stringify(raw)}`);
  }
}

/**
 * Layers the settings: defaults, then the TOML file, then `HAKURIVER_*`
 * variables, then flags. Pure: reads nothing but its arguments. Unknown
 * sections or keys in the file are an error (a typo must not be ignored).
 */
export function resolveConfig(layers: ConfigLayers): Settings {
  const result: Record<string, SettingValue> = {};
  const known = new Map(SPECS.map((spec) => [`${spec.section}.${spec.key}`, spec]));
  for (const spec of SPECS) result[`${spec.section}.${spec.key}`] = spec.defaultValue;

  const fileName = layers.fileName ?? "config file";
  for (const [section, body] of Object.entries(layers.file ?? {})) {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw invalidArgument(`${fileName}: [${section}] must be a table of settings`);
    }
    for (const [key, raw] of Object.entries(body)) {
      const spec = known.get(`${section}.${key}`);
      if (!spec) throw invalidArgument(`${fileName}: unknown setting ${section}.${key}`);
      result[`${section}.${key}`] = coerce(spec, raw, fileName);
    }
  }
  for (const spec of SPECS) {
    const raw = layers.env?.[envNameOf(spec)];
    if (raw !== undefined && raw !== "") result[`${spec.section}.${spec.key}`] = coerce(spec, raw, envNameOf(spec));
  }
  for (const [name, raw] of Object.entries(layers.flags ?? {})) {
    if (raw === undefined) continue;
    const spec = known.get(name);
    if (!spec) throw invalidArgument(`unknown setting ${name}`);
    result[name] = coerce(spec, raw, "flag");
  }
  return result;
}

/**
 * The typed {@link Config} of resolved settings: each row's value under its
 * `field`, seconds turned into milliseconds and `~/` paths expanded against
 * `home`, here and nowhere else. Pure.
 */
export function toConfig(settings: Settings, home: string = homedir()): Config {
  const config: Record<string, SettingValue> = {};
  for (const spec of SPECS) {
    const value = settings[`${spec.section}.${spec.key}`] ?? spec.defaultValue;
    config[spec.field] = spec.convert === "seconds" ? Number(value) * 1000 : spec.convert === "path" ? expandHome(String(value), home) : value;
  }
  return config as Config;
}

/** Expands a leading `~/` to the home directory. */
export function expandHome(path: string, home: string = homedir()): string {
  return path === "~" ? home : path.startsWith("~/") ? join(home, path.slice(2)) : path;
}

/** The default config file: `~/.hakuriver/config.toml`. */
export function defaultConfigPath(home: string = homedir()): string {
  return join(home, ".hakuriver", "config.toml");
}

/** Renders the commented default config file that `hakuriver init config` writes. */
export function renderDefaultConfig(): string {
  const lines = [
    "# HakuRiver configuration. Every key may also be set with HAKURIVER_<SECTION>_<KEY>",
    "# in the environment, and most with a command-line flag; flags win, then the",
    "# environment, then this file, then the defaults shown here.",
  ];
  let section = "";
  for (const spec of SPECS) {
    if (spec.section !== section) {
      section = spec.section;
      lines.push("", `[${section}]`);
    }
    lines.push(`# ${spec.doc} (env ${envNameOf(spec)})`, `${spec.key} = ${JSON.stringify(spec.defaultValue)}`);
  }
  lines.push("", "# Set only in the environment:");
  for (const variable of Object.values(ENVIRONMENT_ONLY)) lines.push(`#   ${variable.name}: ${variable.doc}`);
  return `${lines.join("\n")}\n`;
}
