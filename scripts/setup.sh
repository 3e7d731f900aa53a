#!/usr/bin/env bash
# Installs what the supergraph needs in this checkout: npm packages, the generated Prisma
# clients, and each subgraph's own environment (subgraphs/*/setup.sh, e.g. Python's venv).
# Idempotent and quick when nothing changed; called by `npm start` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci: about a minute the first time, silent meanwhile)"
  started=$SECONDS
  # No install scripts run (npm 11 default): none of our dependencies needs one, and Prisma's
  # would try to download engines we do not use (the client runs on driver adapters).
  npm ci --no-audit --no-fund --loglevel=error
  echo "setup: npm packages installed in $((SECONDS - started)) s"
fi

for schema in prisma/*/schema.prisma; do
  subgraph=$(basename "$(dirname "$schema")")
  marker="subgraphs/$subgraph/src/generated/prisma/.schema.sha256"
  sum=$(sha256sum "$schema" | cut -d' ' -f1)
  if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$sum" ]; then
    echo "setup: generating the Prisma client for $subgraph"
    started=$SECONDS
    # The CLI wants to download a native schema engine even for `generate`, which needs none;
    # /bin/false stops the download (never /bin/true: see DESIGN.md).
    CHECKPOINT_DISABLE=1 PRISMA_SCHEMA_ENGINE_BINARY=/bin/false npx prisma generate --config "prisma/$subgraph/prisma.config.ts" >/dev/null
    echo "$sum" > "$marker"
    echo "setup: Prisma client for $subgraph generated in $((SECONDS - started)) s"
  fi
done

# --node-only: the TypeScript side alone (the Node image; the Python subgraph builds its own).
[ "${1:-}" = "--node-only" ] && exit 0

for setup in subgraphs/*/setup.sh; do
  [ -f "$setup" ] && bash "$setup"
done
exit 0
