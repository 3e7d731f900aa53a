#!/usr/bin/env bash
# `npm start`: the whole supergraph on embedded defaults (PGlite databases under .data/, generated
# development secrets, in-process events when REDIS_URL is unset). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# tsx from node_modules directly: npx would spend a second of CPU finding it, on every start.
exec node_modules/.bin/tsx scripts/run-platform.ts
