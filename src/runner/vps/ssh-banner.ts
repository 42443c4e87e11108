/**
 * Readiness of a VPS: sshd is up once its port answers with an SSH
 * identification line (`SSH-2.0-...`). A published Docker port accepts TCP
 * connections before sshd listens (docker-proxy), so a connect alone proves
 * nothing: the banner does.
 */
import { connect } from "node:net";

/** Reads the first line from `host:port`; resolves with it, or undefined on close, error or timeout. */
export function readBanner(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let text = "";
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const newline = text.indexOf("\n");
      if (newline >= 0) done(text.slice(0, newline).replace(/\r$/, ""));
      else if (text.length > 512) done(undefined);
    });
    socket.on("error", () => done(undefined));
    socket.on("close", () => done(undefined));
  });
}

/**
 * Polls until `host:port` greets with `SSH-2.0`. Resolves with the banner;
 * rejects after `timeoutMs`, or as soon as `failed()` returns a reason (the
 * container exited, say).
 */
export async function waitForSshBanner(
  host: string,
  port: number,
  timeoutMs: number,
  failed: () => Promise<string | undefined>,
  intervalMs = 250,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const banner = await readBanner(host, port, Math.min(3000, Math.max(200, deadline - Date.now())));
    if (banner?.startsWith("SSH-2.0") || banner?.startsWith("SSH-1.99")) return banner;
    const reason = await failed();
    if (reason) throw new Error(reason);
    if (Date.now() > deadline) throw new Error(`sshd did not answer on ${host}:${port} within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
