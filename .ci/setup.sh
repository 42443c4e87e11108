#!/usr/bin/env bash
# Installs everything HakuRiver and its tests need on a fresh Debian machine of
# our kind (run as root): apt packages, npm dependencies (which also builds
# dist/), a running Docker engine and the local test images. Idempotent and
# fast on a second run. Used by .ci/run and by the README's set-up command.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v dockerd >/dev/null || need_apt+=(docker.io)
command -v busybox >/dev/null || [[ -x /bin/busybox ]] || need_apt+=(busybox-static)
command -v numactl >/dev/null || need_apt+=(numactl)
command -v ssh >/dev/null || need_apt+=(openssh-client)
command -v sshd >/dev/null || [[ -x /usr/sbin/sshd ]] || need_apt+=(openssh-server)
command -v debootstrap >/dev/null || need_apt+=(debootstrap)
command -v ip >/dev/null || need_apt+=(iproute2)
command -v nsenter >/dev/null || need_apt+=(util-linux)
command -v scp >/dev/null || need_apt+=(openssh-client)
command -v script >/dev/null || need_apt+=(bsdutils)
# Fault-injection tests: a loop-mounted ext4 shut down like a power cut, leftover-process checks.
command -v mkfs.ext4 >/dev/null || need_apt+=(e2fsprogs)
command -v losetup >/dev/null || need_apt+=(mount)
command -v pgrep >/dev/null || need_apt+=(procps)
command -v python3 >/dev/null || need_apt+=(python3)
# The TLS test speaks HTTP/1.1 over TLS to the Host, as a browser does.
command -v curl >/dev/null || need_apt+=(curl)
# The dashboard's browser tests drive Debian's Chromium with playwright-core (no browser download).
[[ -x /usr/bin/chromium ]] || need_apt+=(chromium)
# A Python client generated from proto/ (the other-language contract test).
command -v protoc >/dev/null || need_apt+=(protobuf-compiler)
[[ -x /usr/bin/grpc_python_plugin ]] || need_apt+=(protobuf-compiler-grpc)
/usr/bin/python3 -c "import grpc, google.protobuf" 2>/dev/null || need_apt+=(python3-grpcio python3-protobuf)
# A Go client generated from proto/ (GOPATH mode: Debian's Go sources, no module download).
# Debian's protoc-gen-go is built from the same google.golang.org/protobuf 1.28.1 source
# the client compiles against. grpc-go 1.33 accepts golang/protobuf 1.3 or 1.5; only 1.5
# is built on that runtime, so its codec can marshal the generated messages.
command -v go >/dev/null || need_apt+=(golang-go)
[[ -x /usr/bin/protoc-gen-go ]] || need_apt+=(protoc-gen-go)
[[ -x /usr/bin/protoc-gen-go-grpc ]] || need_apt+=(protoc-gen-go-grpc)
[[ -d /usr/share/gocode/src/google.golang.org/protobuf ]] || need_apt+=(golang-google-protobuf-dev)
[[ -d /usr/share/gocode/src/google.golang.org/grpc ]] || need_apt+=(golang-google-grpc-dev)
# (proto/wrappers.go exists from golang/protobuf 1.4 on, not in the 1.3 package)
[[ -f /usr/share/gocode/src/github.com/golang/protobuf/proto/wrappers.go ]] || need_apt+=(golang-github-golang-protobuf-1-5-dev)
if ((${#need_apt[@]})); then
  echo "setup: installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
else
  npm run --silent build
fi

bash .ci/link-cli.sh
bash .ci/docker-up.sh
bash .ci/test-images.sh
echo "setup: done"
