#!/usr/bin/env bash
# Starts a Docker engine when none answers, and waits for its socket.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
echo "docker-up: starting dockerd"
setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then echo "docker-up: ready"; exit 0; fi
  sleep 1
done
echo "docker-up: dockerd did not come up; see /var/log/dockerd.log" >&2
tail -20 /var/log/dockerd.log >&2 || true
exit 1
