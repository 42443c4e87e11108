/**
 * A dockerode client for the runner's engine, from the `runner.docker_host`
 * setting (`unix:///path.sock`, a bare socket path, or `tcp://host:port`);
 * empty means dockerode's own default (DOCKER_HOST, else /var/run/docker.sock).
 */
import type Docker from "dockerode";
import { engineClient } from "../../shared/docker-engine.js";

/** Creates the client; throws a clear error for an address it cannot use. */
export function dockerClient(address: string): Docker {
  const text = address.trim();
  if (text === "") return engineClient();
  if (text.startsWith("unix://")) return engineClient({ socketPath: text.slice("unix://".length) });
  if (text.startsWith("/")) return engineClient({ socketPath: text });
  const tcp = /^(?:tcp|http):\/\/([^:/]+):(\d+)\/?$/.exec(text);
  if (tcp) return engineClient({ host: tcp[1], port: Number(tcp[2]), protocol: "http" });
  throw new Error(`runner.docker_host "${address}" is not a Docker address: use unix:///path/to/docker.sock or tcp://HOST:PORT`);
}
