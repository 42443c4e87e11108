/**
 * The fixed start script of a VPS container. It contains no user text: the
 * public key arrives in the `HAKURIVER_AUTHORIZED_KEY` environment variable
 * and is written with `printf '%s\n' "$VAR"`, which never interprets it.
 * It runs on every (re)start of the container, so it only installs openssh
 * when the image lacks sshd, and edits no config file (sshd options are
 * given with -o, so restarts do not pile up lines).
 */

/** Name of the environment variable that carries the public key. */
export const AUTHORIZED_KEY_ENV = "HAKURIVER_AUTHORIZED_KEY";

/** Exit code of the script when openssh is missing and cannot be installed. */
export const NO_SSHD_EXIT_CODE = 97;

/**
 * The start script of a VPS without sshd (`ssh_mode` none): it only keeps
 * the container alive, and exits at once on SIGTERM (PID 1 has no default
 * handler), so a kill or stop takes no grace period.
 */
export const KEEP_ALIVE_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";

/** The script, run as `/bin/sh -c SCRIPT` (POSIX sh: busybox, dash, bash). */
export const SSHD_SCRIPT = `set -u
fail() { echo "hakuriver-vps: $*" >&2; exit ${NO_SSHD_EXIT_CODE}; }
if [ ! -x /usr/sbin/sshd ]; then
  echo "hakuriver-vps: /usr/sbin/sshd not found in the image; trying to install openssh" >&2
  if command -v apk >/dev/null 2>&1; then apk add --no-cache openssh >&2 || fail "could not install openssh with apk (is a package repository reachable from this node?); use an image with openssh-server"
  elif command -v apt-get >/dev/null 2>&1; then { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server; } >&2 || fail "could not install openssh-server with apt-get (is a package repository reachable from this node?); use an image with openssh-server"
  elif command -v dnf >/dev/null 2>&1; then dnf install -y openssh-server >&2 || fail "could not install openssh-server with dnf; use an image with openssh-server"
  elif command -v yum >/dev/null 2>&1; then yum install -y openssh-server >&2 || fail "could not install openssh-server with yum; use an image with openssh-server"
  elif command -v zypper >/dev/null 2>&1; then zypper --non-interactive install openssh >&2 || fail "could not install openssh with zypper; use an image with openssh-server"
  elif command -v pacman >/dev/null 2>&1; then pacman -Sy --noconfirm openssh >&2 || fail "could not install openssh with pacman; use an image with openssh-server"
  else fail "the image has no sshd and no known package manager; use an image with openssh-server"
  fi
  [ -x /usr/sbin/sshd ] || fail "openssh was installed but /usr/sbin/sshd is still missing"
fi
umask 077
mkdir -p /root/.ssh || fail "cannot create /root/.ssh"
chmod 700 /root/.ssh
printf '%s\\n' "$${AUTHORIZED_KEY_ENV}" > /root/.ssh/authorized_keys || fail "cannot write /root/.ssh/authorized_keys"
chmod 600 /root/.ssh/authorized_keys
unset ${AUTHORIZED_KEY_ENV}
mkdir -p /run/sshd && chmod 755 /run/sshd
ssh-keygen -A >&2 || fail "ssh-keygen -A failed"
exec /usr/sbin/sshd -D -e -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no
`;
