/**
 * The public host keys of a VPS's sshd, read from inside its container once
 * sshd answers, so the Host can publish them and `hakuriver ssh-config` can
 * write a known_hosts entry: logins then check the host key instead of
 * turning the check off. The start script runs `ssh-keygen -A`, which
 * writes the keys under /etc/ssh (and keeps them across restarts of the
 * same container), so they are there by the time sshd greets.
 */
import type Docker from "dockerode";

/** Lists the default host public keys; prints nothing (and exits 0) when there are none. */
const READ_KEYS_SCRIPT = "for f in /etc/ssh/ssh_host_*_key.pub; do [ -r \"$f\" ] && cat \"$f\"; done; exit 0";

/** The key types OpenSSH writes to host key files. */
const KEY_LINE = /^((?:ssh|ecdsa|sk-ssh|sk-ecdsa)-[A-Za-z0-9@._-]+) ([A-Za-z0-9+/=]+)(?:\s|$)/;

/**
 * The `TYPE BASE64` part of each OpenSSH public key line of `text`, in
 * order, duplicates and comments dropped; lines that are not keys are
 * ignored (a login banner of a custom image, say).
 */
export function parseHostKeys(text: string): string[] {
  const keys: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = KEY_LINE.exec(line.trim());
    if (!match) continue;
    const key = `${match[1]} ${match[2]}`;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** Splits Docker's multiplexed exec/log stream (8-byte frame headers) into its stdout and stderr text. */
export function demuxDockerStream(raw: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    (raw[at] === 2 ? err : out).push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/**
 * Reads the host public keys of the sshd in `container` (running, not
 * paused). Resolves with `TYPE BASE64` lines; rejects with the reason when
 * the exec fails, times out, or finds no key, so the caller can say why a
 * login will fall back to trust-on-first-use.
 */
export async function readHostKeys(container: Docker.Container, timeoutMs = 10_000): Promise<string[]> {
  const exec = await container.exec({ Cmd: ["/bin/sh", "-c", READ_KEYS_SCRIPT], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`reading the host keys took over ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("error", (error: Error) => (clearTimeout(timer), reject(error)));
    stream.once("end", () => (clearTimeout(timer), resolve(Buffer.concat(chunks))));
  });
  const { stdout, stderr } = demuxDockerStream(raw);
  const keys = parseHostKeys(stdout);
  if (keys.length === 0) throw new Error(`no readable /etc/ssh/ssh_host_*_key.pub in the container${stderr.trim() ? ` (${stderr.trim().slice(0, 200)})` : ""}`);
  return keys;
}
