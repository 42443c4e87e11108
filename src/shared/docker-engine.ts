/**
 * One way to make a Docker engine client, for the Host and for runners.
 *
 * docker-modem (dockerode's transport) follows HTTP redirects by itself,
 * to any address, on a request that has no error listener: a redirect from
 * the engine (it answers a path holding `..` with one) made a process send
 * a request to an address of a caller's choosing, and its failure ended the
 * process. The engine API never redirects on purpose, so every client made
 * here refuses redirects: the original request fails with an error that
 * its caller handles.
 */
import { createRequire } from "node:module";
import type Docker from "dockerode";

const require = createRequire(import.meta.url);

interface ModemHttp {
  maxRedirects: number;
}

let redirectsRefused = false;

/** Makes docker-modem refuse every redirect (idempotent); throws if its transport changed shape. */
export function refuseEngineRedirects(): void {
  if (redirectsRefused) return;
  // dockerode's transport, resolved from dockerode itself so it is the copy it uses.
  const fromDockerode = createRequire(require.resolve("dockerode"));
  const http = fromDockerode("docker-modem/lib/http.js") as Partial<ModemHttp>;
  if (typeof http.maxRedirects !== "number") {
    throw new Error("docker-modem no longer exposes maxRedirects: check how it follows redirects before upgrading dockerode");
  }
  http.maxRedirects = 0;
  redirectsRefused = true;
}

/** A dockerode client (options as dockerode takes them; none = DOCKER_HOST or the default socket) that never follows redirects. */
export function engineClient(options?: Docker.DockerOptions): Docker {
  refuseEngineRedirects();
  // Loaded on first use (CommonJS, so synchronously): dockerode and its modem cost a process about 18 MB.
  const DockerClient = require("dockerode") as typeof Docker;
  return options ? new DockerClient(options) : new DockerClient();
}

/**
 * {@link engineClient}, made at its first use: for the Host, which needs an
 * engine only for environment calls, so a Host that never makes one never
 * loads dockerode.
 */
export function lazyEngineClient(): Docker {
  let client: Docker | undefined;
  return new Proxy({} as Docker, {
    get(_target, property) {
      client ??= engineClient();
      const value: unknown = Reflect.get(client, property, client);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
    },
  });
}
