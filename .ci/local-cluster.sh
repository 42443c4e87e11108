#!/usr/bin/env bash
# Starts (or stops) a local cluster: one Host on 127.0.0.1:8000 (SSH proxy 8002)
# and one Runner named after this machine, in the background, with state under
# ~/.hakuriver. Logs: ~/.hakuriver/host.log, ~/.hakuriver/runner.log.
# The Host binds loopback unless HAKURIVER_NETWORK_HOST_BIND_IP names another
# address (then TLS is on, and the login and the runner pin its fingerprint).
# The addresses printed are the ones the Host reports, read from its log.
#   bash .ci/local-cluster.sh start|stop|status
set -euo pipefail
cd "$(dirname "$0")/.."
state="${HAKURIVER_HOME:-$HOME/.hakuriver}"
mkdir -p "$state"
cli=(node dist/src/bin/hakuriver.js)
# The API port: network.host_port's default unless the environment names another.
port="${HAKURIVER_NETWORK_HOST_PORT:-8000}"
export HAKURIVER_HOST="127.0.0.1:$port"
bind="${HAKURIVER_NETWORK_HOST_BIND_IP:-127.0.0.1}"

stop() {
  for role in runner host; do
    if [[ -f $state/$role.pid ]]; then
      kill "$(cat "$state/$role.pid")" 2>/dev/null || true
      rm -f "$state/$role.pid"
    fi
  done
}

case "${1:-start}" in
  start)
    stop
    # Loopback by default, so plain text (tls.mode's default serves TLS on any other bind).
    setsid "${cli[@]}" host --bind "$bind" --port "$port" >"$state/host.log" 2>&1 < /dev/null & echo $! >"$state/host.pid"
    for _ in $(seq 1 50); do grep -q "^HakuRiver host listening on" "$state/host.log" && break; sleep 0.2; done
    listening="$(grep -m1 "^HakuRiver host listening on" "$state/host.log")" || { cat "$state/host.log"; exit 1; }
    # "HakuRiver host listening on ADDR:PORT (...); ssh proxy on PORT; ssh jump on PORT" (both bind the same address).
    api_address="$(sed -E 's/^HakuRiver host listening on ([^ ]+) .*/\1/' <<<"$listening")"
    proxy_port="$(sed -E 's/.*ssh proxy on ([0-9]+).*/\1/' <<<"$listening")"
    proxy_address="${api_address%:*}:$proxy_port"
    tls_flags=()
    fingerprint="$(sed -nE 's/^TLS on .*SHA-256 fingerprint ([0-9A-F:]+).*/\1/p' "$state/host.log")"
    if [[ -n $fingerprint ]]; then tls_flags=(--tls-fingerprint "$fingerprint"); fi
    # Auth is on: log this user in as admin with the token the Host wrote on its first start
    # (in its state dir, the db file's directory: ~/.hakuriver by default).
    admin_token="$HOME/.hakuriver/admin.token"
    if [[ -f $admin_token ]]; then "${cli[@]}" login --host "127.0.0.1:$port" --token-file "$admin_token" "${tls_flags[@]}"; fi
    setsid "${cli[@]}" runner "${tls_flags[@]}" >"$state/runner.log" 2>&1 < /dev/null & echo $! >"$state/runner.pid"
    for _ in $(seq 1 50); do "${cli[@]}" nodes 2>/dev/null | grep -q online && break; sleep 0.2; done
    "${cli[@]}" nodes
    echo
    echo "Local cluster running (Host listening on $api_address, SSH proxy on $proxy_address; logged in as admin). Try: hakuriver task submit --wait -- echo hello"
    scheme=http; [[ -n $fingerprint ]] && scheme=https
    echo "Dashboard: $scheme://127.0.0.1:$port/ (sign in with the token in $admin_token)"
    echo "Stop it with: npm run cluster:stop"
    ;;
  stop) stop; echo "Local cluster stopped." ;;
  status) "${cli[@]}" nodes ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
