#!/usr/bin/env bash
# Builds the local images the tests use (no registry is reachable), once per
# machine: hakuriver-test/busybox:latest from busybox-static, and
# hakuriver-test/debian-sshd:latest (Debian with openssh-server) by debootstrap.
set -euo pipefail
if ! docker image inspect hakuriver-test/busybox:latest >/dev/null 2>&1; then
  echo "test-images: building hakuriver-test/busybox"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/shared" "$root/local_temp"
  cp /bin/busybox "$root/bin/busybox"
  for tool in $("$root/bin/busybox" --list); do
    [[ $tool == busybox ]] || ln -sf busybox "$root/bin/$tool"
  done
  tar -C "$root" -c . | docker import - hakuriver-test/busybox:latest >/dev/null
  rm -rf "$root"
fi
if ! docker image inspect hakuriver-test/debian-sshd:latest >/dev/null 2>&1; then
  echo "test-images: building hakuriver-test/debian-sshd (debootstrap, about 2 minutes)"
  root=$(mktemp -d)
  debootstrap --variant=minbase --include=openssh-server bookworm "$root" http://deb.debian.org/debian >/tmp/debootstrap.log 2>&1 \
    || { tail -20 /tmp/debootstrap.log >&2; exit 1; }
  tar -C "$root" -c . | docker import - hakuriver-test/debian-sshd:latest >/dev/null
  rm -rf "$root"
fi
echo "test-images: ready"
