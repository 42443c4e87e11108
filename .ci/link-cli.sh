#!/usr/bin/env bash
# Puts `hakuriver` and `hakurun` on PATH: symlinks in /usr/local/bin (or
# HAKURIVER_BIN_DIR) to this clone's dist/src/bin/*.js. Run by .ci/setup.sh.
# Symlinks rather than `npm link`: that would also link the package into npm's
# global prefix and run its build again. Idempotent; a link that points
# elsewhere (an older clone) is replaced and said so; a real file is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
bin_dir="${HAKURIVER_BIN_DIR:-/usr/local/bin}"
mkdir -p "$bin_dir"
for name in hakuriver hakurun; do
  target="$PWD/dist/src/bin/$name.js"
  [[ -f $target ]] || { echo "setup: $target is missing: build first (npm run build)" >&2; exit 1; }
  chmod +x "$target"
  link="$bin_dir/$name"
  if [[ -L $link && $(readlink "$link") == "$target" ]]; then
    echo "setup: $link already points at this clone"
    continue
  elif [[ -e $link && ! -L $link ]]; then
    echo "setup: $link exists and is not a link; left alone (remove it to put this clone's $name on PATH)" >&2
    continue
  fi
  [[ -L $link ]] && echo "setup: replacing $link (pointed at $(readlink "$link"))"
  ln -sfn "$target" "$link"
  echo "setup: $link -> $target"
done
