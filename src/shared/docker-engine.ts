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
import Docker from "dockerode";

interface ModemHttp {
  maxRedirects: number;
}

let redirectsRefused = false;

/** Makes docker-modem refuse every redirect (idempotent); throws if its transport changed shape. */
export function refuseEngineRedirects(): void {
  if (redirectsRefused) return;
  // dockerode's transport, resolved from dockerode itself so it is the copy it uses.
  const fromDockerode = createRequire(createRequire(import.meta.url).resolve("dockerode"));
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
  return options ? new Docker(options) : new Docker();
}
