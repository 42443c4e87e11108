/**
 * systemd unit files for the Host and the Runner (`hakuriver init service`).
 */

/** What a unit needs to start HakuRiver the same way this shell would. */
export interface UnitInput {
  readonly role: "host" | "runner";
  /** Absolute path of the node binary. */
  readonly node: string;
  /** Absolute path of the hakuriver CLI entry. */
  readonly cli: string;
  /** Absolute path of the config file, or undefined for the default lookup. */
  readonly config: string | undefined;
  readonly workingDirectory: string;
  readonly path: string;
}

function quote(arg: string): string {
  // systemd's ExecStart splits on spaces and understands double quotes.
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, "\\$1")}"`;
}

/** The unit file text for one role. */
export function renderUnit(input: UnitInput): string {
  const exec = [input.node, input.cli, input.role, ...(input.config ? ["--config", input.config] : [])].map(quote).join(" ");
  const what = input.role === "host" ? "HakuRiver Host (API, scheduler, SSH proxy)" : "HakuRiver Runner (executes tasks on this node)";
  return [
    "[Unit]",
    `Description=${what}`,
    "After=network-online.target" + (input.role === "runner" ? " docker.service" : ""),
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `WorkingDirectory=${input.workingDirectory}`,
    `Environment=${quote(`PATH=${input.path}`)}`,
    `ExecStart=${exec}`,
    "Restart=on-failure",
    "RestartSec=5",
    // The runner's task containers outlive it; only its own process is stopped.
    ...(input.role === "runner" ? ["KillMode=process"] : []),
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
