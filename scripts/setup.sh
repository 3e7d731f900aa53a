#!/usr/bin/env bash
# Installs what the supergraph needs in this checkout: npm packages, the generated Prisma
# clients, and each subgraph's own environment (subgraphs/*/setup.sh, e.g. Python's venv).
# Idempotent and quick when nothing changed; called by `npm start` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each subgraph's own environment needs nothing from npm, so it is prepared alongside npm ci and Prisma
# rather than after them: a cold setup then takes the longer of the two, not their sum (the machine's
# time goes to downloads and unpacking, not to one core). --node-only: the TypeScript side alone (the
# Node image; the Python subgraph builds its own).
subgraph_setups=()
if [ "${1:-}" != "--node-only" ]; then
  for setup in subgraphs/*/setup.sh; do
    bash "$setup" &
    subgraph_setups+=($!)
  done
fi
# If a step fails, do not leave a subgraph's install running on after us.
trap 'kill "${subgraph_setups[@]}" 2>/dev/null || true' EXIT

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci: a minute or two the first time, silent meanwhile)"
  started=$SECONDS
  # No install scripts run (npm 11 default): none of our dependencies needs one, and Prisma's
  # would try to download engines we do not use (the client runs on driver adapters).
  npm ci --no-audit --no-fund --loglevel=error
  echo "setup: npm packages installed in $((SECONDS - started)) s"
fi

# The Prisma clients are generated side by side: each generate is a few seconds of one core.
generate_prisma_client() {
  local subgraph=$1 marker=$2 sum=$3 started=$SECONDS
  # The CLI wants to download a native schema engine even for `generate`, which needs none;
  # /bin/false stops the download (never /bin/true: see DESIGN.md).
  CHECKPOINT_DISABLE=1 PRISMA_SCHEMA_ENGINE_BINARY=/bin/false node_modules/.bin/prisma generate --config "prisma/$subgraph/prisma.config.ts" >/dev/null
  echo "$sum" > "$marker"
  echo "setup: Prisma client for $subgraph generated in $((SECONDS - started)) s"
}
generators=()
for schema in prisma/*/schema.prisma; do
  subgraph=$(basename "$(dirname "$schema")")
  marker="subgraphs/$subgraph/src/generated/prisma/.schema.sha256"
  sum=$(sha256sum "$schema" | cut -d' ' -f1)
  if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$sum" ]; then
    echo "setup: generating the Prisma client for $subgraph"
    generate_prisma_client "$subgraph" "$marker" "$sum" &
    generators+=($!)
  fi
done
for pid in "${generators[@]}"; do
  wait "$pid"
done

# The portal's production build, which `npm start` serves and its browser test drives (skipped when
# nothing it is built from changed). Not for --node-only: the Node image serves the API, not the portal.
if [ "${1:-}" != "--node-only" ]; then
  bash scripts/build-portal.sh
fi

for pid in "${subgraph_setups[@]}"; do
  wait "$pid"
done
trap - EXIT
