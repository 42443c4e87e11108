#!/usr/bin/env bash
# Builds the local images the tests use (no registry is reachable), once per
# machine: hakuriver-test/busybox:latest from busybox-static, and
# hakuriver-test/debian-sshd:latest (Debian with openssh-server) by debootstrap.
set -euo pipefail
suite=bookworm

# The mirror apt on this machine already uses for $suite: deb822 stanzas
# (URIs:/Suites: in sources.list.d/*.sources), then one-line entries
# (sources.list, sources.list.d/*.list). Prints nothing when none is found.
apt_mirror() {
  local files=() found=""
  shopt -s nullglob
  files=(/etc/apt/sources.list.d/*.sources)
  if ((${#files[@]} > 0)); then
    found=$(awk -v suite="$suite" 'BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) types = substr($i, 7)
          else if ($i ~ /^URIs:/) uris = substr($i, 6)
          else if ($i ~ /^Suites:/) suites = substr($i, 8)
        }
        if ((" " types " ") ~ / deb / && (" " suites " ") ~ (" " suite " ")) { split(uris, u, " "); print u[1]; exit }
      }' "${files[@]}")
    [[ -n $found ]] && { echo "$found"; return; }
  fi
  files=(/etc/apt/sources.list.d/*.list)
  [[ -f /etc/apt/sources.list ]] && files=(/etc/apt/sources.list "${files[@]}")
  ((${#files[@]} > 0)) || return 0
  awk -v suite="$suite" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) { print $i; exit } }' "${files[@]}" || true
}
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
  mirror=$(apt_mirror)
  # No mirror found: debootstrap picks its own default.
  debootstrap --variant=minbase --include=openssh-server "$suite" "$root" ${mirror:+"$mirror"} >/tmp/debootstrap.log 2>&1 \
    || { tail -20 /tmp/debootstrap.log >&2; exit 1; }
  tar -C "$root" -c . | docker import - hakuriver-test/debian-sshd:latest >/dev/null
  rm -rf "$root"
fi
echo "test-images: ready"
