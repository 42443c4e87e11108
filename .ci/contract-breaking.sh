#!/usr/bin/env bash
# The breaking-change check: the contract in WORKSPACE (a folder holding
# buf.yaml and proto/; default: this repository) against the accepted
# contract, the image .ci/contract-baseline.binpb. Fails, naming each break,
# when a change would break a client built from the accepted protos.
# To make a breaking change on purpose, accept it: `npm run contract:accept`
# (rewrites the baseline) and commit the new baseline with the change, saying why.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
workspace="${1:-$root}"
baseline="${2:-$root/.ci/contract-baseline.binpb}"
if ! "$root/node_modules/.bin/buf" breaking "$workspace" --against "$baseline"; then
  echo "proto/ breaks the accepted contract (above). If that is on purpose: npm run contract:accept, and commit .ci/contract-baseline.binpb with the change." >&2
  exit 1
fi
