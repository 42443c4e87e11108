/**
 * `hakuriver host` and `hakuriver runner`: flags become settings, then the
 * Host's or Runner's code is loaded lazily (client commands never load it).
 */
import type { Argv } from "yargs";
import type { SettingFlags } from "../../shared/config.js";
import { loadConfig } from "../../shared/config-file.js";
import { globalFlags, type GlobalArgs } from "../context.js";
import { ENVIRONMENT_ONLY } from "../../shared/config-schema.js";

/** Splits `ADDR:PORT` for the runner's --host into settings. */
function hostFlags(address: string | undefined): SettingFlags {
  if (!address) return {};
  const match = /^(.*):(\d+)$/.exec(address);
  return match ? { "network.host_reachable_address": match[1], "network.host_port": Number(match[2]) } : { "network.host_reachable_address": address };
}

const LOG_FILE_HELP = "write JSON log lines to this file, rotated by size (logging.file; logging.max_size, logging.max_files): host.log becomes host.1.log, host.2.log, ...";
const LOG_LEVEL_HELP = "trace, debug, info, warn, error, fatal or silent (logging.level; else HAKURIVER_LOG_LEVEL, else info)";

/** The log settings given as flags. */
function logFlags(args: { "log-file"?: string; "log-level"?: string }): SettingFlags {
  return { "logging.file": args["log-file"], "logging.level": args["log-level"] };
}

/** Registers `host` and `runner`. */
export function serverCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y
    .command(
      "host",
      "start the Host (API, scheduler, SSH proxy)",
      (s) =>
        s
          .option("bind", { type: "string", describe: "address to listen on (network.host_bind_ip)" })
          .option("port", { type: "number", describe: "API port; 0 picks a free one (network.host_port)" })
          .option("ssh-proxy-port", { type: "number", describe: "SSH proxy port (network.host_ssh_proxy_port)" })
          .option("ssh-jump-port", { type: "number", describe: "SSH jump host port for ssh -J; 0 picks a free one, -1 starts none (network.host_ssh_jump_port)" })
          .option("db", { type: "string", describe: "SQLite file (database.db_file)" })
          .option("shared-dir", { type: "string", describe: "shared storage directory (paths.shared_dir)" })
          .option("tls", { type: "string", choices: ["auto", "off"], describe: "API port TLS: auto = self-signed certificate under the state dir, off = plain text (tls.mode; default: files if --tls-cert, plain on loopback, else auto)" })
          .option("tls-cert", { type: "string", describe: "PEM certificate (chain) for the API port (tls.cert_file); needs --tls-key" })
          .option("tls-key", { type: "string", describe: "PEM private key of --tls-cert (tls.key_file)" })
          .option("log-file", { type: "string", describe: LOG_FILE_HELP })
          .option("log-level", { type: "string", describe: LOG_LEVEL_HELP }),
      (a) =>
        run(async () => {
          const args = a;
          const config = loadConfig(args.config, {
            "tls.mode": args.tls,
            "tls.cert_file": args["tls-cert"],
            "tls.key_file": args["tls-key"],
            "network.host_bind_ip": args.bind,
            "network.host_port": args.port,
            "network.host_ssh_proxy_port": args["ssh-proxy-port"],
            "network.host_ssh_jump_port": args["ssh-jump-port"],
            "database.db_file": args.db,
            "paths.shared_dir": args["shared-dir"],
            ...logFlags(args),
          });
          const { main } = await import("../../host/main.js");
          return main(config);
        }),
    )
    .command(
      "runner",
      "start a Runner on this node; it dials the Host and keeps one control stream",
      (s) =>
        s
          .option("name", { type: "string", describe: "node name (runner.name; default: the hostname)" })
          .option("shared-dir", { type: "string", describe: "shared storage directory (paths.shared_dir)" })
          .option("local-temp-dir", { type: "string", describe: "node-local scratch directory (paths.local_temp_dir)" })
          .option("ca", { type: "string", describe: "PEM CA or the Host's certificate to verify the Host against (tls.ca_file); means TLS" })
          .option("tls-fingerprint", { type: "string", describe: "the Host certificate's SHA-256 fingerprint to pin (tls.fingerprint); means TLS" })
          .option("log-file", { type: "string", describe: LOG_FILE_HELP })
          .option("log-level", { type: "string", describe: LOG_LEVEL_HELP }),
      (a) =>
        run(async () => {
          const args = a;
          const config = loadConfig(args.config, {
            ...globalFlags(args),
            ...hostFlags(args.host ?? process.env[ENVIRONMENT_ONLY.host.name]),
            "runner.name": args.name,
            "paths.shared_dir": args["shared-dir"],
            "paths.local_temp_dir": args["local-temp-dir"],
            ...logFlags(args),
          });
          const { main } = await import("../../runner/main.js");
          return main(config);
        }),
    );
}
